"""Station flags: the robust baselines, the joint-tail test, leads, warnings, corrections,
arrival, and one protocol screened on its own."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from forensics_helpers import binomial_stations, stuff
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.core.errors import InputError
from saylau.forensics import StationData, analyse, check_protocol, reference, station_data
from saylau.forensics.fingerprint import peaks
from saylau.forensics.outliers import (
    CORRECTED,
    ORDER,
    STUFFING,
    WARNINGS,
    joint_test,
    station_flags,
)
from saylau.forensics.robust import group_median


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.floats(-100, 100, allow_nan=False)),
        min_size=1,
        max_size=60,
    )
)
def test_group_medians_are_numpy_medians(rows: list[tuple[int, float]]) -> None:
    groups = np.array([g for g, _ in rows], dtype=np.int64)
    values = np.array([v for _, v in rows])
    median, sizes = group_median(values, groups, 5)
    for g in range(5):
        members = values[groups == g]
        assert sizes[g] == len(members)
        if len(members):
            assert median[g] == pytest.approx(float(np.median(members)))
        else:
            assert np.isnan(median[g])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clean_binomial_stations_show_no_significant_flag(seed: int) -> None:
    test, flags = station_flags(binomial_stations(5000, seed))
    assert test.p_value >= 0.01
    assert not any(f.significant for f in flags)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stuffed_stations_are_found(seed: int) -> None:
    data, stuffed = stuff(binomial_stations(5000, seed), 25, seed)
    test, flags = station_flags(data)
    assert test.p_value < 1e-6
    assert test.observed > 5 * test.expected
    corner = [f for f in flags if f.kind == STUFFING]
    assert all(f.significant for f in corner)
    caught = {f.station for f in corner} & stuffed
    assert len(caught) >= 10  # about half: a station already high moves little
    assert len(caught) >= 0.8 * len(corner)
    flag = next(f for f in corner if f.station in stuffed)
    assert "robust SD above" in flag.measured
    assert "independently" in flag.null
    assert f"p = {test.p_value:.2g}" in flag.surprise


def test_one_protocol_screened_against_the_stations_before_it() -> None:
    clean = binomial_stations(2000, 4)
    ref = reference(clean)
    i = 17
    commission = clean.group_ids[clean.group[i]]
    voters = int(clean.voters[i])
    ordinary = check_protocol(
        "new",
        commission,
        ref,
        voters=voters,
        ballots=int(clean.ballots[i]),
        found=int(clean.found[i]),
        leader_votes=int(clean.leader_votes[i]),
    )
    assert ordinary == []
    stuffed = check_protocol(
        "new",
        commission,
        ref,
        voters=voters,
        ballots=int(0.98 * voters),
        found=int(0.98 * voters),
        leader_votes=int(0.95 * voters),
    )
    kinds = [f.kind for f in stuffed]
    assert STUFFING in kinds
    assert not any(f.significant for f in stuffed)  # advisory only


def test_late_arrival_warnings_and_corrections_are_listed() -> None:
    data = binomial_stations(400, 5)
    arrival = np.random.default_rng(5).normal(120.0, 20.0, len(data))
    arrival[7] = 900.0  # 13 hours after the others of its commission
    warnings = [()] * len(data)
    warnings[3] = ("W01 turnout-high",)
    versions = np.ones(len(data), dtype=np.int64)
    versions[11] = 2
    flagged = dataclasses.replace(
        data, arrival=arrival, warnings=tuple(warnings), versions=versions
    )
    _, flags = station_flags(flagged)
    by_kind = {f.kind: f for f in flags if f.kind in (ORDER, WARNINGS, CORRECTED)}
    assert by_kind[ORDER].station == data.station_ids[7]
    assert by_kind[ORDER].score is not None
    assert by_kind[ORDER].score > 5
    assert "minute 900" in by_kind[ORDER].measured
    assert by_kind[WARNINGS].station == data.station_ids[3]
    assert "W01 turnout-high on 0.2%" in by_kind[WARNINGS].surprise
    assert by_kind[CORRECTED].station == data.station_ids[11]
    assert by_kind[CORRECTED].measured == "protocol in version 2"
    assert not any(f.significant for f in flags)


def test_joint_test_counts_the_corner() -> None:
    data, stuffed = stuff(binomial_stations(3000, 6), 30, 6)
    test, corner = joint_test(data)
    assert test.observed == len(corner)
    assert test.turnout_top >= 30
    assert test.expected == pytest.approx(test.turnout_top * test.share_top / test.stations)
    named = {data.station_ids[i] for i in corner}
    assert len(named & stuffed) >= 0.8 * len(named)


def test_empty_or_inconsistent_data_is_refused() -> None:
    with pytest.raises(InputError, match="no station to analyse: expected at least one"):
        station_data([], [], voters=[], ballots=[], found=[], votes=[], choice_ids=["a"])
    with pytest.raises(InputError, match="found: expected 2 values"):
        StationData(
            station_ids=("a", "b"),
            group_ids=("c",),
            group=np.zeros(2, dtype=np.int64),
            voters=np.array([10, 10]),
            ballots=np.array([5, 5]),
            found=np.array([5]),
            votes=np.array([[5], [5]]),
            choice_ids=("x",),
        )
    with pytest.raises(InputError, match="votes: expected counts of at least 0"):
        station_data(
            ["a"], ["c"], voters=[10], ballots=[5], found=[5], votes=[[-1]], choice_ids=["x"]
        )


def test_a_handful_of_stations_gives_a_report_without_findings() -> None:
    data = station_data(
        ["a", "b", "c"],
        ["x", "x", "y"],
        voters=[100, 0, 500],
        ballots=[50, 0, 250],
        found=[50, 0, 250],
        votes=[[30, 20], [0, 0], [100, 150]],
        choice_ids=["p", "q"],
    )
    report = analyse(data, replicates=10)
    assert report.significant == ()
    assert report.benford == ()
    assert report.fingerprint.stations == 2  # the station with no voters is not plotted


def test_peaks_are_counted_in_exact_tenths() -> None:
    # 85.0 %, 84.98 %, 33.33 %, 66.67 %, 0.05 % (a half: up), 100 %, over 100 %
    counts = np.array([850, 1657, 1, 2, 1, 5, 7])
    sizes = np.array([1000, 1950, 3, 3, 2000, 5, 5])
    histogram = peaks(counts, sizes)
    assert len(histogram) == 1001
    assert histogram.sum() == 6
    assert histogram[[850, 333, 667, 1, 1000]].tolist() == [2, 1, 1, 1, 1]
