"""The map's border simplification: neighbours draw the same simplified border, so the map
has no gaps or overlaps along it (scripts/simplify_regions.py)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).parents[2] / "scripts" / "simplify_regions.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("simplify_regions", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["simplify_regions"] = module
    spec.loader.exec_module(module)
    return module


def wiggly_border(steps: int) -> list[tuple[float, float]]:
    """A border from (10, 0) to (10, 10) that wiggles a little around x = 10."""
    return [(10 + 0.3 * math.sin(3.7 * k), 10 * k / steps) for k in range(steps + 1)]


def rings() -> dict[str, list[list[tuple[float, float]]]]:
    """Two regions, west and east of the wiggly border, each ring running its own way."""
    border = wiggly_border(60)
    west = [(0.0, 0.0), *border, (0.0, 10.0), (0.0, 0.0)]
    east = [border[0], (20.0, 0.0), (20.0, 10.0), *reversed(border)]
    return {"W": [west], "E": [east]}


def near_border(ring: list[tuple[float, float]]) -> set[tuple[float, float]]:
    return {p for p in ring if 9 <= p[0] <= 11}


def test_neighbours_draw_the_same_simplified_border() -> None:
    script = load_script()
    simplified = script.simplify_shared(rings(), lambda v: v, 0.25)
    (west,) = simplified["W"]
    (east,) = simplified["E"]
    assert near_border(west) == near_border(east)
    assert len(near_border(west)) < 61  # simplified, not copied
    assert west[0] == west[-1]
    assert east[0] == east[-1]


def test_ring_by_ring_simplification_leaves_gaps() -> None:
    """Why the arcs: the same rings simplified one by one keep different border points."""
    script = load_script()
    west, east = (script.simplify(ring[0], 0.25) for ring in rings().values())
    assert near_border(west) != near_border(east)
