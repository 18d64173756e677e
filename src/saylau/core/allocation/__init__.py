"""Votes to seats for party-list contests: thresholds, quota and divisor methods, ties.

The entry point is :func:`allocate_list`; every result carries the steps that explain it."""

from saylau.core.allocation.engine import ListResult, allocate_list

__all__ = ["ListResult", "allocate_list"]
