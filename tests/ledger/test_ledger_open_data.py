"""The open data of a bundle (results, protocols, votes) is rebuilt from the ledger by
``verify``; a changed number fails it even in a bundle signed again with the CEC's key.
Certification, the projection check at publishing, a protocol's public history."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_helpers import DEFINITION, TIME, row, store_night
from sqlalchemy import update
from typer.testing import CliRunner

from saylau.cli.exit_codes import VERIFICATION_FAILED
from saylau.cli.main import app
from saylau.core.election import Election, parse_election
from saylau.core.ledger.canonical import canonical
from saylau.ledger import BundleFile, publish
from saylau.ledger.bundle import MANIFEST, file_of, load_document
from saylau.services.certify import certify
from saylau.services.history import bundle_history, store_history
from saylau.services.ledger import demo_key
from saylau.services.open_data import ledger_results, open_data_files
from saylau.services.projection import projection_differences
from saylau.services.publishing import load_writer, publish_ledger
from saylau.services.verify import verify_published
from saylau.store import ConflictError, Store
from saylau.store.models import ProtocolRecord
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store

ROLES = [
    "definition",
    "ruleset",
    "results",
    "protocols-csv",
    "protocols-parquet",
    "votes-csv",
    "votes-parquet",
]


def published_file(bundle: Path, role: str) -> Path:
    entry = file_of(load_document(bundle / MANIFEST), role)
    assert entry is not None, role
    return bundle / str(entry["name"])


def test_the_bundle_carries_the_open_data_of_its_ledger(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300), row("002", 1, 1, "rejected")])
    publish_ledger(store, tmp_path / "v1", time=TIME)
    bundle = tmp_path / "v1"
    text = published_file(bundle, "protocols-csv").read_text(encoding="utf-8")
    assert text.splitlines() == [
        "contest,station,commission,version,status,voters,ballots_received,ballots_issued,"
        "ballots_issued_outside,ballots_cancelled,ballots_found,ballots_invalid,ballots_valid,"
        "against_all",
        "list,001,north,1,accepted,1000,,,,,,0,900,0",
        "list,002,north,1,entered,1000,,,,,,0,2,0",
    ]
    votes = list(csv.reader(io.StringIO(published_file(bundle, "votes-csv").read_text())))
    assert votes[1:] == [
        ["list", "001", "amanat", "600"],
        ["list", "001", "aq-jol", "300"],
        ["list", "002", "amanat", "1"],
        ["list", "002", "aq-jol", "1"],
    ]
    table = pq.read_table(published_file(bundle, "protocols-parquet"))
    assert table.column("ballots_valid").to_pylist() == [900, 2]
    assert table.column("ballots_found").to_pylist() == [None, None]
    assert pq.read_table(published_file(bundle, "votes-parquet")).num_rows == 4
    results = load_document(published_file(bundle, "results"))
    [contest] = results["contests"]  # type: ignore[misc]
    assert contest["status"] == "unofficial partial"  # station 002 is not counted
    assert contest["protocols_not_counted"] == 1
    top = contest["commissions"][0]
    assert (top["id"], top["votes"], top["stations_counted"]) == (
        "cec",
        {"amanat": 600, "aq-jol": 300},
        1,
    )
    assert contest["allocation"]["seats"] == {"amanat": 7, "aq-jol": 3}
    assert verify_published(bundle).ok


def forged(
    store: Store, election: Election, out: Path, change: dict[str, Callable[[bytes], bytes]]
) -> Path:
    """The store's ledger published with some open-data files replaced, signed with the
    CEC's key: only recomputing the numbers can tell."""
    with store.session() as session:
        writer = load_writer(session)
    state = writer.state()
    files = open_data_files(election, state, ledger_results(election, state))
    files = [
        BundleFile(f.stem, f.suffix, change[f.role](f.data) if f.role in change else f.data, f.role)
        for f in files
    ]
    key = demo_key(election.id, "cec")
    publish(writer.events, out, signer=key, timestamp=TIME, data_files=files)
    return out


def test_a_changed_result_number_fails_even_when_signed_again(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300), row("002", 400, 350)])

    def more_for_amanat(data: bytes) -> bytes:
        document = json.loads(data)
        document["contests"][0]["commissions"][1]["votes"]["amanat"] += 1
        return canonical(document)

    bundle = forged(store, election, tmp_path / "forged", {"results": more_for_amanat})
    verification = verify_published(bundle)
    assert verification.report.ok  # every hash and signature is fine
    messages = [f.message for f in verification.data_findings]
    assert [f.code for f in verification.data_findings] == ["results-mismatch"], messages
    assert messages[0].endswith(
        "$.contests[list].commissions[north].votes.amanat: published 1001, recomputed 1000"
    )
    result = CliRunner().invoke(app, ["verify", str(bundle)])
    assert result.exit_code == VERIFICATION_FAILED
    assert "results-mismatch" in result.stdout


def test_the_manifest_lists_every_open_data_file(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300)])
    bundle = publish_ledger(store, tmp_path / "v1", time=TIME).directory
    for role in ROLES:
        assert published_file(bundle, role).is_file()
    assert published_file(bundle, "ruleset").name.startswith("ruleset-kz-2023-")
    assert load_document(published_file(bundle, "definition")) == DEFINITION


def test_other_rules_or_another_definition_fail(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300)])

    def renamed(data: bytes) -> bytes:
        document = json.loads(data)
        document["title"] = "Another election"
        return canonical(document)

    bundle = forged(
        store,
        election,
        tmp_path / "forged",
        {
            "ruleset": lambda data: data + b"\n# changed\n",
            "definition": renamed,
        },
    )
    findings = verify_published(bundle).data_findings
    assert [f.code for f in findings] == ["definition-mismatch", "ruleset-mismatch"]
    assert findings[0].message.endswith(
        "$.title: published Another election, recomputed Small election"
    )
    assert "not the ruleset kz-2023 this verifier ships" in findings[1].message


def test_a_changed_protocol_row_fails_and_names_the_row(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300), row("002", 400, 350)])
    bundle = forged(
        store,
        election,
        tmp_path / "forged",
        {"votes-csv": lambda data: data.replace(b"002,amanat,400", b"002,amanat,401")},
    )
    [finding] = verify_published(bundle).data_findings
    assert finding.code == "data-mismatch"
    assert finding.message.endswith(
        "row 4: published ['list', '002', 'amanat', '401'], "
        "recomputed ['list', '002', 'amanat', '400']"
    )


def test_certification_must_equal_the_recomputed_result(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300)])
    with pytest.raises(ConflictError, match=r"still being counted: list \(1 stations"):
        certify(store, election, ["list"], time=TIME)
    store_night(store, election, [row("002", 400, 350)])
    [done] = certify(store, election, ["list"], time=TIME)
    assert done.new
    assert done.results["votes"] == {"amanat": 1000, "aq-jol": 650}
    [again] = certify(store, election, ["list"], time=TIME)
    assert not again.new
    bundle = publish_ledger(store, tmp_path / "v1", time=TIME).directory
    verification = verify_published(bundle)
    assert verification.ok, verification.findings
    results = load_document(published_file(bundle, "results"))
    assert results["contests"][0]["status"] == "certified"  # type: ignore[index,call-overload]
    # a correction after certification: the certified numbers no longer hold
    store_night(store, election, [row("002", 399, 351)])
    later = publish_ledger(store, tmp_path / "v2", bundle, time=TIME).directory
    findings = verify_published(later, bundle).data_findings
    assert [f.message for f in findings] == [
        f"event {findings[0].sequence}: certified list.votes.amanat: published 1000, "
        "recomputed 999",
        f"event {findings[0].sequence}: certified list.votes.aq-jol: published 650, recomputed 651",
    ]
    assert {f.code for f in findings} == {"certified-mismatch"}


def test_publishing_refuses_a_store_that_differs_from_its_ledger(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300)])
    with store.session() as session:
        session.execute(update(ProtocolRecord).values(votes=[601, 300]))
    with pytest.raises(ConflictError, match=r"protocol 001/list: stored votes \(601, 300\)"):
        publish_ledger(store, tmp_path / "v1", time=TIME)
    assert not (tmp_path / "v1").exists()


def test_the_history_of_a_protocol(store: Store, election: Election, tmp_path: Path) -> None:
    store_night(store, election, [row("001", 600, 300)])
    store_night(store, election, [row("001", 599, 301)])
    bundle = publish_ledger(store, tmp_path / "v1", time=TIME).directory
    entries, proof = bundle_history(bundle, "001", "list")
    assert [(e.kind, e.commission, e.version) for e in entries] == [
        ("protocol-entered", "001", 1),
        ("protocol-accepted", "north", 1),
        ("protocol-corrected", "north", 2),
        ("protocol-accepted", "north", 2),
    ]
    assert entries[2].changes == ("votes.amanat: 600 -> 599", "votes.aq-jol: 300 -> 301")
    assert entries[2].reason == "late correction (generated)"
    assert proof.verifies()
    assert proof.index == entries[2].sequence
    assert store_history(store, "001", "list") == entries
    result = CliRunner().invoke(
        app,
        ["history", str(bundle), "--station", "001", "--contest", "list"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "votes.amanat: 600 -> 599" in result.stdout
    assert "the proof verifies" in result.stdout


# -- the projection is the ledger: a property over random sequences of stored protocols ----

OPERATION = st.tuples(
    st.sampled_from(["001", "002"]),
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from(["accepted", "rejected"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(OPERATION, min_size=1, max_size=3), min_size=1, max_size=4))
def test_the_stored_protocols_are_the_ledger_rebuilt(
    batches: list[list[tuple[str, int, int, str]]],
) -> None:
    election = parse_election(DEFINITION, "test")
    with temporary_store() as fresh:
        with fresh.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        for batch in batches:
            store_night(fresh, election, [row(s, a, b, status) for s, a, b, status in batch])
        with fresh.session() as session:
            writer = load_writer(session)
            replayed = writer.state()
            assert projection_differences(session, election, replayed) == []
        last = {(s, "list"): (a, b) for batch in batches for s, a, b, _ in batch}
        for key, (amanat, aq_jol) in last.items():
            assert replayed.protocols[key].votes == {"amanat": amanat, "aq-jol": aq_jol}
