"""View models: what each page shows, read from :class:`PortalData`, no HTML.

Numbers stay exact integers here; the templates format them per language. Seats come from
the allocations the rules engine returned; nothing here recomputes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from saylau.core.allocation import ListResult
from saylau.core.districts import DistrictResult
from saylau.core.election import Election, Level
from saylau.core.protocol import Line
from saylau.services.portal import PortalData
from saylau.services.results import ContestResult
from saylau.web.hemicycle import SeatGroup

SELF_NOMINATED = "#8c8c8c"
UNDECIDED = "#d9d9d9"
NO_DATA = "#eeeeee"


@dataclass(frozen=True, slots=True)
class Progress:
    """The count under one commission, for one contest."""

    stations_counted: int
    stations_expected: int
    voters_counted: int
    voters_expected: int
    voters_on_lists: int
    ballots_issued: int

    @property
    def complete(self) -> bool:
        return self.stations_counted == self.stations_expected


@dataclass(frozen=True, slots=True)
class VoteRow:
    choice: str
    name: str
    party: str | None
    colour: str
    votes: int
    seats: int | None


def progress(result: ContestResult, commission: str) -> Progress:
    tally = result.tally
    row = tally.row(commission)
    return Progress(
        stations_counted=int(tally.stations_counted[row]),
        stations_expected=int(tally.stations_expected[row]),
        voters_counted=int(tally.voters_counted[row]),
        voters_expected=int(tally.voters_expected[row]),
        voters_on_lists=tally.line_at(commission, Line.VOTERS),
        ballots_issued=tally.line_at(commission, Line.ISSUED)
        + tally.line_at(commission, Line.ISSUED_OUTSIDE),
    )


def choice_colour(election: Election, party: str | None) -> str:
    if party is None or party not in election.parties:
        return SELF_NOMINATED
    return election.parties[party].color


def vote_rows(
    data: PortalData, result: ContestResult, commission: str, language: str
) -> list[VoteRow]:
    """The choices of a contest with their votes under ``commission``, in ballot order;
    seats (of the whole contest) only where the commission is the contest's own."""
    votes = result.tally.votes_at(commission)
    seats = None
    if result.allocation is not None and commission in (result.contest.commission, data.root):
        seats = result.allocation.seats
    election = data.election
    return [
        VoteRow(
            choice=c.id,
            name=c.name.get(language),
            party=c.party,
            colour=choice_colour(election, c.party),
            votes=votes[c.id],
            seats=None if seats is None else seats.get(c.id, 0),
        )
        for c in result.contest.choices
    ]


def leader(result: ContestResult, commission: str) -> str | None:
    """The choice with most votes under ``commission`` (None before any vote)."""
    votes = result.tally.votes_at(commission)
    best = max(votes.items(), key=lambda item: item[1], default=None)
    return None if best is None or best[1] == 0 else best[0]


def seat_groups(data: PortalData, language: str, labels: dict[str, str]) -> list[SeatGroup]:
    """The Mazhilis: list seats and district seats of each party (ballot order), then the
    self-nominated, then seats not decided yet. ``labels`` holds the translated words
    ``list``, ``district``, ``self``, ``undecided``."""
    election = data.election
    national = data.national
    listed: dict[str, int] = {}
    if isinstance(national.allocation, ListResult):
        listed = dict(national.allocation.seats)
    won: Counter[str | None] = Counter()
    decided = 0
    total = national.contest.seats
    for result in data.results.values():
        if result.contest.rule != "mazhilis-district":
            continue
        total += result.contest.seats
        if isinstance(result.allocation, DistrictResult):
            party_of = {c.id: c.party for c in result.contest.choices}
            for winner in result.allocation.elected:
                won[party_of.get(winner)] += 1
                decided += 1
    groups = []
    for choice in national.contest.choices:
        party = choice.party or choice.id
        short = election.parties[party].short.get(language) if party in election.parties else ""
        colour = choice_colour(election, party)
        if listed.get(choice.id):
            groups.append(SeatGroup(f"{short}: {labels['list']}", colour, listed[choice.id]))
        if won.get(party):
            groups.append(
                SeatGroup(f"{short}: {labels['district']}", colour, won[party], outlined=True)
            )
    if won.get(None):
        groups.append(SeatGroup(labels["self"], SELF_NOMINATED, won[None], outlined=True))
    rest = total - sum(g.seats for g in groups)
    if rest > 0:
        groups.append(SeatGroup(labels["undecided"], UNDECIDED, rest))
    return groups


def commission_name(election: Election, commission: str, language: str) -> str:
    return election.commissions[commission].name.get(language)


def breadcrumbs(election: Election, commission: str) -> list[str]:
    """Commission ids from the root down to ``commission`` (inclusive)."""
    return list(election.path(commission))


@dataclass(frozen=True, slots=True)
class ChildRow:
    id: str
    name: str
    level: str
    progress: Progress
    leader: str | None


def child_rows(data: PortalData, commission: str, language: str) -> list[ChildRow]:
    """The commissions directly under ``commission`` where the national list is voted."""
    election, national = data.election, data.national
    rows = []
    for child in election.children[commission]:
        found = progress(national, child)
        if found.stations_expected == 0:
            continue
        rows.append(
            ChildRow(
                id=child,
                name=commission_name(election, child, language),
                level=election.commissions[child].level.value,
                progress=found,
                leader=leader(national, child),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class StationRow:
    id: str
    number: str
    voters: int
    counted: bool
    issued: int | None
    findings: int


def station_rows(data: PortalData, commission: str) -> list[StationRow]:
    election = data.election
    rows = []
    for station_id in election.stations_by_commission[commission]:
        station = election.stations[station_id]
        protocols = data.protocols.get(station_id, ())
        main = next((p for p in protocols if p.contest == data.national.contest.id), None)
        issued = None
        if main is not None and Line.ISSUED in main.lines:
            issued = main.lines[Line.ISSUED] + main.lines.get(Line.ISSUED_OUTSIDE, 0)
        rows.append(
            StationRow(
                id=station_id,
                number=station.number,
                voters=station.voters,
                counted=main is not None and main.status == "accepted",
                issued=issued,
                findings=sum(len(p.findings) for p in protocols),
            )
        )
    return rows


def contests_under(data: PortalData, commission: str) -> list[str]:
    """Contests determined by this commission (e.g. a district's, a maslikhat's)."""
    return [c.id for c in data.election.contests.values() if c.commission == commission]


def mazhilis_districts(data: PortalData) -> list[ContestResult]:
    return [r for r in data.results.values() if r.contest.rule == "mazhilis-district"]


def district_winner(result: ContestResult) -> tuple[str, ...]:
    if isinstance(result.allocation, DistrictResult):
        return result.allocation.elected
    return ()


def maslikhat_seats(data: PortalData, contests: Sequence[str]) -> Counter[str | None]:
    """Seats won in a maslikhat's contests so far, by party (None: self-nominated)."""
    won: Counter[str | None] = Counter()
    for contest_id in contests:
        result = data.results[contest_id]
        allocation = result.allocation
        if allocation is None:
            continue
        party_of = {c.id: c.party for c in result.contest.choices}
        for choice, seats in allocation.seats.items():
            if seats:
                won[party_of.get(choice)] += seats
    return won


def region_of(election: Election, commission: str) -> str | None:
    for cid in election.path(commission):
        if election.commissions[cid].level is Level.REGION:
            return cid
    return None
