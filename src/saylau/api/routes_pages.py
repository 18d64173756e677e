"""The pages: the data-entry form of a protocol as on paper (kk/ru/en), with the controls'
findings shown inline, the accounts page of the administrators, and the review of a
commission's incoming protocols with their advisory flags. They call the API like any other
client; what they share (the status line, API calls, signing in) is one script,
``/staff.js``."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from saylau.api.access import PUBLIC, rule

router = APIRouter(tags=["pages"])

_PAGE = resources.files("saylau.api").joinpath("static/entry.html")


@router.get(
    "/entry/{election}/{station}/{contest}",
    response_class=HTMLResponse,
    openapi_extra=rule(PUBLIC),
)
def entry_page(election: str, station: str, contest: str) -> HTMLResponse:
    """The entry form of one protocol (the page itself holds no data)."""
    return HTMLResponse(_PAGE.read_text(encoding="utf-8"))


_ADMIN = resources.files("saylau.api").joinpath("static/admin.html")


@router.get("/admin", response_class=HTMLResponse, openapi_extra=rule(PUBLIC))
def admin_page() -> HTMLResponse:
    """Accounts and roles, for the CEC's administrators (the page itself holds no data)."""
    return HTMLResponse(_ADMIN.read_text(encoding="utf-8"))


_REVIEW = resources.files("saylau.api").joinpath("static/review.html")


@router.get(
    "/review/{election}/{commission}/{contest}",
    response_class=HTMLResponse,
    openapi_extra=rule(PUBLIC),
)
def review_page(election: str, commission: str, contest: str) -> HTMLResponse:
    """A commission's incoming protocols with their advisory flags, for coordinators and
    observers (the page itself holds no data)."""
    return HTMLResponse(_REVIEW.read_text(encoding="utf-8"))


_STAFF_SCRIPT = resources.files("saylau.api").joinpath("static/staff.js")


@router.get("/staff.js", openapi_extra=rule(PUBLIC), include_in_schema=False)
def staff_script() -> Response:
    """The staff pages' shared script: the status line, API calls, signing in."""
    text = _STAFF_SCRIPT.read_text(encoding="utf-8")
    return Response(text, media_type="text/javascript; charset=utf-8")
