"""The payload of each kind of event: builders for writers, checks for readers.

=====================  =======================================================================
kind                   payload
=====================  =======================================================================
election-defined       ``election`` id, ``definition`` (the definition document, plain data)
key-registered         ``commission``, ``key_id``, ``public_key`` (hex), ``algorithm``
key-rotated            ``commission``, ``old_key_id``, ``key_id``, ``public_key``, ``algorithm``,
                       ``reason``
protocol-entered       ``station``, ``contest``, ``lines`` {line: n}, ``votes`` {choice: n}
protocol-accepted      ``station``, ``contest``, ``version``, ``protocol`` (hash of the event
                       that set this version), ``acknowledged`` (warning codes)
protocol-corrected     ``station``, ``contest``, ``version`` (the new one), ``before`` and
                       ``after`` ({lines, votes}), ``reason``, ``decision`` (its reference)
protocol-approved      ``station``, ``contest``, ``version``, ``protocol`` (hash): the
                       approving commission's countersignature of that protocol version
lot-drawn              ``contest``, ``context``, ``seed``, ``contenders``, ``places``,
                       ``winners`` (must follow from the seed, see :mod:`saylau.core.ties`)
results-certified      ``contest``, ``results`` (plain data: votes, seats)
bundle-published       ``version``, ``tree_size``, ``root_hash`` of a published bundle
action-recorded        ``user``, ``action``, ``subject``, ``details`` (an object): what a person
                       did in the service (signed in, was given a role, typed an entry...),
                       recorded by the commission the action belongs to; no effect on results
=====================  =======================================================================

Line names are those of :class:`saylau.core.protocol.Line`; every number is a whole number
of at least 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import cast

from saylau.core.errors import CoreError
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import HASH_PATTERN, KEY_ID_PATTERN, Kind
from saylau.core.protocol import Line
from saylau.core.ties import lot_ticket

ALGORITHM = "ed25519"
LINE_NAMES = frozenset(line.value for line in Line)
_INT_ONLY = frozenset({int})


class PayloadError(CoreError):
    """A payload does not have the shape of its kind: ``path`` and what was expected."""

    def __init__(self, path: str, expected: str, found: object = None):
        self.path = path
        self.expected = expected
        text = f"{path}: expected {expected}"
        if found is not None:
            text += f", found {str(found)[:60]!r}"
        super().__init__(text)


def key_id_of(public_key_hex: str) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def content(lines: Mapping[str, int], votes: Mapping[str, int]) -> dict[str, Data]:
    """A protocol's numbers as plain data: ``{"lines": {...}, "votes": {...}}``."""
    return {"lines": {str(k): v for k, v in lines.items()}, "votes": dict(votes)}


def election_defined(election: str, definition: Mapping[str, Data]) -> dict[str, Data]:
    return {"election": election, "definition": dict(definition)}


def key_registered(commission: str, public_key_hex: str) -> dict[str, Data]:
    return {
        "commission": commission,
        "key_id": key_id_of(public_key_hex),
        "public_key": public_key_hex,
        "algorithm": ALGORITHM,
    }


def key_rotated(
    commission: str, old_key_id: str, public_key_hex: str, reason: str
) -> dict[str, Data]:
    return {
        **key_registered(commission, public_key_hex),
        "old_key_id": old_key_id,
        "reason": reason,
    }


def protocol_entered(
    station: str, contest: str, lines: Mapping[str, int], votes: Mapping[str, int]
) -> dict[str, Data]:
    return {"station": station, "contest": contest, **content(lines, votes)}


def protocol_accepted(
    station: str, contest: str, version: int, protocol: str, acknowledged: Sequence[str] = ()
) -> dict[str, Data]:
    return {
        "station": station,
        "contest": contest,
        "version": version,
        "protocol": protocol,
        "acknowledged": list(acknowledged),
    }


def protocol_corrected(
    station: str,
    contest: str,
    version: int,
    *,
    before: Mapping[str, Data],
    after: Mapping[str, Data],
    reason: str,
    decision: str,
) -> dict[str, Data]:
    return {
        "station": station,
        "contest": contest,
        "version": version,
        "before": dict(before),
        "after": dict(after),
        "reason": reason,
        "decision": decision,
    }


def protocol_approved(station: str, contest: str, version: int, protocol: str) -> dict[str, Data]:
    return {"station": station, "contest": contest, "version": version, "protocol": protocol}


def lot_winners(seed: str, context: str, contenders: Sequence[str], places: int) -> list[str]:
    """The winners of a drawing of lots, in contender order: the ``places`` lowest tickets
    (:func:`saylau.core.ties.lot_ticket`)."""
    tickets = sorted((lot_ticket(seed, context, name), name) for name in contenders)
    chosen = {name for _, name in tickets[:places]}
    return [name for name in contenders if name in chosen]


def lot_drawn(
    contest: str, context: str, seed: str, contenders: Sequence[str], places: int
) -> dict[str, Data]:
    return {
        "contest": contest,
        "context": context,
        "seed": seed,
        "contenders": list(contenders),
        "places": places,
        "winners": list(lot_winners(seed, context, contenders, places)),
    }


def results_certified(contest: str, results: Mapping[str, Data]) -> dict[str, Data]:
    return {"contest": contest, "results": dict(results)}


def bundle_published(version: int, tree_size: int, root_hash: str) -> dict[str, Data]:
    return {"version": version, "tree_size": tree_size, "root_hash": root_hash}


def action_recorded(
    user: str, action: str, subject: str, details: Mapping[str, Data]
) -> dict[str, Data]:
    return {"user": user, "action": action, "subject": subject, "details": dict(details)}


# -- checks -------------------------------------------------------------------------------


def _text(payload: Mapping[str, Data], key: str, path: str = "payload") -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{path}.{key}", "a non-empty string", value)
    return value


def _count(payload: Mapping[str, Data], key: str, minimum: int = 0) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PayloadError(f"payload.{key}", f"a whole number of at least {minimum}", value)
    return value


def _pattern_text(payload: Mapping[str, Data], key: str, pattern: str) -> str:
    value = _text(payload, key)
    matcher = HASH_PATTERN if pattern == "hash" else KEY_ID_PATTERN
    if not matcher.fullmatch(value):
        raise PayloadError(f"payload.{key}", f"a {pattern} in lower-case hex", value)
    return value


def _numbers(value: Data, path: str, names: frozenset[str] | None) -> dict[str, int]:
    if not isinstance(value, dict):
        raise PayloadError(path, "an object of whole numbers", value)
    if names is not None and not value.keys() <= names:
        name = next(n for n in value if n not in names)
        raise PayloadError(f"{path}.{name}", "a line of the protocol form")
    numbers = value.values()
    if set(map(type, numbers)) <= _INT_ONLY and min(cast(list[int], numbers), default=0) >= 0:
        return cast(dict[str, int], value)
    for name, number in value.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise PayloadError(f"{path}.{name}", "a whole number of at least 0", number)
    return cast(dict[str, int], value)


def check_content(value: Data, path: str) -> None:
    """``value`` must be ``{"lines": {line: n}, "votes": {choice: n}}``."""
    if not isinstance(value, dict) or set(value) != {"lines", "votes"}:
        raise PayloadError(path, "an object with lines and votes", value)
    _numbers(value["lines"], f"{path}.lines", LINE_NAMES)
    _numbers(value["votes"], f"{path}.votes", None)


def _public_key(payload: Mapping[str, Data]) -> None:
    public = _text(payload, "public_key")
    if len(public) != 64 or not HASH_PATTERN.fullmatch(public):
        raise PayloadError("payload.public_key", "32 bytes in lower-case hex", public)
    if payload.get("algorithm") != ALGORITHM:
        raise PayloadError("payload.algorithm", f"'{ALGORITHM}'", payload.get("algorithm"))
    if _pattern_text(payload, "key_id", "key id") != key_id_of(public):
        raise PayloadError("payload.key_id", "the id of the public key (SHA-256, 16 hex)")


def _whole(numbers: object) -> bool:
    """Whether ``numbers`` is a dict of whole numbers of at least 0 (no bools)."""
    if type(numbers) is not dict:
        return False
    values = numbers.values()
    return set(map(type, values)) <= _INT_ONLY and min(values, default=0) >= 0


def _usual(kind: str, payload: Mapping[str, Data]) -> bool:
    """Whether ``payload`` is a protocol entry, acceptance or approval with exactly the usual
    types: ``True`` only where :func:`check_payload_fully` finds nothing, which decides
    everything else. The fast path of replaying a large ledger."""
    station, contest = payload.get("station"), payload.get("contest")
    if type(station) is not str or type(contest) is not str or not station or not contest:
        return False
    if kind == _ENTERED:
        lines = payload.get("lines")
        return (
            _whole(lines)
            and cast(dict[str, int], lines).keys() <= LINE_NAMES
            and _whole(payload.get("votes"))
        )
    version, protocol = payload.get("version"), payload.get("protocol")
    if type(version) is not int or version < 1 or type(protocol) is not str:
        return False
    if HASH_PATTERN.fullmatch(protocol) is None:
        return False
    if kind == _APPROVED:
        return True
    codes = payload.get("acknowledged")
    return type(codes) is list and all(type(code) is str for code in codes)


_ENTERED, _ACCEPTED, _APPROVED = (
    str(kind) for kind in (Kind.PROTOCOL_ENTERED, Kind.PROTOCOL_ACCEPTED, Kind.PROTOCOL_APPROVED)
)
_USUAL = frozenset((_ENTERED, _ACCEPTED, _APPROVED))


def check_payload(kind: str, payload: Mapping[str, Data]) -> None:
    """Raise :class:`PayloadError` unless ``payload`` has the shape of ``kind``."""
    if kind in _USUAL and _usual(kind, payload):
        return
    check_payload_fully(kind, payload)


def check_payload_fully(kind: str, payload: Mapping[str, Data]) -> None:
    """:func:`check_payload` without its fast path (the two agree, a property test)."""
    if kind == Kind.PROTOCOL_ENTERED:
        _text(payload, "station")
        _text(payload, "contest")
        check_content({"lines": payload.get("lines"), "votes": payload.get("votes")}, "payload")
    elif kind in (Kind.PROTOCOL_ACCEPTED, Kind.PROTOCOL_APPROVED, Kind.PROTOCOL_CORRECTED):
        _text(payload, "station")
        _text(payload, "contest")
        _count(payload, "version", 1)
        if kind == Kind.PROTOCOL_CORRECTED:
            check_content(payload.get("before"), "payload.before")
            check_content(payload.get("after"), "payload.after")
            _text(payload, "reason")
            _text(payload, "decision")
        else:
            _pattern_text(payload, "protocol", "hash")
        if kind == Kind.PROTOCOL_ACCEPTED:
            codes = payload.get("acknowledged")
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise PayloadError("payload.acknowledged", "a list of finding codes", codes)
    elif kind in (Kind.KEY_REGISTERED, Kind.KEY_ROTATED):
        _text(payload, "commission")
        _public_key(payload)
        if kind == Kind.KEY_ROTATED:
            _pattern_text(payload, "old_key_id", "key id")
            _text(payload, "reason")
    elif kind == Kind.ELECTION_DEFINED:
        _text(payload, "election")
        if not isinstance(payload.get("definition"), dict):
            raise PayloadError("payload.definition", "the definition document (an object)")
    elif kind == Kind.LOT_DRAWN:
        for key in ("contest", "context", "seed"):
            _text(payload, key)
        for key in ("contenders", "winners"):
            names = payload.get(key)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise PayloadError(f"payload.{key}", "a list of names", names)
        _count(payload, "places", 1)
    elif kind == Kind.RESULTS_CERTIFIED:
        _text(payload, "contest")
        if not isinstance(payload.get("results"), dict):
            raise PayloadError("payload.results", "an object")
    elif kind == Kind.BUNDLE_PUBLISHED:
        _count(payload, "version", 1)
        _count(payload, "tree_size", 0)
        _pattern_text(payload, "root_hash", "hash")
    elif kind == Kind.ACTION_RECORDED:
        for key in ("user", "action", "subject"):
            _text(payload, key)
        if not isinstance(payload.get("details"), dict):
            raise PayloadError("payload.details", "an object", payload.get("details"))
