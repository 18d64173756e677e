"""The screening on generated election nights (the 2023 definition, as ``saylau generate``
makes them): clean nights show no significant finding at the level of 1 %; the same nights
with stuffed ballots or rounded turnouts injected show them. Seeded: the nights, the
injections and the Monte Carlo null."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from forensics_helpers import night_stations, round_turnouts, stuff

from saylau.forensics import analyse, report_data, report_figures
from saylau.forensics.fingerprint import fingerprint
from saylau.forensics.outliers import STUFFING

LEVEL = 0.01
MC_SEED = 2016
JOINT = "turnout and leader's share both high"
TURNOUT = "integer percentages: turnout"


@pytest.mark.parametrize("night", [2023, 1])
def test_a_clean_night_shows_no_significant_finding(night: int) -> None:
    report = analyse(night_stations(night), seed=MC_SEED, level=LEVEL)
    assert report.significant == ()
    assert not any(f.significant for f in report.flags)
    assert report.integers.turnout.p_value > LEVEL / 3
    assert report.fingerprint.corner_stations < 0.001


def test_stuffed_ballots_are_found() -> None:
    data, stuffed = stuff(night_stations(2023), 20, seed=7)
    report = analyse(data, seed=MC_SEED, level=LEVEL)
    names = [t.name for t in report.significant]
    assert JOINT in names
    assert report.joint.p_value < 1e-6
    corner = {f.station for f in report.flags if f.kind == STUFFING and f.significant}
    assert len(corner & stuffed) >= 8
    assert len(corner & stuffed) >= 0.75 * len(corner)
    # The fingerprint's corner fills up.
    clean = fingerprint(night_stations(2023))
    assert report.fingerprint.corner_stations > clean.corner_stations
    assert report.fingerprint.correlation > clean.correlation


def test_rounded_turnouts_are_found() -> None:
    data, rounded = round_turnouts(night_stations(2023), 150, seed=7)
    report = analyse(data, seed=MC_SEED, level=LEVEL)
    turnout = report.integers.turnout
    assert TURNOUT in [t.name for t in report.significant]
    assert turnout.excess > 100
    assert turnout.z > 3
    assert turnout.p_value == 1 / (1 + report.replicates)
    at_whole = {
        station
        for station, whole in zip(data.station_ids, report.integers.observed_turnout, strict=True)
        if whole
    }
    assert len(rounded - at_whole) <= 5  # those where the leader had too few votes to move
    # The picture: spikes at whole numbers in the 0.1-point histogram of turnout.
    peaks = report.fingerprint.turnout_peaks
    clean = fingerprint(night_stations(2023)).turnout_peaks
    assert peaks[::10].sum() - clean[::10].sum() >= 80  # of the 150 stations rounded
    assert abs(int(peaks[5::10].sum()) - int(clean[5::10].sum())) < 50


def test_the_report_is_reproducible_and_plain_data() -> None:
    data = night_stations(2023)
    first = report_data(analyse(data, seed=5, replicates=100), flags=10)
    again = report_data(analyse(data, seed=5, replicates=100), flags=10)
    assert first == again
    assert first["stations"] == len(data)
    assert first["leader"] == "amanat"
    assert isinstance(first["flags"], list)
    assert len(first["flags"]) <= 10
    figures = report_figures(analyse(data, seed=5, replicates=100))
    assert set(figures) == {
        "fingerprint",
        "integers-turnout",
        "integers-share",
        "peaks-turnout",
        "peaks-share",
        "benford",
    }
    for svg in figures.values():
        root = ElementTree.fromstring(svg)  # well-formed XML
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
