"""The open data files: every page's numbers as CSV, JSON and Parquet (the same rows in
each), snapshots of small files, and the NIST SP 1500-100 report checked against the parts
of its JSON schema that it uses."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from saylau.core.protocol import Line
from saylau.services.portal import PortalData
from saylau.web.nist import contest_json, nist_report

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("SAYLAU_UPDATE_SNAPSHOTS") == "1"
PAGES = ("national", "districts", "contest/mazhilis-district-07", "commission/kz-astana")


def snapshot(name: str, text: str) -> None:
    """Compare with the stored snapshot (write it with SAYLAU_UPDATE_SNAPSHOTS=1)."""
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {name} did not exist and was written: check it in")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed"


def rows_of_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


@pytest.mark.parametrize("page", PAGES)
def test_csv_json_and_parquet_hold_the_same_rows(client: TestClient, page: str) -> None:
    from_csv = rows_of_csv(client.get(f"/data/{page}.csv").content)
    document = client.get(f"/data/{page}.json").json()
    table = pq.read_table(io.BytesIO(client.get(f"/data/{page}.parquet").content))
    from_parquet = table.to_pylist()
    assert len(from_csv) == len(document["rows"]) == len(from_parquet) > 0
    for a, b, c in zip(from_csv, document["rows"], from_parquet, strict=True):
        assert a["value"] == str(b["value"]) == str(c["value"])
        assert isinstance(b["value"], int)
        assert a["item_id"] == b["item_id"] == c["item_id"]
    assert str(table.schema.field("value").type) == "int64"


@pytest.mark.parametrize("page", ["contest/mazhilis-district-07", "districts"])
def test_csv_snapshots(client: TestClient, page: str) -> None:
    body = client.get(f"/data/{page}.csv").text
    snapshot(page.replace("/", "-") + ".csv", body)


def test_json_snapshot_of_a_contest(client: TestClient) -> None:
    document = client.get("/data/contest/mazhilis-district-07.json").json()
    document["updated"] = "(time of the night)"
    snapshot(
        "contest-mazhilis-district-07.json", json.dumps(document, ensure_ascii=False, indent=1)
    )


def test_station_file_equals_its_protocols(client: TestClient, night: PortalData) -> None:
    station, protocols = next(iter(night.protocols.items()))
    rows = rows_of_csv(client.get(f"/data/station/{station}.csv").content)
    assert [r["contest_id"] for r in rows] == [p.contest for p in protocols]
    for row, p in zip(rows, protocols, strict=True):
        assert json.loads(row["votes"]) == dict(p.votes)
        for line in Line:
            assert row[line.value] == str(p.lines.get(line, ""))
        assert int(row["version"]) == p.version


def test_national_file_has_the_seats_of_the_rules_engine(
    client: TestClient, night: PortalData
) -> None:
    rows = rows_of_csv(client.get("/data/national.csv").content)
    seats = {r["item_id"]: int(r["seats"]) for r in rows if r["seats"]}
    assert night.national.allocation is not None
    assert seats == dict(night.national.allocation.seats)
    assert sum(seats.values()) == 69


def test_protocols_parquet_has_every_stored_protocol(client: TestClient, night: PortalData) -> None:
    table = pq.read_table(io.BytesIO(client.get("/data/protocols.parquet").content))
    assert table.num_rows == sum(len(p) for p in night.protocols.values())
    assert set(table.column_names) >= {"station_id", "contest_id", "status", Line.VALID.value}


# The parts of NIST_V2_election_results_reporting.json (usnistgov/ElectionResultsReporting)
# that the report uses: required properties and enumerations.
REQUIRED = {
    "ElectionResults.ElectionReport": {
        "Format",
        "GeneratedDate",
        "Issuer",
        "IssuerAbbreviation",
        "SequenceEnd",
        "SequenceStart",
        "Status",
        "VendorApplicationId",
    },
    "ElectionResults.Election": {"ElectionScopeId", "EndDate", "Name", "StartDate", "Type"},
    "ElectionResults.ReportingUnit": {"Type", "@id"},
    "ElectionResults.Party": {"Name", "@id"},
    "ElectionResults.PartyContest": {"ElectoralDistrictId", "Name", "@id"},
    "ElectionResults.CandidateContest": {"VotesAllowed", "ElectoralDistrictId", "Name", "@id"},
    "ElectionResults.PartySelection": {"PartyIds", "@id"},
    "ElectionResults.CandidateSelection": {"CandidateIds", "@id"},
    "ElectionResults.Candidate": {"BallotName", "@id"},
    "ElectionResults.VoteCounts": {"Count", "Type"},
    "ElectionResults.CountStatus": {"Status", "Type"},
    "ElectionResults.SummaryCounts": {"Type"},
    "ElectionResults.InternationalizedText": {"Text"},
    "ElectionResults.LanguageString": {"Content", "Language"},
}
ENUMS = {
    "Format": {"precinct-level", "summary-contest"},
    "Status": {
        "certified",
        "correction",
        "pre-election",
        "recount",
        "unofficial-complete",
        "unofficial-partial",
        "completed",
        "in-process",
        "not-processed",
        "unknown",
    },
    "VoteVariation": {"plurality", "proportional", "majority", "other"},
}
COUNT_ITEM_TYPES = {
    "absentee",
    "early",
    "election-day",
    "other",
    "provisional",
    "total",
    "write-in",
}
UNIT_TYPES = {"country", "other", "polling-place", "precinct", "state", "county"}


def check(node: object, ids: set[str], refs: list[str]) -> None:
    """Every typed object has its required properties and known enumeration values."""
    if isinstance(node, list):
        for item in node:
            check(item, ids, refs)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("@type")
    assert kind in REQUIRED, kind
    missing = REQUIRED[kind] - set(node)
    assert not missing, (kind, missing)
    if "@id" in node:
        assert node["@id"] not in ids, node["@id"]
        ids.add(node["@id"])
    for key, allowed in ENUMS.items():
        if key in node and isinstance(node[key], str):
            assert node[key] in allowed, (kind, key, node[key])
    if kind in (
        "ElectionResults.VoteCounts",
        "ElectionResults.CountStatus",
        "ElectionResults.SummaryCounts",
    ):
        assert node["Type"] in COUNT_ITEM_TYPES
    if kind == "ElectionResults.ReportingUnit":
        assert node["Type"] in UNIT_TYPES
    if kind == "ElectionResults.VoteCounts":
        assert isinstance(node["Count"], int)
    for key in ("GpUnitId", "ElectoralDistrictId", "ElectionScopeId", "PartyId"):
        if key in node:
            refs.append(node[key])
    for key in ("PartyIds", "CandidateIds", "ComposingGpUnitIds"):
        refs.extend(node.get(key, []))
    for value in node.values():
        if isinstance(value, (dict, list)):
            check(value, ids, refs)


def test_nist_report_follows_the_schema(client: TestClient, night: PortalData) -> None:
    report = client.get("/data/results.nist.json").json()
    ids: set[str] = set()
    refs: list[str] = []
    check(report, ids, refs)
    assert set(refs) <= ids
    assert report["Status"] == "unofficial-partial"
    (election,) = report["Election"]
    assert len(election["Contest"]) == len(night.results)
    mazhilis = next(c for c in election["Contest"] if c["@id"] == "mazhilis-list")
    totals = {s["PartyIds"][0]: s["VoteCounts"][0]["Count"] for s in mazhilis["BallotSelection"]}
    tally = night.national.tally
    assert totals == {
        c.party: v
        for c, v in zip(
            night.national.contest.choices, tally.votes[tally.row(night.root)], strict=True
        )
    }


def test_precinct_level_counts_add_up(night: PortalData) -> None:
    result = night.results["mazhilis-district-07"]
    body, candidates = contest_json(night, result, 1, precinct=True)
    for selection in body["BallotSelection"]:
        total, *stations = selection["VoteCounts"]
        assert total["Count"] == sum(s["Count"] for s in stations)
    winners = [c for c in candidates if c.get("PostElectionStatus") == "winner"]
    assert len(winners) <= 1
    report = nist_report(night, precinct=False)
    assert report["Format"] == "summary-contest"


def test_nist_snapshot_of_a_district(night: PortalData) -> None:
    body, candidates = contest_json(night, night.results["mazhilis-district-07"], 7, precinct=False)
    text = json.dumps({"contest": body, "candidates": candidates}, ensure_ascii=False, indent=1)
    snapshot("nist-mazhilis-district-07.json", text)
