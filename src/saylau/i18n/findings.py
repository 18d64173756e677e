"""Control findings as sentences for the operator, in kk/ru/en, with what to do next.

Each message names the protocol lines by their number on the form and the numbers involved.
"""

from __future__ import annotations

from fractions import Fraction

from saylau.core.controls import Finding
from saylau.core.protocol import LINE_NUMBERS, Line
from saylau.core.serialize import decimal_text

L = {line.value.removeprefix("ballots_"): LINE_NUMBERS[line] for line in Line}

MESSAGES: dict[str, dict[str, str]] = {
    "received-balance": {
        "en": "Ballots received ({received}) must equal ballots issued ({issued}) plus ballots "
        "cancelled ({cancelled}) = {expected}: recount the unused ballots or correct lines "
        "{l_received}-{l_cancelled}.",
        "ru": "Число полученных бюллетеней ({received}) должно равняться сумме выданных "
        "({issued}) и погашенных ({cancelled}) = {expected}: пересчитайте неиспользованные "
        "бюллетени или исправьте строки {l_received}-{l_cancelled}.",
        "kk": "Алынған бюллетеньдер саны ({received}) берілген ({issued}) және өтелген "
        "({cancelled}) бюллетеньдердің қосындысына = {expected} тең болуы керек: "
        "пайдаланылмаған бюллетеньдерді қайта санаңыз немесе {l_received}-{l_cancelled} "
        "жолдарды түзетіңіз.",
    },
    "found-over-issued": {
        "en": "Ballots found in the boxes ({found}) exceed ballots issued ({issued}): recount "
        "the boxes or correct line {l_found}.",
        "ru": "Бюллетеней в ящиках ({found}) больше, чем выдано ({issued}): пересчитайте "
        "бюллетени из ящиков или исправьте строку {l_found}.",
        "kk": "Жәшіктердегі бюллетеньдер ({found}) берілгеннен ({issued}) көп: жәшіктердегі "
        "бюллетеньдерді қайта санаңыз немесе {l_found}-жолды түзетіңіз.",
    },
    "valid-invalid-found": {
        "en": "Valid ({valid}) plus invalid ({invalid}) ballots make {expected}, but {found} "
        "were found in the boxes: recount the ballots or correct lines {l_found}-{l_valid}.",
        "ru": "Действительные ({valid}) и недействительные ({invalid}) бюллетени в сумме "
        "дают {expected}, а в ящиках найдено {found}: пересчитайте бюллетени или исправьте "
        "строки {l_found}-{l_valid}.",
        "kk": "Жарамды ({valid}) және жарамсыз ({invalid}) бюллетеньдердің қосындысы "
        "{expected}, ал жәшіктерден {found} табылды: бюллетеньдерді қайта санаңыз немесе "
        "{l_found}-{l_valid} жолдарды түзетіңіз.",
    },
    "votes-valid": {
        "en": "Votes for all choices plus 'against all' make {votes}, but valid ballots are "
        "{valid}: check the vote lines or line {l_valid}.",
        "ru": "Сумма голосов за всех и «против всех» равна {votes}, а действительных "
        "бюллетеней {valid}: проверьте строки голосов или строку {l_valid}.",
        "kk": "Барлығына және «бәріне қарсы» берілген дауыстардың қосындысы {votes}, ал "
        "жарамды бюллетеньдер {valid}: дауыс жолдарын немесе {l_valid}-жолды тексеріңіз.",
    },
    "issued-over-list": {
        "en": "Ballots issued ({issued}) exceed the voters on the list ({voters}) plus the "
        "allowance for voters added on the day ({allowance}): check line {l_voters} or lines "
        "{l_issued}-{l_issued_outside}.",
        "ru": "Выдано бюллетеней ({issued}) больше, чем избирателей в списке ({voters}) с "
        "учётом дополнительно включённых ({allowance}): проверьте строку {l_voters} или "
        "строки {l_issued}-{l_issued_outside}.",
        "kk": "Берілген бюллетеньдер ({issued}) тізімдегі сайлаушылардан ({voters}) және "
        "қосымша енгізілгендерден ({allowance}) көп: {l_voters}-жолды немесе "
        "{l_issued}-{l_issued_outside} жолдарды тексеріңіз.",
    },
    "turnout-high": {
        "en": "Turnout {turnout} % ({issued} of {voters}) is unusually high: confirm it with "
        "the commission and acknowledge with a reason.",
        "ru": "Явка {turnout} % ({issued} из {voters}) необычно высока: подтвердите её с "
        "комиссией и укажите причину.",
        "kk": "Сайлауға қатысу {turnout} % ({voters} ішінен {issued}) әдеттен тыс жоғары: "
        "комиссиямен растап, себебін көрсетіңіз.",
    },
    "turnout-low": {
        "en": "Turnout {turnout} % ({issued} of {voters}) is unusually low: confirm it with "
        "the commission and acknowledge with a reason.",
        "ru": "Явка {turnout} % ({issued} из {voters}) необычно низка: подтвердите её с "
        "комиссией и укажите причину.",
        "kk": "Сайлауға қатысу {turnout} % ({voters} ішінен {issued}) әдеттен тыс төмен: "
        "комиссиямен растап, себебін көрсетіңіз.",
    },
    "invalid-share": {
        "en": "Invalid ballots are {share} % of those found ({invalid} of {found}): confirm "
        "line {l_invalid} and acknowledge with a reason.",
        "ru": "Недействительные бюллетени составляют {share} % найденных ({invalid} из "
        "{found}): подтвердите строку {l_invalid} и укажите причину.",
        "kk": "Жарамсыз бюллетеньдер табылғандардың {share} % құрайды ({found} ішінен "
        "{invalid}): {l_invalid}-жолды растап, себебін көрсетіңіз.",
    },
    "ballots-missing": {
        "en": "{missing} ballots issued were not found in the boxes ({found} of {issued}): "
        "confirm lines {l_issued} and {l_found} and acknowledge with a reason.",
        "ru": "{missing} выданных бюллетеней не найдено в ящиках ({found} из {issued}): "
        "подтвердите строки {l_issued} и {l_found} и укажите причину.",
        "kk": "Берілген {missing} бюллетень жәшіктерден табылмады ({issued} ішінен {found}): "
        "{l_issued} және {l_found} жолдарды растап, себебін көрсетіңіз.",
    },
}


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "0"
    return decimal_text(Fraction(100 * part, whole), 1)


def describe_finding(finding: Finding, language: str = "en") -> str:
    """The finding as one sentence in ``language`` (kk, ru or en), prefixed by its code."""
    texts = MESSAGES[finding.key]
    template = texts.get(language, texts["en"])
    values: dict[str, object] = {f"l_{name}": number for name, number in L.items()}
    values.update(finding.values)
    v = finding.values
    if finding.key == "received-balance":
        values["expected"] = v["issued"] + v["cancelled"]
    elif finding.key == "valid-invalid-found":
        values["expected"] = v["valid"] + v["invalid"]
    elif finding.key in ("turnout-high", "turnout-low"):
        values["turnout"] = _percent(v["issued"], v["voters"])
    elif finding.key == "invalid-share":
        values["share"] = _percent(v["invalid"], v["found"])
    elif finding.key == "ballots-missing":
        values["missing"] = v["issued"] - v["found"]
    return f"{finding.code}: {template.format(**values)}"
