"""Verifying a published bundle and recomputing every published number from its ledger.

:func:`verify_published` runs :func:`saylau.ledger.verify_bundle` (hashes, chain,
signatures, Merkle tree, tree head, manifest, consistency with the previous version), then
rebuilds the open data from the replayed ledger alone (:mod:`saylau.services.open_data`:
every contest tallied up the commission tree and its seats allocated with the election's
ruleset) and compares it with the published files, number by number; certified results
must equal the recomputed ones. Each difference is a finding that names the file, the
contest, the commission or row, the published and the recomputed value.

Lots: a certified contest is recomputed with the lots recorded for its certification (the
``lot-drawn`` events of its contest after its certification before; their seed decides the
ties its rule leaves open). The ties its votes give must be exactly those lots: a tie left
unresolved or decided by a lot that is not recorded is ``lot-missing``; a lot whose
contenders or places are not those of a tie of the votes, or drawn from another seed than
the contest's other lots, is ``lot-mismatch``; a lot that no certification follows is
``lot-uncertified``; certified seats other than the lot gives are ``certified-mismatch``.
(That a lot's winners follow from its seed is the replay's ``lot-outcome``.)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from saylau.core.election import Election
from saylau.core.ledger.canonical import CanonicalError, Data
from saylau.core.ledger.events import LedgerFinding
from saylau.core.ledger.state import LedgerState, Lot
from saylau.ledger import VerifyReport, verify_bundle
from saylau.ledger.bundle import MANIFEST, file_of, load_document
from saylau.services.certify import certified_results
from saylau.services.open_data import certified_lots, ledger_results, open_data_files
from saylau.services.publishing import ledger_election
from saylau.services.results import ContestResult

SHOWN = 20
"""At most this many differences are reported per file."""


@dataclass(frozen=True)
class Verification:
    report: VerifyReport
    results: tuple[ContestResult, ...]
    """Every contest recomputed from the ledger (empty if the ledger defines none)."""
    data_findings: tuple[LedgerFinding, ...] = ()

    @property
    def findings(self) -> tuple[LedgerFinding, ...]:
        return (*self.report.findings, *self.data_findings)

    @property
    def ok(self) -> bool:
        return not self.findings


def _finding(code: str, message: str) -> LedgerFinding:
    return LedgerFinding(code, None, message)


def _differences(published: Data, recomputed: Data, path: str) -> Iterator[str]:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        for key in sorted(published.keys() | recomputed.keys()):
            if key not in published:
                yield f"{path}.{key}: missing, recomputed {str(recomputed[key])[:60]}"
            elif key not in recomputed:
                yield f"{path}.{key}: published {str(published[key])[:60]}, not recomputed"
            else:
                yield from _differences(published[key], recomputed[key], f"{path}.{key}")
    elif isinstance(published, list) and isinstance(recomputed, list):
        if len(published) != len(recomputed):
            yield f"{path}: {len(published)} items published, {len(recomputed)} recomputed"
        for index, (one, other) in enumerate(zip(published, recomputed, strict=False)):
            label = index
            if isinstance(one, dict) and isinstance(one.get("id"), str):
                label = one["id"]  # type: ignore[assignment]
            yield from _differences(one, other, f"{path}[{label}]")
    elif published != recomputed or type(published) is not type(recomputed):
        yield f"{path}: published {str(published)[:60]}, recomputed {str(recomputed)[:60]}"


def _compare_results(
    name: str, path: Path, recomputed: Data, code: str = "results-mismatch"
) -> list[LedgerFinding]:
    try:
        published = load_document(path)
    except (OSError, CanonicalError) as error:
        return [_finding("data-form", f"{name}: {error}")]
    found = list(_differences(published, recomputed, "$"))
    return [_finding(code, f"{name}: {d}") for d in found[:SHOWN]] + (
        [_finding(code, f"{name}: and {len(found) - SHOWN} more")] if len(found) > SHOWN else []
    )


def _compare_rows(
    name: str, published: Sequence[Sequence[object]], recomputed: Sequence[Sequence[object]]
) -> list[LedgerFinding]:
    found: list[LedgerFinding] = []
    if len(published) != len(recomputed):
        found.append(
            _finding(
                "data-mismatch",
                f"{name}: {len(published):,} rows published, {len(recomputed):,} recomputed",
            )
        )
    for number, (one, other) in enumerate(zip(published, recomputed, strict=False), 1):
        if tuple(one) != tuple(other) and len(found) < SHOWN:
            found.append(
                _finding(
                    "data-mismatch",
                    f"{name} row {number}: published {list(one)}, recomputed {list(other)}",
                )
            )
    return found


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline="")))


def _parquet_rows(data: bytes) -> list[tuple[object, ...]]:
    table = pq.read_table(io.BytesIO(data))
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [tuple(table.column_names), *zip(*columns, strict=True)]


def _compare_data(
    directory: Path,
    manifest: Mapping[str, Data],
    election: Election,
    state: LedgerState,
    results: Sequence[ContestResult],
) -> list[LedgerFinding]:
    found: list[LedgerFinding] = []
    for expected in open_data_files(election, state, results):
        entry = file_of(manifest, expected.role)
        if entry is None:
            found.append(_finding("data-missing", f"{MANIFEST}: no {expected.role} file"))
            continue
        name = str(entry["name"])
        path = directory / name
        if expected.role in ("results", "definition"):
            found.extend(
                _compare_results(name, path, json.loads(expected.data), f"{expected.role}-mismatch")
            )
            continue
        try:
            data = path.read_bytes()
            if expected.role == "ruleset":
                if data != expected.data:
                    found.append(_finding("ruleset-mismatch", _other_rules(name, election)))
                continue
            read = _csv_rows if expected.suffix == ".csv" else _parquet_rows
            found.extend(_compare_rows(name, read(data), read(expected.data)))
        except (OSError, ValueError, pa.ArrowException) as error:
            found.append(_finding("data-form", f"{name}: {error}"))
    return found


def _other_rules(name: str, election: Election) -> str:
    return (
        f"{name}: not the ruleset {election.ruleset} this verifier ships: the published "
        "results were computed with other rules (the numbers compared here are recomputed "
        "with this verifier's)"
    )


def _lot_name(lot: Lot) -> str:
    places = "1 place" if lot.places == 1 else f"{lot.places} places"
    return (
        f"lot in contest {lot.contest} for {lot.context!r} ({', '.join(lot.contenders)} "
        f"for {places}, seed {lot.seed!r})"
    )


def _contest_lots(
    certification_at: int, contest: str, result: ContestResult | None, lots: Sequence[Lot]
) -> list[LedgerFinding]:
    """The lots recorded for a certified contest against the ties its votes give."""
    found: list[LedgerFinding] = []

    def add(code: str, at: int, message: str) -> None:
        found.append(LedgerFinding(code, at, f"event {at}: {message}"))

    if result is None:
        for lot in lots:
            add("lot-mismatch", lot.sequence, f"{_lot_name(lot)}: the election has no such contest")
        return found
    for tie in result.unresolved:
        add(
            "lot-missing",
            certification_at,
            f"contest {contest} is certified with the tie {tie.describe()} unresolved, and no "
            "lot was drawn for it",
        )
    ties = {tie.context: tie for tie in result.drawn}
    matched: dict[str, Lot] = {}
    for lot in lots:
        drawn = ties.get(lot.context)
        if lot.context in matched:
            add(
                "lot-mismatch",
                lot.sequence,
                f"{_lot_name(lot)}: a second lot for the tie drawn at event "
                f"{matched[lot.context].sequence}",
            )
        elif drawn is None:
            given = "; ".join(t.describe() for t in result.drawn) or "no tie"
            add(
                "lot-mismatch",
                lot.sequence,
                f"{_lot_name(lot)} matches no tie of the votes (they give {given})",
            )
        elif set(lot.contenders) != set(drawn.contenders) or lot.places != drawn.places:
            add(
                "lot-mismatch",
                lot.sequence,
                f"{_lot_name(lot)}: the votes give the tie {drawn.describe()}",
            )
        elif lot.seed != drawn.seed:
            add(
                "lot-mismatch",
                lot.sequence,
                f"{_lot_name(lot)}: the contest's ties are drawn from the seed {drawn.seed!r} "
                f"of its first lot (event {lots[0].sequence})",
            )
        else:
            matched[lot.context] = lot
    for context, tie in ties.items():
        if context not in matched and not any(lot.context == context for lot in lots):
            add(
                "lot-missing",
                certification_at,
                f"contest {contest} is certified with the tie {tie.describe()} decided by "
                f"lot (seed {tie.seed!r}), but no lot-drawn event records the draw",
            )
    return found


def _compare_lots(state: LedgerState, results: Sequence[ContestResult]) -> list[LedgerFinding]:
    by_id = {r.contest.id: r for r in results}
    lots, left = certified_lots(state)
    found = [
        LedgerFinding(
            "lot-uncertified",
            lot.sequence,
            f"event {lot.sequence}: {_lot_name(lot)}: no certification of contest "
            f"{lot.contest} follows it",
        )
        for lot in left
    ]
    for contest, certification in sorted(state.certified.items()):
        found.extend(
            _contest_lots(
                certification.sequence, contest, by_id.get(contest), lots.get(contest, ())
            )
        )
    return sorted(found, key=lambda f: (f.sequence is None, f.sequence or 0))


def _by_lot(result: ContestResult | None) -> str:
    """What the recomputed seats of a contest decided by lot follow."""
    if result is None or not result.lots:
        return ""
    drawn = ", ".join(
        f"event {lot.sequence}: {', '.join(lot.winners)} of {', '.join(lot.contenders)}"
        for lot in result.lots
    )
    return f" (the seats the lots give: {drawn})"


def _compare_certified(state: LedgerState, results: Sequence[ContestResult]) -> list[LedgerFinding]:
    by_id = {r.contest.id: r for r in results}
    found: list[LedgerFinding] = []
    for contest, certification in sorted(state.certified.items()):
        result = by_id.get(contest)
        recomputed = None if result is None else certified_results(result)
        differences = list(_differences(dict(certification.results), recomputed, contest))
        for difference in differences[:SHOWN]:
            lot = _by_lot(result) if difference.startswith(f"{contest}.seats") else ""
            found.append(
                LedgerFinding(
                    "certified-mismatch",
                    certification.sequence,
                    f"event {certification.sequence}: certified {difference}{lot}",
                )
            )
    return found


def verify_published(directory: Path, previous: Path | None = None) -> Verification:
    """Verify a bundle; recompute every contest from its ledger and compare with the
    published open data and certifications."""
    report = verify_bundle(directory, previous)
    state = report.state
    if state is None or state.election is None:
        return Verification(report, ())
    election = ledger_election(state)
    results = tuple(ledger_results(election, state))
    found = _compare_certified(state, results)
    found.extend(_compare_lots(state, results))
    try:
        manifest = load_document(directory / MANIFEST)
    except (OSError, CanonicalError):
        manifest = None
    if manifest is not None:
        found.extend(_compare_data(directory, manifest, election, state, results))
    return Verification(report, results, tuple(found))
