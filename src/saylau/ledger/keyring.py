"""A key directory (keyring): the private keys of the commissions, one file per key.

Layout: ``DIR/<commission>/<key id>.pem``, the private key as PKCS#8 PEM in a file only its
owner can read (mode 0600; a file others can read is refused), encrypted with the passphrase
in ``$SAYLAU_KEY_PASSPHRASE`` when that is set (a passphrase is never a command-line
argument: it would show in the process list and the shell's history).

The keyring knows no ledger. Which of a commission's keys is current is what the ledger says
(``key-registered``, ``key-rotated``); a file the ledger does not name, such as the key of a
rotation that never committed, is never taken for a current key. The one exception is a
commission's first key: before its first event, the one file of its folder that the ledger
does not name yet is the key the CEC registers for it.

A key is read once per process (:func:`keyring_at` keeps one :class:`Keyring` per directory
and passphrase), not once per event.
"""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Collection
from pathlib import Path

from saylau.ledger.errors import KeyFileError
from saylau.ledger.keys import KeyPair, generate_keypair, keypair_from_pem, save_keypair

PASSPHRASE_VARIABLE = "SAYLAU_KEY_PASSPHRASE"
SUFFIX = ".pem"
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


def passphrase_from_environment() -> bytes | None:
    """The passphrase of the key files (``$SAYLAU_KEY_PASSPHRASE``), or ``None``."""
    value = os.environ.get(PASSPHRASE_VARIABLE)
    return value.encode() if value else None


class Keyring:
    """The key files of one directory (see the module's description)."""

    def __init__(self, directory: Path, passphrase: bytes | None = None):
        if not directory.is_dir():
            raise KeyFileError(
                f"the key directory {directory} does not exist "
                "(create it with 'saylau keys generate --keys DIR --commission ID')"
            )
        self.directory = directory
        self._passphrase = passphrase
        self._loaded: dict[str, KeyPair] = {}
        self._lock = threading.Lock()

    def folder(self, commission: str) -> Path:
        if not _SAFE_ID.fullmatch(commission):
            raise KeyFileError(f"commission id {commission!r} cannot name a key folder")
        return self.directory / commission

    def path(self, commission: str, key_id: str) -> Path:
        return self.folder(commission) / f"{key_id}{SUFFIX}"

    def key_ids(self, commission: str) -> list[str]:
        """The ids of the commission's key files, sorted."""
        folder = self.folder(commission)
        if not folder.is_dir():
            return []
        return sorted(
            path.name.removesuffix(SUFFIX)
            for path in folder.iterdir()
            if path.name.endswith(SUFFIX) and _KEY_ID.fullmatch(path.name.removesuffix(SUFFIX))
        )

    def load(self, commission: str, key_id: str) -> KeyPair:
        """The key ``key_id`` of ``commission`` (read once, then kept)."""
        pair = self._loaded.get(key_id)
        if pair is not None:
            return pair
        with self._lock:
            pair = self._loaded.get(key_id)
            if pair is None:
                pair = self._loaded[key_id] = self._read(commission, key_id)
        return pair

    def _read(self, commission: str, key_id: str) -> KeyPair:
        path = self.path(commission, key_id)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyFileError(
                f"the key directory {self.directory} lacks key {key_id} of commission "
                f"{commission} (expected the file {path})"
            ) from None
        except OSError as error:
            raise KeyFileError(f"{path}: {error.strerror}") from None
        if stat.S_IMODE(mode) & 0o077:
            raise KeyFileError(
                f"{path}: key {key_id} of commission {commission} can be read by others "
                f"(mode {stat.S_IMODE(mode):04o}); make it private first: chmod 600 {path}"
            )
        try:
            data = path.read_bytes()
        except OSError as error:
            raise KeyFileError(f"{path}: {error.strerror}") from None
        try:
            pair = keypair_from_pem(data, self._passphrase)
        except KeyFileError as error:
            hint = (
                f"; its passphrase is read from ${PASSPHRASE_VARIABLE}"
                if b"ENCRYPTED" in data
                else ""
            )
            raise KeyFileError(
                f"{path}: key {key_id} of commission {commission}: {error}{hint}"
            ) from None
        if pair.key_id != key_id:
            raise KeyFileError(
                f"{path}: the file holds key {pair.key_id}, not key {key_id} of commission "
                f"{commission}"
            )
        return pair

    def create(self, commission: str) -> KeyPair:
        """A new random key of ``commission``, written to its file (mode 0600)."""
        folder = self.folder(commission)
        folder.mkdir(mode=0o700, exist_ok=True)
        pair = generate_keypair()
        try:
            save_keypair(pair, self.path(commission, pair.key_id), self._passphrase)
        except OSError as error:
            raise KeyFileError(
                f"cannot write key {pair.key_id} of commission {commission} to "
                f"{self.path(commission, pair.key_id)}: {error.strerror}"
            ) from None
        self._loaded[pair.key_id] = pair
        return pair

    def first_key(self, commission: str, named: Collection[str] = ()) -> KeyPair:
        """The key of ``commission`` to register before its first event: the one file of
        its folder whose id is not in ``named`` (the ids the ledger already knows)."""
        waiting = [key_id for key_id in self.key_ids(commission) if key_id not in named]
        if not waiting:
            raise KeyFileError(
                f"commission {commission} has no key yet and the key directory "
                f"{self.directory} holds none for it: create one with "
                f"'saylau keys generate --commission {commission}'"
            )
        if len(waiting) > 1:
            raise KeyFileError(
                f"commission {commission} has no key yet and the key directory "
                f"{self.directory} holds {len(waiting)} unregistered keys for it "
                f"({', '.join(waiting)}): keep one"
            )
        return self.load(commission, waiting[0])


_KEYRINGS: dict[tuple[Path, bytes | None], Keyring] = {}
_KEYRINGS_LOCK = threading.Lock()


def keyring_at(directory: Path) -> Keyring:
    """The keyring of ``directory`` with the passphrase of the environment, one per process
    (so each key file is read once)."""
    passphrase = passphrase_from_environment()
    index = (directory.resolve(), passphrase)
    found = _KEYRINGS.get(index)
    if found is None:
        with _KEYRINGS_LOCK:
            found = _KEYRINGS.get(index)
            if found is None:
                found = _KEYRINGS[index] = Keyring(directory, passphrase)
    return found
