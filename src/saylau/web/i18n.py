"""The portal's languages: Babel message catalogues, and numbers and dates per language.

The catalogues are ``locales/<lang>/LC_MESSAGES/portal.po`` next to this module, read with
Babel when first needed. Message ids are the English texts; the English catalogue holds only
the ids that are keys rather than texts (``outcome: elected``). Names of commissions,
parties, candidates and contests are not in the catalogues: they come from the election
definition, which carries them in kk, ru and en.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from saylau.core.names import LANGUAGES
from saylau.core.serialize import decimal_text

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
DEFAULT_LANGUAGE = "kk"
TIME_ZONE = "Asia/Almaty"
"""Times are shown in Kazakhstan's time (UTC if the zone database is missing)."""


@cache
def catalogue(language: str) -> dict[str, str]:
    """Message id -> translation of one language. English, the language of the message
    ids, has entries only for the ids that are keys (``level: region``)."""
    source = resources.files("saylau.web").joinpath(f"locales/{language}/LC_MESSAGES/portal.po")
    with source.open("rb") as handle:
        parsed = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in parsed
        if message.id and isinstance(message.string, str) and message.string
    }


@cache
def _zone() -> ZoneInfo | None:
    try:
        return ZoneInfo(TIME_ZONE)
    except ZoneInfoNotFoundError:
        return None


@dataclass(frozen=True)
class Texts:
    """Translations and formatting for one language (kk, ru or en)."""

    language: str

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"no language {self.language!r}: one of {', '.join(LANGUAGES)}")

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str, **values: object) -> str:
        """The message in this language, with ``{name}`` placeholders filled."""
        text = catalogue(self.language).get(message, message)
        return text.format(**values) if values else text

    @property
    def symbols(self) -> tuple[str, str]:
        """This language's digit group separator and decimal sign."""
        return _symbols(self.language)

    def number(self, value: int) -> str:
        """A whole number with this language's digit grouping."""
        group, _ = self.symbols
        return f"{value:,}".replace(",", group)

    def percent(self, part: int, whole: int, places: int = 2) -> str:
        """``part`` of ``whole`` in per cent, rounded from the exact fraction (no float)."""
        if not whole:
            return "–"
        return self.decimal(Fraction(100 * part, whole), places) + "\u00a0%"

    def decimal(self, value: Fraction, places: int = 2) -> str:
        """An exact fraction rounded half-up to ``places`` decimals, in this language."""
        whole, _, fraction = decimal_text(value, places).partition(".")
        group, sign = self.symbols
        text = f"{int(whole):,}".replace(",", group)
        if whole.startswith("-") and not text.startswith("-"):
            text = "-" + text
        return f"{text}{sign}{fraction}" if fraction else text

    def time(self, moment: datetime | None) -> str:
        """A time in Kazakhstan's time zone, written as this language writes it."""
        if moment is None:
            return "–"
        return _datetime(self.language, moment)

    def day(self, value: date) -> str:
        """A calendar date written out, e.g. 19 March 2023."""
        return str(format_date(value, format="long", locale=self.language))


@cache
def _symbols(language: str) -> tuple[str, str]:
    sample = str(format_decimal(Decimal("1234.5"), format="#,##0.0", locale=language))
    return sample[1], sample[-2]


@lru_cache(maxsize=65_536)
def _datetime(language: str, moment: datetime) -> str:
    zone = _zone()
    text = format_datetime(moment, format="medium", tzinfo=zone or moment.tzinfo, locale=language)
    return f"{text} ({TIME_ZONE if zone else 'UTC'})"


@cache
def texts(language: str) -> Texts:
    return Texts(language)
