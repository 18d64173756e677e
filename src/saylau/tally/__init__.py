"""Tallies up the commission tree, vectorised with NumPy.

The only per-station work is one grouped sum of the stations' rows into their commissions;
everything above that works on the (small) table of commissions."""

from saylau.tally.aggregate import ContestTally, tally_contest
from saylau.tally.tree import TreeIndex

__all__ = ["ContestTally", "TreeIndex", "tally_contest"]
