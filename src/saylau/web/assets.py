"""The portal's static files (CSS, a little JS), named by their content hash.

``portal.css`` is served as ``portal.<first 10 hex of its SHA-256>.css``, so a page always
points to the exact file it was rendered with and caches may keep it forever.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

FILES = ("portal.css", "portal.js")
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    hashed: str
    content: bytes
    media_type: str


@cache
def assets() -> dict[str, Asset]:
    """Every static file by its plain name."""
    folder = resources.files("saylau.web").joinpath("static")
    found = {}
    for name in FILES:
        content = folder.joinpath(name).read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:10]
        stem, dot, suffix = name.rpartition(".")
        found[name] = Asset(name, f"{stem}.{digest}.{suffix}", content, TYPES[dot + suffix])
    return found


@cache
def by_hashed_name() -> dict[str, Asset]:
    return {asset.hashed: asset for asset in assets().values()}
