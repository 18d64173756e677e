"""Statistical screening of station results: flags that deserve a second look, each with what
was measured, against which null, and how surprising it is. Never proof.

:func:`analyse` screens a contest's stations (:class:`StationData`) into a
:class:`ForensicsReport`; :func:`report_data` and :func:`report_figures` give it as plain
data and SVG text; :func:`check_protocol` screens one incoming protocol against a
:class:`Reference` of the stations counted so far. See docs/methods/forensics.md."""

from saylau.forensics.data import StationData, station_data
from saylau.forensics.outliers import Reference, StationFlag, check_protocol, reference
from saylau.forensics.report import ForensicsReport, ScreenResult, analyse, report_data
from saylau.forensics.svg import report_figures

__all__ = [
    "ForensicsReport",
    "Reference",
    "ScreenResult",
    "StationData",
    "StationFlag",
    "analyse",
    "check_protocol",
    "reference",
    "report_data",
    "report_figures",
    "station_data",
]
