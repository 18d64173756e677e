"""The results as a NIST SP 1500-100 (version 2) Election Results Reporting JSON document.

Commissions and polling stations are ``ReportingUnit`` GpUnits (the CEC a ``country``,
polling stations ``polling-place``, the others ``other`` with their level as ``OtherType``);
party-list contests are ``PartyContest`` with one ``PartySelection`` per list, the
single-member contests ``CandidateContest`` with one ``CandidateSelection`` per candidate.
Every count is a ``VoteCounts`` of type ``total`` at the contest's commission and, in the
precinct-level report, at each counted polling station too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from saylau.core.districts import DistrictResult
from saylau.core.election import Level
from saylau.core.names import LANGUAGES, Names
from saylau.core.protocol import Line
from saylau.services.portal import CERTIFIED, PortalData
from saylau.services.results import COMPLETE, PARTIAL, ContestResult

Json = dict[str, Any]
STATUS = {PARTIAL: "unofficial-partial", COMPLETE: "unofficial-complete", CERTIFIED: "certified"}
UNIT_TYPES = {Level.CEC: "country"}
VENDOR = "saylau 0.1.0"


def text(names: Names) -> Json:
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [
            {
                "@type": "ElectionResults.LanguageString",
                "Content": names.get(lang),
                "Language": lang,
            }
            for lang in LANGUAGES
        ],
    }


def _count(unit: str, count: int) -> Json:
    return {
        "@type": "ElectionResults.VoteCounts",
        "GpUnitId": unit,
        "Count": count,
        "Type": "total",
    }


def gp_units(data: PortalData) -> list[Json]:
    election = data.election
    units: list[Json] = []
    for commission in election.commissions.values():
        unit: Json = {
            "@type": "ElectionResults.ReportingUnit",
            "@id": commission.id,
            "Name": commission.name.en,
            "Type": UNIT_TYPES.get(commission.level, "other"),
        }
        if unit["Type"] == "other":
            unit["OtherType"] = commission.level.value
        parts = [*election.children[commission.id], *election.stations_by_commission[commission.id]]
        if parts:
            unit["ComposingGpUnitIds"] = parts
        units.append(unit)
    for station in election.stations.values():
        units.append(
            {
                "@type": "ElectionResults.ReportingUnit",
                "@id": station.id,
                "Name": station.number,
                "Number": station.number,
                "Type": "polling-place",
                "VotersRegistered": station.voters,
            }
        )
    return units


def parties(data: PortalData) -> list[Json]:
    return [
        {
            "@type": "ElectionResults.Party",
            "@id": party.id,
            "Name": text(party.name),
            "Abbreviation": party.short.en,
            "Color": party.color.lstrip("#").lower(),
        }
        for party in data.election.parties.values()
    ]


def _station_counts(
    data: PortalData, contest: str, stations: Iterable[str]
) -> dict[str, list[Json]]:
    """Choice id -> VoteCounts at each counted (accepted) station of the contest."""
    found: dict[str, list[Json]] = {}
    for station in stations:
        for p in data.protocols.get(station, ()):
            if p.contest == contest and p.status == "accepted":
                for choice, votes in p.votes.items():
                    found.setdefault(choice, []).append(_count(station, votes))
    return found


def contest_json(
    data: PortalData, result: ContestResult, sequence: int, precinct: bool
) -> tuple[Json, list[Json]]:
    """A contest and the candidates it introduces."""
    contest = result.contest
    unit = contest.commission
    root = data.root
    tally = result.tally
    votes = tally.votes_at(root)
    stations = (
        _station_counts(data, contest.id, data.election.contest_stations(contest.id))
        if precinct
        else {}
    )
    candidates: list[Json] = []
    selections: list[Json] = []
    district = result.kind == "district"
    allocation = result.allocation
    elected = allocation.elected if isinstance(allocation, DistrictResult) else ()
    runoff = allocation.runoff if isinstance(allocation, DistrictResult) else ()
    for order, choice in enumerate(contest.choices, start=1):
        counts = [_count(unit, votes[choice.id]), *stations.get(choice.id, [])]
        if district:
            candidate: Json = {
                "@type": "ElectionResults.Candidate",
                "@id": f"cand-{choice.id}",
                "BallotName": text(choice.name),
            }
            if choice.party:
                candidate["PartyId"] = choice.party
            if choice.id in elected:
                candidate["PostElectionStatus"] = "winner"
            elif choice.id in runoff:
                candidate["PostElectionStatus"] = "advanced-to-runoff"
            candidates.append(candidate)
            selection: Json = {
                "@type": "ElectionResults.CandidateSelection",
                "CandidateIds": [candidate["@id"]],
            }
        else:
            selection = {
                "@type": "ElectionResults.PartySelection",
                "PartyIds": [choice.party or choice.id],
            }
        selection.update(
            {"@id": f"sel-{contest.id}-{choice.id}", "SequenceOrder": order, "VoteCounts": counts}
        )
        selections.append(selection)
    row = tally.row(root)
    complete = int(tally.stations_counted[row]) == int(tally.stations_expected[row])
    body: Json = {
        "@type": "ElectionResults.CandidateContest" if district else "ElectionResults.PartyContest",
        "@id": contest.id,
        "Name": contest.title.en,
        "BallotTitle": text(contest.title),
        "ElectoralDistrictId": unit,
        "SequenceOrder": sequence,
        "VoteVariation": "plurality" if district else "proportional",
        "SubUnitsReported": int(tally.stations_counted[row]),
        "TotalSubUnits": int(tally.stations_expected[row]),
        "CountStatus": [
            {
                "@type": "ElectionResults.CountStatus",
                "Status": "completed" if complete else "in-process",
                "Type": "total",
            }
        ],
        "SummaryCounts": [
            {
                "@type": "ElectionResults.SummaryCounts",
                "GpUnitId": unit,
                "Type": "total",
                "BallotsCast": tally.line_at(root, Line.FOUND),
                "BallotsRejected": tally.line_at(root, Line.INVALID),
            }
        ],
        "BallotSelection": selections,
    }
    if district:
        body["VotesAllowed"] = 1
        body["NumberElected"] = contest.seats
    return body, candidates


def nist_report(data: PortalData, precinct: bool = False) -> Json:
    """The whole election as one ElectionReport (summary, or precinct-level)."""
    election = data.election
    contests: list[Json] = []
    candidates: list[Json] = []
    for sequence, result in enumerate(data.results.values(), start=1):
        body, introduced = contest_json(data, result, sequence, precinct)
        contests.append(body)
        candidates.extend(introduced)
    generated = (
        data.updated.isoformat() if data.updated else f"{election.date.isoformat()}T00:00:00+00:00"
    )
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level" if precinct else "summary-contest",
        "GeneratedDate": generated,
        "Issuer": "saylau open election results",
        "IssuerAbbreviation": "saylau",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": STATUS.get(data.status, "unofficial-partial"),
        "VendorApplicationId": VENDOR,
        "IsTest": False,
        "Election": [
            {
                "@type": "ElectionResults.Election",
                "ElectionScopeId": data.root,
                "StartDate": election.date.isoformat(),
                "EndDate": election.date.isoformat(),
                "Name": text(election.title),
                "Type": "general",
                "Contest": contests,
                "Candidate": candidates,
            }
        ],
        "GpUnit": gp_units(data),
        "Party": parties(data),
    }
