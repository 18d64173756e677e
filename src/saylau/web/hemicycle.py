"""A chamber as a hemicycle of seats in SVG: one circle per seat, coloured by group.

Seats fill rows of growing radius; each row holds seats in proportion to its length, and
groups take the seats from left to right in the order given, so a group sits together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 400.0
HEIGHT = 215.0
CENTRE = (200.0, 205.0)
INNER, OUTER = 75.0, 190.0


@dataclass(frozen=True, slots=True)
class SeatGroup:
    """``seats`` seats of one group: ``label`` for the tooltip and legend, ``colour`` as
    #RRGGBB, ``outlined`` draws the seats as rings (e.g. district seats next to list seats)."""

    label: str
    colour: str
    seats: int
    outlined: bool = False


def row_sizes(total: int) -> list[int]:
    """Seats per row for ``total`` seats: rows as many as fit, seats in proportion to each
    row's radius, rounded by largest remainders so that they add up to ``total``."""
    rows = max(1, round(math.sqrt(total / 2.8)))
    radii = [INNER + (OUTER - INNER) * i / max(rows - 1, 1) for i in range(rows)]
    whole = sum(radii)
    shares = [total * r / whole for r in radii]
    sizes = [int(s) for s in shares]
    order = sorted(range(rows), key=lambda i: shares[i] - sizes[i], reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def seat_positions(total: int) -> list[tuple[float, float]]:
    """Centres of the seats, left to right (by angle), inner row first at equal angles."""
    sizes = row_sizes(total)
    rows = len(sizes)
    seats: list[tuple[float, int, float, float]] = []
    for i, count in enumerate(sizes):
        radius = INNER + (OUTER - INNER) * i / max(rows - 1, 1)
        for j in range(count):
            angle = math.pi * (1 - (j + 0.5) / count)
            x = CENTRE[0] + radius * math.cos(angle)
            y = CENTRE[1] - radius * math.sin(angle)
            seats.append((-angle, i, x, y))
    seats.sort()
    return [(x, y) for _, _, x, y in seats]


def hemicycle_svg(groups: Sequence[SeatGroup], title: str, description: str = "") -> Markup:
    """The hemicycle as an inline SVG element with a title (and description) for readers."""
    total = sum(g.seats for g in groups)
    positions = seat_positions(total) if total else []
    rows = len(row_sizes(total)) if total else 1
    spacing = (OUTER - INNER) / max(rows - 1, 1)
    radius = min(spacing * 0.42, 7.5)
    parts = [
        f'<svg class="hemicycle" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" '
        f'aria-labelledby="hemicycle-title hemicycle-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="hemicycle-title">{escape(title)}</title>',
        f'<desc id="hemicycle-desc">{escape(description)}</desc>',
    ]
    index = 0
    for group in groups:
        label = escape(group.label)
        colour = escape(group.colour)
        for _ in range(group.seats):
            x, y = positions[index]
            index += 1
            if group.outlined:
                style = f'fill="#ffffff" stroke="{colour}" stroke-width="{radius * 0.55:.2f}"'
                size = radius * 0.72
            else:
                style = f'fill="{colour}"'
                size = radius
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.2f}" {style}>'
                f"<title>{label}</title></circle>"
            )
    parts.append(
        f'<text x="{CENTRE[0]:.0f}" y="{CENTRE[1] - 12:.0f}" text-anchor="middle" '
        f'class="hemicycle-total">{total}</text></svg>'
    )
    return Markup("".join(parts))
