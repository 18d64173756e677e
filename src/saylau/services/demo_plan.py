"""What the demo's election night will do, decided before it starts and reproducible from
the seed: :func:`plan_night`.

The night has two kinds of stations:

- **entered twice**: whole territorial commissions (then part of one, if the number asked
  for is not reached), chosen from the seed. Their protocols are typed by two typists
  through the commission service; a few carry a typist's slip (the controls flag the entry,
  the two entries differ, the coordinator keeps the right one), a warning that both typists
  acknowledge with a reason, or two vote counts transposed on the paper, accepted and then
  corrected by the coordinator with a reason and a decision reference;
- **arriving as files**: every other station's protocols, signed by the precinct commission
  and stored through the ledger appender as ``saylau generate`` stores them
  (``protocol-entered``, then ``protocol-accepted``); a few arrive first with two vote counts
  transposed and are replaced by a corrected protocol later in the night.

The stations report in the order of the generated night (closing time, size of the count,
way to the territorial commission), at an even pace over the reporting part of the night.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

import numpy as np

from saylau.core.controls import Severity, check_protocol
from saylau.core.election import Election, Level
from saylau.core.protocol import Line, Protocol
from saylau.elections.generate import ErrorOptions, generate_protocols

REPORTING_SHARE = 0.8
"""Part of the night over which the stations report; the rest is for the last entries,
corrections, approvals and the certification at the end."""
CORRECTION_DELAY = 0.12
"""A correction comes this part of the night after the protocol it corrects."""
PLAN_STREAM = 23

TYPISTS = ("typist-1", "typist-2")
COORDINATOR = "coordinator"
ADMIN = "cec-admin"


class Scenario(StrEnum):
    """What happens to one protocol typed twice."""

    CLEAN = "clean"
    SLIP = "slip"
    """One typist mistypes a vote count: the controls flag that entry, the entries differ,
    the coordinator keeps the other one."""
    WARNING = "warning"
    """The paper shows more ballots issued than found in the boxes (warning W04): both
    typists acknowledge it with the commission's explanation."""
    CORRECTION = "correction"
    """Two vote counts transposed on the paper: accepted as typed, then corrected by the
    coordinator with a reason and a decision reference."""


@dataclass(frozen=True)
class NightOptions:
    """``seconds``: length of the night (0: as fast as the machine goes); ``entered_twice``:
    stations whose protocols go through double entry; ``wave_corrections``: protocols
    arriving as files that come first wrong, then corrected; the shares are of the
    protocols typed twice."""

    seconds: float = 150.0
    entered_twice: int = 300
    seed: int = 2023
    wave_corrections: int = 12
    slip_share: float = 0.06
    warning_share: float = 0.02
    correction_share: float = 0.02

    def __post_init__(self) -> None:
        if not self.seconds >= 0:
            raise ValueError(f"the night's length must be at least 0 seconds, found {self.seconds}")
        for name in ("entered_twice", "seed", "wave_corrections"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, found {value!r}")
        for name in ("slip_share", "warning_share", "correction_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")


@dataclass(frozen=True)
class EntryScript:
    """One protocol typed twice: ``truth`` is what it finally says; ``paper`` what the
    typists read; ``entries`` what each typist types, in order (first, second)."""

    truth: Protocol
    paper: Protocol
    scenario: Scenario
    typists: tuple[str, str]
    entries: tuple[Protocol, Protocol]
    acknowledged: Mapping[str, str] = field(default_factory=dict)

    @property
    def station(self) -> str:
        return self.truth.station

    @property
    def contest(self) -> str:
        return self.truth.contest


@dataclass(frozen=True)
class NightPlan:
    """The night, decided: when each station reports (a share of the night, 0 to
    :data:`REPORTING_SHARE`), what it sends, and who types what."""

    election: Election
    seed: int
    order: tuple[str, ...]
    """Every station, in the order it reports."""
    at: Mapping[str, float]
    """Station -> when it reports, as a share of the night."""
    minutes: Mapping[str, int]
    """Station -> minutes after 20:00 in the capital (the generated night's clock)."""
    entered: frozenset[str]
    """Stations whose protocols are typed twice through the service."""
    territories: tuple[str, ...]
    """Territorial commissions all of whose stations are typed twice (they sign summaries)."""
    scripts: Mapping[str, tuple[EntryScript, ...]]
    """Station typed twice -> its protocols' scripts."""
    files: Mapping[str, tuple[Protocol, ...]]
    """Station arriving as files -> its protocols as they first arrive."""
    late: Mapping[str, tuple[Protocol, ...]]
    """Station arriving as files -> protocols that replace a wrong first version."""

    @property
    def protocols(self) -> int:
        return sum(len(s) for s in self.scripts.values()) + sum(len(p) for p in self.files.values())


def plan_night(election: Election, options: NightOptions) -> NightPlan:
    """The night of ``election`` (see the module's description)."""
    seed = options.seed
    wanted = min(options.entered_twice, len(election.stations))
    rng = np.random.default_rng([seed, PLAN_STREAM])
    entered, territories = _choose_stations(election, wanted, rng)
    wave_stations = [s for s in election.stations if s not in entered]
    wave_protocols = sum(len(election.station_contests[s]) for s in wave_stations)
    errors = ErrorOptions(late_corrections=0)
    night = generate_protocols(election, seed=seed, errors=errors)
    truth: dict[str, list[Protocol]] = {}
    for protocol in night.protocols:
        truth.setdefault(protocol.station, []).append(protocol)
    order = tuple(night.order)
    count = max(len(order), 1)
    at = {station: REPORTING_SHARE * i / count for i, station in enumerate(order)}
    scripts = _scripts(entered, truth, options, rng)
    files = {s: tuple(truth.get(s, ())) for s in wave_stations}
    late: dict[str, tuple[Protocol, ...]] = {}
    corrections = min(options.wave_corrections, wave_protocols)
    if corrections:
        files, late = _wrong_first(files, corrections, rng)
    return NightPlan(
        election=election,
        seed=seed,
        order=order,
        at=at,
        minutes=dict(night.minutes),
        entered=frozenset(entered),
        territories=territories,
        scripts=scripts,
        files=files,
        late=late,
    )


def _choose_stations(
    election: Election, wanted: int, rng: np.random.Generator
) -> tuple[list[str], tuple[str, ...]]:
    """Whole territorial commissions while they fit, in an order drawn from the seed; then
    the first stations of one more to reach ``wanted``."""
    territories = [c.id for c in election.commissions.values() if c.level is Level.TERRITORY]
    sized = [(t, election.stations_by_commission[t]) for t in territories]
    sized = [(t, stations) for t, stations in sized if stations]
    shuffled = [sized[i] for i in rng.permutation(len(sized)).tolist()]
    chosen: list[str] = []
    whole: list[str] = []
    for territory, stations in shuffled:
        if len(chosen) + len(stations) <= wanted:
            chosen.extend(stations)
            whole.append(territory)
    if len(chosen) < wanted:
        taken = set(chosen)
        rest = [s for s in election.stations if s not in taken]
        chosen.extend(rest[: wanted - len(chosen)])
    return chosen, tuple(whole)


def _pick(count: int, share: float, rng: np.random.Generator) -> int:
    """How many of ``count`` protocols get a scenario of ``share``: at least one once there
    are ten protocols."""
    if share <= 0 or count == 0:
        return 0
    return min(count, max(1 if count >= 10 else 0, round(count * share)))


def _scripts(
    entered: Sequence[str],
    truth: Mapping[str, Sequence[Protocol]],
    options: NightOptions,
    rng: np.random.Generator,
) -> dict[str, tuple[EntryScript, ...]]:
    protocols = [p for station in entered for p in truth.get(station, ())]
    shuffled = rng.permutation(len(protocols)).tolist()
    scenario: dict[int, Scenario] = {}
    for kind, share in (
        (Scenario.CORRECTION, options.correction_share),
        (Scenario.WARNING, options.warning_share),
        (Scenario.SLIP, options.slip_share),
    ):
        wanted = _pick(len(protocols), share, rng)
        for index in shuffled:
            if wanted == 0:
                break
            if index in scenario:
                continue
            if _applies(kind, protocols[index]):
                scenario[index] = kind
                wanted -= 1
    scripts: dict[str, list[EntryScript]] = {}
    for index, protocol in enumerate(protocols):
        kind = scenario.get(index, Scenario.CLEAN)
        typists = TYPISTS if index % 2 == 0 else (TYPISTS[1], TYPISTS[0])
        script = _script(protocol, kind, typists, rng)
        scripts.setdefault(protocol.station, []).append(script)
    return {station: tuple(items) for station, items in scripts.items()}


def _applies(kind: Scenario, protocol: Protocol) -> bool:
    if kind is Scenario.CORRECTION:
        return _transposed(protocol, 0) is not None
    if kind is Scenario.WARNING:
        return _with_missing_ballots(protocol) is not None
    if kind is Scenario.SLIP:
        return any(n >= 10 for n in protocol.votes.values())
    return True


def _script(
    protocol: Protocol, kind: Scenario, typists: tuple[str, str], rng: np.random.Generator
) -> EntryScript:
    if kind is Scenario.CORRECTION:
        paper = _transposed(protocol, int(rng.integers(1 << 30)))
        assert paper is not None
        return EntryScript(protocol, paper, kind, typists, (paper, paper))
    if kind is Scenario.WARNING:
        warned = _with_missing_ballots(protocol)
        assert warned is not None
        taken = warned.line(Line.ISSUED) or 0
        found = warned.line(Line.FOUND) or 0
        reason = (
            f"{taken - found} voters took their ballots away "
            "(act of the precinct commission attached)"
        )
        codes = {f.code for f in check_protocol(warned) if f.severity is Severity.WARNING}
        return EntryScript(
            warned, warned, kind, typists, (warned, warned), dict.fromkeys(sorted(codes), reason)
        )
    if kind is Scenario.SLIP:
        slipped = _slipped(protocol, rng)
        entries = (slipped, protocol) if rng.random() < 0.5 else (protocol, slipped)
        return EntryScript(protocol, protocol, kind, typists, entries)
    return EntryScript(protocol, protocol, kind, typists, (protocol, protocol))


def _transposed(protocol: Protocol, pick: int) -> Protocol | None:
    """The protocol with the votes of two neighbouring choices exchanged (the controls still
    pass), or ``None`` if no two neighbours differ."""
    ids = list(protocol.votes)
    pairs = [(a, b) for a, b in pairwise(ids) if protocol.votes[a] != protocol.votes[b]]
    if not pairs:
        return None
    a, b = pairs[pick % len(pairs)]
    votes = dict(protocol.votes)
    votes[a], votes[b] = votes[b], votes[a]
    return Protocol(protocol.station, protocol.contest, dict(protocol.lines), votes)


def _with_missing_ballots(protocol: Protocol) -> Protocol | None:
    """The protocol with more ballots issued (and as many fewer cancelled) so that more than
    1 % of the ballots issued are not in the boxes: warning W04, the votes unchanged. ``None``
    if the ballots cancelled do not allow it or the turnout would pass a warning level."""
    lines = dict(protocol.lines)
    issued, found = lines.get(Line.ISSUED), lines.get(Line.FOUND)
    cancelled, voters = lines.get(Line.CANCELLED), lines.get(Line.VOTERS)
    if issued is None or found is None or cancelled is None or not voters:
        return None
    extra = max(2, found // 40)
    if (
        cancelled < extra
        or 100 * (issued + extra + lines.get(Line.ISSUED_OUTSIDE, 0)) > 94 * voters
    ):
        return None
    lines[Line.ISSUED] = issued + extra
    lines[Line.CANCELLED] = cancelled - extra
    warned = Protocol(protocol.station, protocol.contest, lines, dict(protocol.votes))
    codes = [f.code for f in check_protocol(warned)]
    return warned if codes == ["W04"] else None


def _slipped(protocol: Protocol, rng: np.random.Generator) -> Protocol:
    """The protocol as a tired typist types it: one vote count off by ten (the controls
    find that the votes no longer add up to the valid ballots)."""
    choices = [c for c, n in protocol.votes.items() if n >= 10]
    choice = choices[int(rng.integers(len(choices)))]
    votes = dict(protocol.votes)
    votes[choice] += 10 if rng.random() < 0.5 else -10
    return Protocol(protocol.station, protocol.contest, dict(protocol.lines), votes)


def _wrong_first(
    files: dict[str, tuple[Protocol, ...]], count: int, rng: np.random.Generator
) -> tuple[dict[str, tuple[Protocol, ...]], dict[str, tuple[Protocol, ...]]]:
    """``count`` protocols arriving as files come first with two vote counts transposed."""
    pairs = [(s, i) for s, protocols in files.items() for i in range(len(protocols))]
    changed: dict[str, tuple[Protocol, ...]] = dict(files)
    late: dict[str, list[Protocol]] = {}
    done = 0
    for index in rng.permutation(len(pairs)).tolist():
        if done == count:
            break
        station, position = pairs[index]
        protocol = changed[station][position]
        wrong = _transposed(protocol, int(rng.integers(1 << 30)))
        if wrong is None:
            continue
        items = list(changed[station])
        items[position] = wrong
        changed[station] = tuple(items)
        late.setdefault(station, []).append(protocol)
        done += 1
    return changed, {station: tuple(items) for station, items in late.items()}
