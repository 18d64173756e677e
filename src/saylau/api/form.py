"""The protocol form as the typists see it: the lines in the order, numbering and wording of
the paper protocol, in Kazakh, Russian or English, then one line per party or candidate in
ballot order. Finding messages come from :mod:`saylau.i18n.findings`."""

from __future__ import annotations

from typing import Any

from saylau.core.controls import Finding, Severity
from saylau.core.election import Election
from saylau.core.protocol import FIRST_VOTES_LINE, LINE_NUMBERS, LINE_TITLES, Line
from saylau.i18n.findings import describe_finding

LANGUAGES = ("kk", "ru", "en")

TITLES: dict[str, dict[Line, str]] = {
    "en": {line: title[0].upper() + title[1:] for line, title in LINE_TITLES.items()},
    "ru": {
        Line.VOTERS: "Число избирателей, внесённых в списки",
        Line.RECEIVED: "Число бюллетеней, полученных участковой комиссией",
        Line.ISSUED: "Число бюллетеней, выданных в помещении для голосования",
        Line.ISSUED_OUTSIDE: "Число бюллетеней, выданных вне помещения для голосования",
        Line.CANCELLED: "Число погашенных (неиспользованных) бюллетеней",
        Line.FOUND: "Число бюллетеней, обнаруженных в ящиках для голосования",
        Line.INVALID: "Число недействительных бюллетеней",
        Line.VALID: "Число действительных бюллетеней",
        Line.AGAINST_ALL: "Число голосов «против всех»",
    },
    "kk": {
        Line.VOTERS: "Тізімге енгізілген сайлаушылар саны",
        Line.RECEIVED: "Учаскелік комиссия алған бюллетеньдер саны",
        Line.ISSUED: "Дауыс беру үй-жайында берілген бюллетеньдер саны",
        Line.ISSUED_OUTSIDE: "Дауыс беру үй-жайынан тыс жерде берілген бюллетеньдер саны",
        Line.CANCELLED: "Өтелген (пайдаланылмаған) бюллетеньдер саны",
        Line.FOUND: "Дауыс беруге арналған жәшіктерден табылған бюллетеньдер саны",
        Line.INVALID: "Жарамсыз бюллетеньдер саны",
        Line.VALID: "Жарамды бюллетеньдер саны",
        Line.AGAINST_ALL: "«Бәріне қарсы» дауыстар саны",
    },
}


def protocol_form(chosen: Election, station: str, contest: str, language: str) -> dict[str, Any]:
    titles = TITLES[language]
    definition = chosen.contests[contest]
    lines = [
        {"number": LINE_NUMBERS[line], "key": line.value, "title": titles[line]} for line in Line
    ]
    choices = [
        {
            "number": FIRST_VOTES_LINE + position,
            "key": choice.id,
            "title": choice.name.get(language),
        }
        for position, choice in enumerate(definition.choices)
    ]
    return {
        "election": chosen.id,
        "station": station,
        "contest": contest,
        "language": language,
        "title": definition.title.get(language),
        "lines": lines,
        "choices": choices,
    }


def with_messages(findings: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Findings as plain data with their message in ``language``."""
    described = []
    for data in findings:
        finding = Finding(
            data["code"],
            data["key"],
            Severity(data["severity"]),
            tuple(data["lines"]),
            dict(data["values"]),
        )
        described.append({**data, "message": describe_finding(finding, language)})
    return described
