"""RFC 9162 / RFC 6962 Merkle trees: the Certificate Transparency reference vectors and every
proof of every small tree."""

from __future__ import annotations

import hashlib

import pytest

from saylau.core.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)

# The leaves and tree heads of the Certificate Transparency reference tests.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]  # fmt: skip
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (0, 1): [],
}
CT_CONSISTENCY = {
    (1, 1): [],
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162's recursive definition, as written."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def test_ct_tree_heads() -> None:
    tree = MerkleTree.of(CT_LEAVES)
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    for size, root in enumerate(CT_ROOTS):
        assert tree.root(size).hex() == root
        assert MerkleTree.of(CT_LEAVES[:size]).root().hex() == root


@pytest.mark.parametrize(("index", "size"), list(CT_INCLUSION))
def test_ct_inclusion_proofs(index: int, size: int) -> None:
    tree = MerkleTree.of(CT_LEAVES)
    proof = tree.inclusion_proof(index, size)
    assert [h.hex() for h in proof] == CT_INCLUSION[index, size]
    root = bytes.fromhex(CT_ROOTS[size])
    assert verify_inclusion(index, size, leaf_hash(CT_LEAVES[index]), proof, root)


@pytest.mark.parametrize(("old", "new"), list(CT_CONSISTENCY))
def test_ct_consistency_proofs(old: int, new: int) -> None:
    tree = MerkleTree.of(CT_LEAVES)
    proof = tree.consistency_proof(old, new)
    assert [h.hex() for h in proof] == CT_CONSISTENCY[old, new]
    roots = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    assert verify_consistency(old, new, *roots, proof)


LEAVES = [leaf_hash(i.to_bytes(2, "big")) for i in range(64)]
TREE = MerkleTree(LEAVES)


def _flip(proof: list[bytes], position: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[0] ^= 1
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


def test_every_inclusion_proof_of_trees_up_to_64() -> None:
    for size in range(1, 65):
        root = TREE.root(size)
        assert root == reference_root(LEAVES[:size])
        for index in range(size):
            proof = TREE.inclusion_proof(index, size)
            leaf = LEAVES[index]
            assert verify_inclusion(index, size, leaf, proof, root)
            assert root_from_inclusion(index, size, leaf, proof) == root
            assert not verify_inclusion(index, size, LEAVES[(index + 1) % 64], proof, root)
            if size < 64:  # the signed tree head states the size; a proof alone may fit two
                assert not verify_inclusion(index, size + 1, leaf, proof, TREE.root(size + 1))
            assert not verify_inclusion(size, size, leaf, proof, root)
            assert not verify_inclusion(index, size, leaf, [*proof, EMPTY_ROOT], root)
            if proof:
                assert not verify_inclusion(index, size, leaf, proof[:-1], root)
                for position in range(len(proof)):
                    assert not verify_inclusion(index, size, leaf, _flip(proof, position), root)
            if index + 1 < size:
                assert not verify_inclusion(index + 1, size, leaf, proof, root)


def test_every_consistency_proof_of_trees_up_to_64() -> None:
    for new in range(0, 65):
        new_root = TREE.root(new)
        for old in range(0, new + 1):
            old_root = TREE.root(old)
            proof = TREE.consistency_proof(old, new)
            assert verify_consistency(old, new, old_root, new_root, proof), (old, new)
            if 0 < old < new:
                assert not verify_consistency(old, new, new_root, new_root, proof)
                assert not verify_consistency(old, new, old_root, old_root, proof)
                assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
                assert not verify_consistency(old, new, old_root, new_root, [*proof, old_root])
                for position in range(len(proof)):
                    changed = _flip(proof, position)
                    assert not verify_consistency(old, new, old_root, new_root, changed)
                if old + 1 < new:
                    other = TREE.root(old + 1)
                    assert not verify_consistency(old + 1, new, other, new_root, proof)


def test_degenerate_cases() -> None:
    root = TREE.root(8)
    assert verify_consistency(8, 8, root, root, [])
    assert not verify_consistency(8, 8, root, TREE.root(9), [])
    assert not verify_consistency(8, 8, root, root, [root])
    assert verify_consistency(0, 8, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 8, TREE.root(1), root, [])
    assert not verify_consistency(9, 8, root, root, [])
    assert not verify_consistency(3, 8, root[:31], root, TREE.consistency_proof(3, 8))
    assert not verify_inclusion(0, 8, LEAVES[0][:31], TREE.inclusion_proof(0, 8), root)
    with pytest.raises(ValueError, match="outside"):
        TREE.inclusion_proof(8, 8)
    with pytest.raises(ValueError, match="outside"):
        TREE.consistency_proof(9, 8)
    with pytest.raises(ValueError, match="outside"):
        TREE.root(65)
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleTree(b"\x00" * 31)
    assert MerkleTree([]).root() == EMPTY_ROOT
    assert TREE.leaf(3) == LEAVES[3]
