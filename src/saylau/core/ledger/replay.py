"""Replaying a ledger: check each event against the history before it, rebuild the state.

:class:`Ledger` applies one event at a time (a writer uses it to check an event before
storing it); :func:`replay` applies a whole ledger. Both give the same :class:`LedgerState`
and the same findings, deterministically. An event with findings is still applied as far as
its payload allows, so one fault is reported once instead of again at every later event.

Signatures: the core checks that each signing key was registered for a commission and
valid at that point of the ledger, and that the acting commission signed. Whether the
signature bytes verify needs cryptography, which the core does not import: pass a
``verifier`` (``saylau.ledger.signing.verify_event_signature``) or check them elsewhere
(``saylau.ledger.verify`` does, on both cores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import cast

from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import (
    KINDS,
    Event,
    Kind,
    LedgerFinding,
    chain_findings,
    hash_findings,
)
from saylau.core.ledger.payloads import PayloadError, check_payload, lot_winners
from saylau.core.ledger.state import (
    ACCEPTED,
    APPROVED,
    ENTERED,
    Approval,
    Certification,
    Correction,
    ElectionRecord,
    KeyRecord,
    LedgerState,
    Lot,
    ProtocolRecord,
    Publication,
)

Verifier = Callable[[str, str, str], bool]
"""``verifier(public_key_hex, event_hash_hex, signature_hex)``: does the signature verify?"""


@dataclass(frozen=True)
class Replay:
    state: LedgerState
    findings: tuple[LedgerFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


class Ledger:
    """A ledger being replayed (or written): :meth:`apply` each event in order."""

    def __init__(self) -> None:
        self._last: Event | None = None
        self._size = 0
        self._root: str | None = None
        self._election: ElectionRecord | None = None
        self._keys: dict[str, KeyRecord] = {}
        self._protocols: dict[tuple[str, str], ProtocolRecord] = {}
        self._approvals: list[Approval] = []
        self._lots: list[Lot] = []
        self._certifications: list[Certification] = []
        self._publications: list[Publication] = []
        self._found: list[LedgerFinding] = []
        self._at = 0
        self._gap = False

    @property
    def size(self) -> int:
        return self._size

    @property
    def head(self) -> Event | None:
        return self._last

    def state(self) -> LedgerState:
        """A snapshot of the state after the events applied so far."""
        return LedgerState(
            size=self._size,
            head=None if self._last is None else self._last.hash,
            root_commission=self._root,
            election=self._election,
            keys=dict(self._keys),
            protocols=dict(self._protocols),
            approvals=tuple(self._approvals),
            lots=tuple(self._lots),
            certifications=tuple(self._certifications),
            publications=tuple(self._publications),
        )

    def apply(
        self, event: Event, *, check_hash: bool = True, verifier: Verifier | None = None
    ) -> list[LedgerFinding]:
        """Check ``event`` as the next one and apply it; returns its findings.

        ``check_hash=False`` skips recomputing the event hash, for a caller that checked it
        on the bytes already (``saylau.ledger.verify``)."""
        at = self._at = self._size
        self._found = found = []
        if check_hash:
            found.extend(hash_findings(at, event))
        last = self._last
        if not self._gap and not (  # the usual case, decided without building findings
            last is not None
            and event.sequence == last.sequence + 1
            and event.previous == last.hash
            and event.time >= last.time
        ):
            found.extend(chain_findings(at, event, last))
        self._gap = False
        if event.kind not in KINDS:
            self._fail("kind", f"unknown kind {event.kind!r}")
        else:
            self._signatures(event, verifier)
            try:
                check_payload(event.kind, event.payload)
            except PayloadError as error:
                self._fail("payload", f"{event.kind}: {error}")
            else:
                self._effect(event)
        self._last = event
        self._size += 1
        return found

    def skip(self) -> None:
        """Count an event that could not be read (its finding is the reader's); the next
        event's link to it is not checked."""
        self._size += 1
        self._gap = True

    def _fail(self, code: str, message: str) -> None:
        self._found.append(LedgerFinding(code, self._at, f"event {self._at}: {message}"))

    # -- signatures --------------------------------------------------------------------

    def _signatures(self, event: Event, verifier: Verifier | None) -> None:
        at = self._at
        if verifier is None and len(event.signatures) == 1:  # the usual case, decided fast
            key = self._keys.get(event.signatures[0].key_id)
            if (
                key is not None
                and key.commission == event.actor
                and key.registered < at
                and (key.retired is None or at <= key.retired)
            ):
                return
        by_actor = False
        for signature in event.signatures:
            key = self._keys.get(signature.key_id)
            if key is None and at == 0 and event.kind == Kind.KEY_REGISTERED:
                key = _genesis_key(event)
            if key is None or not (key.valid_at(at) or (at == 0 and key.registered == 0)):
                owner = event.actor if key is None else key.commission
                self._fail(
                    "key-not-valid",
                    f"key {signature.key_id} was not registered for commission {owner} "
                    "at that time",
                )
                continue
            if verifier is not None and not verifier(
                key.public_key, event.hash, signature.signature
            ):
                self._fail(
                    "signature",
                    f"signature by key {key.key_id} of commission {key.commission} does not verify",
                )
                continue
            by_actor = by_actor or key.commission == event.actor
        if not by_actor:
            self._fail("unsigned", f"not signed by commission {event.actor}")

    # -- effects -----------------------------------------------------------------------

    def _effect(self, event: Event) -> None:
        kind, payload = event.kind, event.payload
        if kind.startswith("protocol-"):
            self._protocol_event(event)
        elif kind in (Kind.KEY_REGISTERED, Kind.KEY_ROTATED):
            self._key_event(event)
        elif kind == Kind.ELECTION_DEFINED:
            self._root_only(event)
            if self._election is not None:
                self._fail("election-defined", "the election was defined before")
            else:
                definition = payload["definition"]
                assert isinstance(definition, dict)
                self._election = ElectionRecord(self._at, str(payload["election"]), definition)
        elif kind == Kind.LOT_DRAWN:
            self._lot(event)
        elif kind == Kind.RESULTS_CERTIFIED:
            results = payload["results"]
            assert isinstance(results, dict)
            self._certifications.append(
                Certification(self._at, event.time, event.actor, str(payload["contest"]), results)
            )
        elif kind == Kind.BUNDLE_PUBLISHED:
            self._root_only(event)
            size = payload["tree_size"]
            assert isinstance(size, int)
            if size > self._at:
                self._fail("publication", f"records a tree of {size} events, before event {size}")
            self._publications.append(
                Publication(
                    self._at,
                    event.time,
                    _int(payload["version"]),
                    size,
                    str(payload["root_hash"]),
                )
            )

    def _root_only(self, event: Event) -> None:
        if self._root is not None and event.actor != self._root:
            self._fail(
                "actor",
                f"{event.kind} is made by the root commission {self._root}, not {event.actor}",
            )

    def _key_event(self, event: Event) -> None:
        payload, at = event.payload, self._at
        commission, key_id = str(payload["commission"]), str(payload["key_id"])
        if at == 0:
            if event.kind != Kind.KEY_REGISTERED or commission != event.actor:
                self._fail("genesis", "the first event must register the actor's own key")
            self._root = event.actor
        else:
            if self._root is None:
                self._fail("genesis", "the ledger does not start with the root key")
            self._root_only(event)
        if key_id in self._keys:
            self._fail("key-duplicate", f"key {key_id} was registered before")
            return
        if event.kind == Kind.KEY_ROTATED:
            old_id = str(payload["old_key_id"])
            old = self._keys.get(old_id)
            if old is None or old.commission != commission or not old.valid_at(at):
                self._fail(
                    "key-rotation",
                    f"key {old_id} is not a current key of commission {commission}",
                )
            else:
                self._keys[old_id] = replace(
                    old, retired=at, retired_time=event.time, replaced_by=key_id
                )
        self._keys[key_id] = KeyRecord(
            key_id, commission, str(payload["public_key"]), at, event.time
        )

    def _protocol_event(self, event: Event) -> None:
        payload, at, kind = event.payload, self._at, event.kind
        station, contest = str(payload["station"]), str(payload["contest"])
        key = (station, contest)
        current = self._protocols.get(key)
        if kind == Kind.PROTOCOL_ENTERED:
            if event.actor != station:
                self._fail(
                    "actor",
                    f"{_name(key)} is entered by its precinct commission {station}, "
                    f"not {event.actor}",
                )
            if current is not None:
                self._fail(
                    "protocol-exists",
                    f"{_name(key)} was entered at event {current.sequence}: "
                    "a change is a correction",
                )
                return
            lines: dict[str, int] = payload["lines"]  # type: ignore[assignment]
            votes: dict[str, int] = payload["votes"]  # type: ignore[assignment]
            self._protocols[key] = ProtocolRecord(
                station, contest, 1, lines, votes, ENTERED, event.actor, event.hash, at
            )
            return
        if current is None:
            self._fail("protocol-unknown", f"{_name(key)} was never entered")
            return
        version = _int(payload["version"])
        if kind == Kind.PROTOCOL_CORRECTED:
            self._correct(event, current, version, _name(key))
            return
        if version != current.version:
            self._fail(
                "protocol-version",
                f"{kind} refers to version {version} of {_name(key)}, "
                f"whose current version is {current.version} (event {current.sequence})",
            )
            return
        if payload["protocol"] != current.event:
            self._fail(
                "protocol-version",
                f"{kind} names a protocol hash that is not the one of version "
                f"{version} of {_name(key)} (event {current.sequence})",
            )
            return
        if kind == Kind.PROTOCOL_ACCEPTED:
            self._protocols[key] = _changed(current, status=ACCEPTED, accepted_by=event.actor)
            return
        if current.status not in (ACCEPTED, APPROVED):
            self._fail("protocol-not-accepted", f"{_name(key)} version {version} is not accepted")
            return
        if event.actor == station:
            self._fail("actor", f"commission {station} cannot approve its own protocol")
            return
        approval = Approval(at, event.time, event.actor, station, contest, version, current.event)
        self._approvals.append(approval)
        self._protocols[key] = _changed(
            current, status=APPROVED, approvals=(*current.approvals, approval)
        )

    def _correct(self, event: Event, current: ProtocolRecord, version: int, name: str) -> None:
        payload = event.payload
        before, after = payload["before"], payload["after"]
        assert isinstance(before, dict)
        assert isinstance(after, dict)
        if version != current.version + 1:
            self._fail(
                "protocol-version",
                f"correction to version {version} of {name}, "
                f"whose current version is {current.version}",
            )
            return
        if before != {"lines": current.lines, "votes": current.votes}:
            self._fail(
                "correction-before",
                f"the correction's before values differ from version {current.version} of {name}",
            )
            return
        correction = Correction(
            self._at,
            event.time,
            event.actor,
            version,
            str(payload["reason"]),
            str(payload["decision"]),
            before,
            after,
        )
        self._protocols[(current.station, current.contest)] = _changed(
            current,
            version=version,
            lines=_counts(after["lines"]),
            votes=_counts(after["votes"]),
            status=ENTERED,
            event=event.hash,
            sequence=self._at,
            accepted_by=None,
            corrections=(*current.corrections, correction),
            approvals=(),
        )

    def _lot(self, event: Event) -> None:
        payload = event.payload
        contenders = tuple(str(n) for n in payload["contenders"])  # type: ignore[union-attr]
        winners = tuple(str(n) for n in payload["winners"])  # type: ignore[union-attr]
        places = _int(payload["places"])
        seed, context = str(payload["seed"]), str(payload["context"])
        if len(set(contenders)) != len(contenders) or not 0 < places < len(contenders):
            self._fail("lot", "a lot needs distinct contenders, more of them than places")
            return
        expected = tuple(lot_winners(seed, context, contenders, places))
        if winners != expected:
            self._fail(
                "lot-outcome",
                f"lot in {payload['contest']}: winners {', '.join(winners)} do not follow "
                f"from the seed (it gives {', '.join(expected)})",
            )
            return
        contest = str(payload["contest"])
        lot = Lot(
            self._at, event.time, event.actor, contest, context, seed, contenders, places, winners
        )
        self._lots.append(lot)


class _Keep:
    """Keep the field (``None`` is a value of ``accepted_by``)."""


_KEEP = _Keep()


def _name(key: tuple[str, str]) -> str:
    return f"protocol {key[0]}/{key[1]}"


def _changed(
    record: ProtocolRecord,
    *,
    version: int | None = None,
    lines: Mapping[str, int] | None = None,
    votes: Mapping[str, int] | None = None,
    status: str | None = None,
    event: str | None = None,
    sequence: int | None = None,
    accepted_by: str | _Keep | None = _KEEP,
    corrections: tuple[Correction, ...] | None = None,
    approvals: tuple[Approval, ...] | None = None,
) -> ProtocolRecord:
    """``dataclasses.replace`` of a protocol record, without its cost (the fields not given
    are kept)."""
    return ProtocolRecord(
        record.station,
        record.contest,
        record.version if version is None else version,
        record.lines if lines is None else lines,
        record.votes if votes is None else votes,
        record.status if status is None else status,
        record.entered_by,
        record.event if event is None else event,
        record.sequence if sequence is None else sequence,
        record.accepted_by if isinstance(accepted_by, _Keep) else accepted_by,
        record.corrections if corrections is None else corrections,
        record.approvals if approvals is None else approvals,
    )


def _genesis_key(event: Event) -> KeyRecord | None:
    payload = event.payload
    public, key_id = payload.get("public_key"), payload.get("key_id")
    if not isinstance(public, str) or not isinstance(key_id, str):
        return None
    return KeyRecord(key_id, event.actor, public, 0, event.time)


def _counts(value: Data) -> dict[str, int]:
    """Numbers that :func:`check_payload` has checked."""
    return cast(dict[str, int], value)


def _int(value: Data) -> int:
    assert isinstance(value, int)
    return value


def replay(
    events: Iterable[Event], *, check_hashes: bool = True, verifier: Verifier | None = None
) -> Replay:
    """Check and apply every event in order: the state and every finding."""
    ledger = Ledger()
    found: list[LedgerFinding] = []
    for event in events:
        found.extend(ledger.apply(event, check_hash=check_hashes, verifier=verifier))
    return Replay(ledger.state(), tuple(found))
