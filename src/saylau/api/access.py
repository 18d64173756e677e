"""What each route requires, declared on the route itself.

Every route of the API carries ``openapi_extra={"x-access": {...}}`` built by :func:`rule`:
who may call it (``public``, ``signed-in`` or a permission of :mod:`saylau.core.roles`) and
which path parameter names the place where the permission must be held. The OpenAPI spec
shows it, and the authorization tests read it from the route table, so a route without it
fails the tests.
"""

from __future__ import annotations

from typing import Any

from saylau.core.roles import Permission

ACCESS_KEY = "x-access"
PUBLIC = "public"
SIGNED_IN = "signed-in"


def rule(permission: Permission | str, place: str | None = None) -> dict[str, Any]:
    """``openapi_extra`` of a route: ``permission`` held at the path parameter ``place``
    (``root``: the CEC; ``body``: the commission named in the request body)."""
    return {ACCESS_KEY: {"permission": str(permission), "place": place}}
