"""Where each page and data file lives. One scheme for the server and the static site:
every page is a folder with an ``index.html`` (``/kk/station/ID/``), so a static server
serves it as is."""

from __future__ import annotations

from dataclasses import dataclass

from saylau.web.assets import assets

DATA_FORMATS = ("csv", "json", "parquet")


@dataclass(frozen=True)
class Urls:
    """Links, all under ``base`` (no trailing slash; "" for the root)."""

    base: str = ""

    def national(self, language: str) -> str:
        return f"{self.base}/{language}/"

    def turnout(self, language: str) -> str:
        return f"{self.base}/{language}/turnout/"

    def commission(self, language: str, commission: str) -> str:
        return f"{self.base}/{language}/commission/{commission}/"

    def station(self, language: str, station: str) -> str:
        return f"{self.base}/{language}/station/{station}/"

    def contest(self, language: str, contest: str) -> str:
        return f"{self.base}/{language}/contest/{contest}/"

    def districts(self, language: str) -> str:
        return f"{self.base}/{language}/districts/"

    def maslikhats(self, language: str) -> str:
        return f"{self.base}/{language}/maslikhats/"

    def maslikhat(self, language: str, maslikhat: str) -> str:
        return f"{self.base}/{language}/maslikhat/{maslikhat}/"

    def forensics(self, language: str, contest: str, commission: str | None = None) -> str:
        """The screening of a contest: of all its stations, or of those under ``commission``."""
        tail = "" if commission is None else f"{commission}/"
        return f"{self.base}/{language}/forensics/{contest}/{tail}"

    def data(self, name: str, fmt: str) -> str:
        """A data file, e.g. ``data("station/kz-...", "csv")``."""
        return f"{self.base}/data/{name}.{fmt}"

    def nist(self) -> str:
        return f"{self.base}/data/results.nist.json"

    def asset(self, name: str) -> str:
        return f"{self.base}/static/{assets()[name].hashed}"

    def switch(self, path: str, language: str) -> str:
        """The same page in another language: ``path`` is this page's URL."""
        rest = path[len(self.base) :].lstrip("/")
        _, _, tail = rest.partition("/")
        return f"{self.base}/{language}/{tail}"
