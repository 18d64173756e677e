"""The map of Kazakhstan's 20 regions as SVG, each region a link to its page.

The boundaries are ``data/regions.json``, simplified from the UNHCR/OCHA COD-AB boundaries
by ``scripts/simplify_regions.py``; their attribution is shown under every map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from markupsafe import Markup, escape

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
CITY_MARK = 7.0
"""Radius of the marker drawn on the three cities, too small to click on the map itself."""
CITIES = ("kz-astana", "kz-almaty", "kz-shymkent")


@dataclass(frozen=True)
class MapData:
    width: float
    height: float
    attribution: str
    licence: str
    paths: Mapping[str, str]


@cache
def map_data() -> MapData:
    source = resources.files("saylau.web").joinpath("data/regions.json")
    document = json.loads(source.read_text(encoding="utf-8"))
    return MapData(
        width=float(document["width"]),
        height=float(document["height"]),
        attribution=str(document["attribution"]),
        licence=str(document["licence"]),
        paths=dict(document["regions"]),
    )


def centre(path: str) -> tuple[float, float]:
    """The centre of a path's bounding box."""
    values = [float(v) for v in _NUMBER.findall(path)]
    xs, ys = values[0::2], values[1::2]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


@dataclass(frozen=True, slots=True)
class MapRegion:
    """How one region is drawn: its fill colour, link and tooltip."""

    fill: str
    href: str
    label: str


def region_map_svg(regions: Mapping[str, MapRegion], title: str, description: str) -> Markup:
    """The SVG map: every region a link with a tooltip; regions without data are grey."""
    data = map_data()
    parts = [
        f'<svg class="region-map" viewBox="0 0 {data.width:.0f} {data.height:.0f}" role="img" '
        f'aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(description)}</desc>',
    ]
    marks = []
    for region_id, path in data.paths.items():
        region = regions.get(region_id)
        if region is None:
            parts.append(f'<path d="{path}" fill="#dddddd" fill-rule="evenodd"/>')
            continue
        label = escape(region.label)
        parts.append(
            f'<a href="{escape(region.href)}" data-region="{escape(region_id)}">'
            f'<path d="{path}" fill="{escape(region.fill)}" fill-rule="evenodd">'
            f"<title>{label}</title></path></a>"
        )
        if region_id in CITIES:
            x, y = centre(path)
            marks.append(
                f'<a href="{escape(region.href)}" data-region="{escape(region_id)}">'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{CITY_MARK}" fill="{escape(region.fill)}"'
                f' class="city"><title>{label}</title></circle></a>'
            )
    parts.extend(marks)
    parts.append("</svg>")
    return Markup("".join(parts))
