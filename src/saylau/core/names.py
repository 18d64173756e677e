"""Names in Kazakh, Russian and English."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("kk", "ru", "en")


@dataclass(frozen=True, slots=True)
class Names:
    kk: str
    ru: str
    en: str

    def get(self, language: str) -> str:
        """The name in ``language`` (kk, ru or en); English for any other."""
        if language == "kk":
            return self.kk
        if language == "ru":
            return self.ru
        return self.en

    @classmethod
    def same(cls, text: str) -> Names:
        """One name for all three languages (codes, numbers, foreign names)."""
        return cls(text, text, text)
