"""The commissions' keys of a store with a key directory: create, rotate, list.

- :func:`generate_keys`: a new key file for each commission named that has no key yet, so
  that the CEC registers that key (not a demo key) before the commission's first event;
- :func:`rotate_key`: a new key file and the ``key-rotated`` event naming it, in one
  transaction, signed by the CEC's current key (for the CEC itself, by the key it retires);
- :func:`key_table`: every key the ledger registered, with when it was registered, retired
  and by which key it was replaced, and whether its file is in the key directory;
  :func:`loose_keys`: the key files the ledger does not name (a commission's first key
  waiting for its registration, or the key of a rotation that did not commit).

See :mod:`saylau.ledger.keyring` for the files and :mod:`saylau.services.ledger_rows` for
how the appender finds a commission's current key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from saylau.core.election import Election
from saylau.core.ledger.events import Event, Kind
from saylau.core.ledger.state import KeyRecord
from saylau.ledger.errors import KeyFileError
from saylau.ledger.keyring import Keyring, keyring_at
from saylau.services.ledger import LedgerAppender
from saylau.services.ledger_rows import key_events_after
from saylau.store.db import Store
from saylau.store.entries import serialize_writers
from saylau.store.errors import NotFound, StoreError


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key the ledger registered, and whether the key directory holds its file."""

    record: KeyRecord
    in_directory: bool | None  # None: the store has no key directory


@dataclass(frozen=True, slots=True)
class Rotation:
    commission: str
    old_key_id: str
    key_id: str
    event: Event


def store_keyring(store: Store) -> Keyring:
    """The key directory of ``store``; :class:`StoreError` if it has none."""
    if store.keys is None:
        raise StoreError(
            "no key directory: give --keys DIR or set $SAYLAU_KEYS (without one, the "
            "ledger is signed with demo keys, which are neither created nor rotated)"
        )
    return keyring_at(store.keys)


def key_records(store: Store) -> list[KeyRecord]:
    """Every key the store's ledger registered or rotated to, in ledger order."""
    records: dict[str, KeyRecord] = {}
    with store.session() as session:
        for event in key_events_after(session, -1):
            payload, at = event.payload, event.sequence
            key_id = str(payload["key_id"])
            if event.kind == Kind.KEY_ROTATED:
                old = records.get(str(payload["old_key_id"]))
                if old is not None:
                    records[old.key_id] = replace(
                        old, retired=at, retired_time=event.time, replaced_by=key_id
                    )
            records.setdefault(
                key_id,
                KeyRecord(
                    key_id, str(payload["commission"]), str(payload["public_key"]), at, event.time
                ),
            )
    return list(records.values())


def key_table(store: Store) -> list[StoredKey]:
    """:func:`key_records`, each with whether its file is in the key directory."""
    keyring = keyring_at(store.keys) if store.keys is not None else None
    return [
        StoredKey(
            record,
            None if keyring is None else keyring.path(record.commission, record.key_id).is_file(),
        )
        for record in key_records(store)
    ]


@dataclass(frozen=True, slots=True)
class LooseKey:
    """A key file the ledger does not name. ``waiting``: its commission has no key in the
    ledger yet, so this key is registered before its first event; otherwise the file is
    never used (a rotation that did not commit leaves one)."""

    commission: str
    key_id: str
    waiting: bool


def loose_keys(store: Store, records: Sequence[KeyRecord]) -> list[LooseKey]:
    """The key files of the store's key directory that ``records`` (the ledger's keys)
    do not name."""
    keyring = store_keyring(store)
    named = {record.key_id for record in records}
    with_key = {record.commission for record in records}
    loose: list[LooseKey] = []
    for folder in sorted(keyring.directory.iterdir()):
        if not folder.is_dir():
            continue
        try:
            ids = keyring.key_ids(folder.name)
        except KeyFileError:
            continue  # not a commission's folder
        loose.extend(
            LooseKey(folder.name, key_id, folder.name not in with_key)
            for key_id in ids
            if key_id not in named
        )
    return loose


def _check_commission(election: Election, commission: str) -> None:
    if commission not in election.commissions and commission not in election.stations:
        raise NotFound(f"election {election.id} has no commission {commission!r}")


def generate_keys(store: Store, election: Election, commissions: Sequence[str]) -> list[str]:
    """A new key file for each of ``commissions`` (in the store's key directory); returns
    the key ids. Refuses them all, creating none, if one is unknown, has a key in the
    ledger already (that is rotated instead) or has an unregistered key file waiting."""
    keyring = store_keyring(store)
    registered = {record.commission: record.key_id for record in key_records(store)}
    for commission in commissions:
        _check_commission(election, commission)
        if commission in registered:
            raise StoreError(
                f"commission {commission} has a key in the ledger already "
                f"({registered[commission]}): rotate it with "
                f"'saylau keys rotate --commission {commission} --reason TEXT'"
            )
        waiting = keyring.key_ids(commission)
        if waiting:
            raise StoreError(
                f"commission {commission} has a key waiting to be registered already: "
                f"{keyring.path(commission, waiting[0])}"
            )
    if len(set(commissions)) != len(commissions):
        raise StoreError("a commission is named twice")
    return [keyring.create(commission).key_id for commission in commissions]


def without_keys(store: Store, election: Election) -> list[str]:
    """The commissions and stations of ``election`` with neither a key in the ledger nor a
    key file waiting to be registered (the CEC and commissions first, then the stations)."""
    keyring = store_keyring(store)
    registered = {record.commission for record in key_records(store)}
    everyone = [*election.commissions, *election.stations]
    return [c for c in everyone if c not in registered and not keyring.key_ids(c)]


def rotate_key(
    store: Store, election: Election, commission: str, reason: str, *, time: str | None = None
) -> Rotation:
    """Rotate the key of ``commission``: a new key file, then ``key-rotated`` in the ledger
    (see :meth:`saylau.services.ledger.LedgerAppender.rotate`). If the transaction does not
    commit, the new file stays in the key directory but is never taken for a current key:
    the ledger does not name it."""
    store_keyring(store)
    _check_commission(election, commission)
    if not any(record.commission == commission for record in key_records(store)):
        raise NotFound(
            f"commission {commission} has no current key in the ledger, so none to rotate "
            "(its key is registered before its first event)"
        )
    with store.session() as session:
        serialize_writers(session)
        appender = LedgerAppender.open(session, election, time=time)
        event, pair = appender.rotate(commission, reason)
        appender.flush()
    old = str(event.payload["old_key_id"])
    return Rotation(commission, old, pair.key_id, event)
