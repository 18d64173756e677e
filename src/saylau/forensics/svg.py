"""The report's figures as SVG text: the fingerprint, the stations by turnout and by share to
the nearest 0.1 point, the Monte Carlo null of the integer tests against the observed count, the
second digits against Benford's law.

Plain SVG 1.1, no script, sized in user units with a ``viewBox`` so that a page can scale
it; every text is escaped."""

from __future__ import annotations

import math
from html import escape

import numpy as np

from saylau.forensics.benford import BenfordTest
from saylau.forensics.data import IntArray
from saylau.forensics.fingerprint import Fingerprint
from saylau.forensics.integers import IntegerTest
from saylau.forensics.report import ForensicsReport

FONT = 'font-family="sans-serif" font-size="11"'
INK = "#222"
ACCENT = "#c0392b"
BARS = "#4a6fa5"


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT} fill="{INK}"{extra}>'
        f"{escape(text)}</text>"
    )


def _shade(fraction: float) -> str:
    """White to dark blue."""
    r = round(255 - fraction * (255 - 8))
    g = round(255 - fraction * (255 - 48))
    b = round(255 - fraction * (255 - 107))
    return f"#{r:02x}{g:02x}{b:02x}"


def fingerprint_svg(fp: Fingerprint, title: str = "Election fingerprint") -> str:
    """Stations by turnout (x) and leader's share (y); darker cells hold more stations
    (logarithmic scale); the dashed square is the corner counted in the numbers."""
    size, left, top = 400, 50, 30
    cell = size / fp.bins
    parts = _open(left + size + 20, top + size + 50, title)
    parts.append(_text(left + size / 2, 18, title))
    largest = math.log1p(int(fp.counts.max())) or 1.0
    for i, j in zip(*np.nonzero(fp.counts), strict=True):
        shade = _shade(0.15 + 0.85 * math.log1p(int(fp.counts[i, j])) / largest)
        x = left + j * cell
        y = top + size - (i + 1) * cell
        parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="{cell:.2f}" height="{cell:.2f}" fill="{shade}"/>'
        )
    parts.append(
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="{INK}"/>'
    )
    corner = size * (1 - fp.corner)
    parts.append(
        f'<rect x="{left + size - corner:.1f}" y="{top}" width="{corner:.1f}" '
        f'height="{corner:.1f}" fill="none" stroke="{ACCENT}" stroke-dasharray="4 3"/>'
    )
    for tick in range(0, 101, 20):
        x = left + size * tick / 100
        y = top + size - size * tick / 100
        parts.append(_text(x, top + size + 14, f"{tick}%"))
        parts.append(_text(left - 4, y + 4, f"{tick}%", anchor="end"))
    parts.append(_text(left + size / 2, top + size + 32, "turnout"))
    rotate = f' transform="rotate(-90 14 {top + size / 2})"'
    parts.append(_text(14, top + size / 2, "leader's share", extra=rotate))
    parts.append("</svg>")
    return "\n".join(parts)


def integer_svg(test: IntegerTest) -> str:
    """The Monte Carlo replicates' counts as a histogram, the observed count as a red line."""
    width, height, left, top, plot_w, plot_h = 420, 220, 40, 30, 360, 140
    title = f"Stations at a whole percent ({test.quantity}): observed and Monte Carlo null"
    parts = _open(width, height, title)
    parts.append(_text(width / 2, 18, title))
    low = min(int(test.counts.min()), test.observed)
    high = max(int(test.counts.max()), test.observed)
    span = max(high - low, 1)
    bins = min(40, span + 1)
    edges = np.linspace(low, high + 1, bins + 1)
    heights, _ = np.histogram(test.counts, bins=edges)
    tallest = int(heights.max()) or 1
    bar = plot_w / bins
    for k, count in enumerate(heights):
        h = plot_h * int(count) / tallest
        parts.append(
            f'<rect x="{left + k * bar:.2f}" y="{top + plot_h - h:.2f}" '
            f'width="{max(bar - 1, 0.5):.2f}" height="{h:.2f}" fill="{BARS}"/>'
        )
    x = left + plot_w * (test.observed - low + 0.5) / (high + 1 - low)
    parts.append(
        f'<line x1="{x:.2f}" y1="{top}" x2="{x:.2f}" y2="{top + plot_h}" stroke="{ACCENT}" '
        'stroke-width="2"/>'
    )
    parts.append(_text(left, top + plot_h + 14, f"{low:,}", anchor="start"))
    parts.append(_text(left + plot_w, top + plot_h + 14, f"{high:,}", anchor="end"))
    parts.append(
        _text(
            width / 2,
            top + plot_h + 34,
            f"observed {test.observed:,}; null {test.mc_mean:,.1f} ± {test.mc_sd:,.1f}; "
            f"p = {test.p_value:.3g}",
        )
    )
    parts.append("</svg>")
    return "\n".join(parts)


def benford_svg(test: BenfordTest) -> str:
    """Second digits 0..9: observed proportions as bars, Benford's as red dots."""
    width, height, left, top, plot_w, plot_h = 420, 220, 40, 30, 360, 140
    title = f"Second digits of {test.choice}'s station counts against Benford's law"
    parts = _open(width, height, title)
    parts.append(_text(width / 2, 18, title))
    observed = [n / test.counts for n in test.observed]
    expected = [e / test.counts for e in test.expected]
    top_value = max(*observed, *expected) * 1.1
    bar = plot_w / 10
    for digit in range(10):
        h = plot_h * observed[digit] / top_value
        x = left + digit * bar
        parts.append(
            f'<rect x="{x + 4:.2f}" y="{top + plot_h - h:.2f}" width="{bar - 8:.2f}" '
            f'height="{h:.2f}" fill="{BARS}"/>'
        )
        y = top + plot_h - plot_h * expected[digit] / top_value
        parts.append(f'<circle cx="{x + bar / 2:.2f}" cy="{y:.2f}" r="3.5" fill="{ACCENT}"/>')
        parts.append(_text(x + bar / 2, top + plot_h + 14, str(digit)))
    parts.append(
        _text(
            width / 2,
            top + plot_h + 34,
            f"{test.counts:,} counts; chi-square {test.chi2:.1f} (9 df), p = {test.p_value:.3g}; "
            f"MAD {test.mad:.4f}",
        )
    )
    parts.append("</svg>")
    return "\n".join(parts)


def peaks_svg(counts: IntArray, what: str) -> str:
    """Stations by a percentage to the nearest 0.1 point, as a line: whole percentages added
    by hand show as spikes at whole numbers (grey lines every 5 points)."""
    width, height, left, top, plot_w, plot_h = 620, 230, 45, 30, 560, 150
    title = f"Stations by {what}, to the nearest 0.1 point"
    parts = _open(width, height, title)
    parts.append(_text(width / 2, 18, title))
    # 0 % and 100 % gather the stations that are all or nothing (a hospital, a ship): the
    # scale is set without them, and their counts are written out.
    tallest = int(counts[1:-1].max(initial=0)) or int(counts.max()) or 1
    for tick in range(0, 101, 5):
        x = left + plot_w * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#ddd"/>'
        )
        if tick % 10 == 0:
            parts.append(_text(x, top + plot_h + 14, f"{tick}%"))
    step = plot_w / (len(counts) - 1)
    points = " ".join(
        f"{left + k * step:.2f},{top + plot_h - plot_h * min(int(n), tallest) / tallest:.2f}"
        for k, n in enumerate(counts)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="{BARS}" stroke-width="1"/>')
    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="{INK}"/>'
    )
    parts.append(_text(left - 4, top + 8, f"{tallest:,}", anchor="end"))
    ends = f"at 0.0 %: {int(counts[0]):,} stations; at 100.0 %: {int(counts[-1]):,}"
    parts.append(_text(width / 2, top + plot_h + 32, f"{what} ({ends})"))
    parts.append("</svg>")
    return "\n".join(parts)


def report_figures(report: ForensicsReport) -> dict[str, str]:
    """Every figure of a report, by name: ``fingerprint``, ``integers-turnout``,
    ``integers-share``, ``peaks-turnout``, ``peaks-share`` and ``benford`` (the leader's
    second digits, when tested)."""
    figures = {
        "fingerprint": fingerprint_svg(report.fingerprint),
        "integers-turnout": integer_svg(report.integers.turnout),
        "integers-share": integer_svg(report.integers.share),
        "peaks-turnout": peaks_svg(report.fingerprint.turnout_peaks, "turnout"),
        "peaks-share": peaks_svg(report.fingerprint.share_peaks, "leader's share"),
    }
    leader = [b for b in report.benford if b.choice == report.leader]
    if leader:
        figures["benford"] = benford_svg(leader[0])
    return figures
