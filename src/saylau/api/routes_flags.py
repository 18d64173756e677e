"""Advisory flags on a commission's incoming protocols (read-only), in kk, ru or en.

For the people who approve protocols: each counted protocol under the commission with the
leads of :func:`saylau.services.flags.incoming_flags`. A flag never blocks or changes the
acceptance or approval of a protocol; nothing here writes anything.

The language is ``?lang=`` (kk, ru or en), else the first of the request's
``Accept-Language`` that is one of them, else English. The words come from the portal's
catalogues (:mod:`saylau.web.i18n`): the flags are said as the portal's forensics pages say
them, and the review page's own texts (``/api/review/texts``) are there too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel

from saylau.api.access import PUBLIC, rule
from saylau.api.auth import PrincipalDep, StoreDep
from saylau.core.election import Election
from saylau.core.entry import Stage
from saylau.core.names import LANGUAGES
from saylau.core.roles import Permission
from saylau.forensics import StationFlag
from saylau.services.flags import ADVISORY, Describe, incoming_flags
from saylau.web.forensics_pages import flag_sentences, kind_label
from saylau.web.i18n import Texts, texts

router = APIRouter(tags=["flags"])

DEFAULT_LANGUAGE = "en"

PAGE_TEXTS = {
    "title": "Incoming protocols",
    "title_of": "Incoming protocols: {commission}, {contest}",
    "advisory": ADVISORY,
    "signin": "Sign in (coordinator, observer or CEC administrator)",
    "login": "Login",
    "password": "Password",
    "signin_button": "Sign in",
    "signed_in": "Signed in as {user}",
    "language": "Language",
    "flagged": "Only protocols with a flag",
    "refresh": "Refresh",
    "station": "Station",
    "stage": "Stage",
    "flags": "Advisory flags",
    "caption": (
        "{count} protocols; each compared with the {compared} counted protocols of the contest"
    ),
    "version": "version {version}",
    "waiting": "screened once counted",
    "no_flag": "no flag",
    "null": "null: {null}",
}
"""The review page's texts by key: English message ids of the catalogues."""


def stage_key(stage: str) -> str:
    """The catalogue key of an entry stage (``stage: accepted``)."""
    return f"stage: {stage}"


class FlagOut(BaseModel):
    kind: str
    label: str
    measured: str
    null: str
    surprise: str
    score: float | None
    p_value: float | None
    significant: bool


class FlaggedProtocolOut(BaseModel):
    station: str
    commission: str
    stage: str
    version: int
    counted: bool
    flags: list[FlagOut]


class FlagsOut(BaseModel):
    election: str
    contest: str
    commission: str
    commission_name: str
    contest_title: str
    language: str
    advisory: str
    compared_with: int
    protocols: list[FlaggedProtocolOut]


class PageTextsOut(BaseModel):
    language: str
    texts: dict[str, str]
    stages: dict[str, str]


FlaggedOnly = Annotated[bool, Query(description="Only the protocols with a flag.")]
Lang = Annotated[str | None, Query(pattern="^(kk|ru|en)$", description="kk, ru or en.")]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]


def chosen_language(lang: str | None, accept_language: str | None) -> str:
    """``lang`` if given; else the first of ``Accept-Language`` (by weight, then order)
    that is kk, ru or en (``ru-RU`` is ru); else English."""
    if lang:
        return lang
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and weight > 0:
            weighted.append((-weight, position, language))
    return min(weighted)[2] if weighted else DEFAULT_LANGUAGE


def describe_in(t: Texts) -> Describe:
    """The words of a flag in ``t``'s language, as the portal's forensics pages say them."""

    def describe(election: Election, flag: StationFlag) -> dict[str, str]:
        commission = election.commissions.get(flag.commission)
        where = commission.name.get(t.language) if commission else flag.commission
        measured, null, surprise = flag_sentences(flag, where, t, None)
        label = kind_label(t, flag.kind)
        return {"label": label, "measured": measured, "null": null, "surprise": surprise}

    return describe


@router.get(
    "/api/elections/{election}/contests/{contest}/flags/{commission}",
    response_model=FlagsOut,
    openapi_extra=rule(Permission.READ_STATUS, "commission"),
)
def flags(
    *,
    election: str,
    contest: str,
    commission: str,
    principal: PrincipalDep,
    store: StoreDep,
    flagged: FlaggedOnly = False,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
) -> dict[str, Any]:
    """The contest's protocols that have arrived under a commission, each with its stage
    and, once counted, its advisory flags (leads for review, never proof; they never block
    or change acceptance). ``compared_with``: the counted protocols of the contest that each
    one is compared with. In ``lang`` (kk, ru or en), else in the first of
    ``Accept-Language`` that is one of them, else in English."""
    t = texts(chosen_language(lang, accept_language))
    answer = incoming_flags(
        store,
        principal,
        election,
        contest,
        commission,
        flagged_only=flagged,
        language=t.language,
        describe=describe_in(t),
    )
    return {**answer, "language": t.language, "advisory": t.gettext(ADVISORY)}


@router.get(
    "/api/review/texts",
    response_model=PageTextsOut,
    openapi_extra=rule(PUBLIC),
    include_in_schema=False,
)
def review_texts(lang: Lang = None, accept_language: AcceptLanguage = None) -> dict[str, Any]:
    """The review page's texts and the names of the entry stages in one language (the
    words of the page, like its script: no data)."""
    t = texts(chosen_language(lang, accept_language))
    return {
        "language": t.language,
        "texts": {key: t.gettext(message) for key, message in PAGE_TEXTS.items()},
        "stages": {str(stage): t.gettext(stage_key(stage)) for stage in Stage},
    }
