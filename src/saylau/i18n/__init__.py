"""Texts for people in Kazakh, Russian and English. The core returns data; this turns it
into sentences."""

from saylau.i18n.findings import describe_finding

__all__ = ["describe_finding"]
