"""Whole numbers with exact sums: apportionment with bounds, margin fitting, controlled rounding.

The generator needs tables of votes whose sums are fixed in advance (the official national
totals) while every station's row adds up to its own valid ballots. Three steps give that:

1. :func:`fit_margins` scales a table of positive weights to the wanted row and column sums
   (iterative proportional fitting: rows, then columns, until both hold);
2. :func:`round_rows` rounds every row to whole numbers with the exact row sum (largest
   remainders within the row);
3. :func:`round_matrix` then moves single units between columns, inside one row at a time,
   until every column sum is exact too. A move takes a unit from a cell that was rounded up
   and gives it to a cell of the same row that was rounded down, so rows stay exact and each
   cell stays within one of its fitted value.

:func:`apportion` splits one whole number over items in proportion to weights, inside lower
and upper bounds per item (used for station sizes, ballots issued and invalid ballots).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def apportion(
    total: int,
    weights: FloatArray,
    lower: IntArray | None = None,
    upper: IntArray | None = None,
) -> IntArray:
    """Whole numbers ``x`` with ``sum(x) == total`` and ``lower <= x <= upper``, as close to
    proportional to ``weights`` as the bounds allow (a common factor is found by bisection,
    then the largest fractional parts get the units left)."""
    w = np.asarray(weights, dtype=np.float64)
    n = w.shape[0]
    lo = np.zeros(n, np.int64) if lower is None else np.asarray(lower, np.int64)
    hi = np.full(n, total, np.int64) if upper is None else np.asarray(upper, np.int64)
    if np.any(lo > hi) or int(lo.sum()) > total or int(hi.sum()) < total or np.any(w < 0):
        raise ValueError(f"cannot apportion {total} within the bounds given")
    flo = lo.astype(np.float64)
    fhi = hi.astype(np.float64)
    positive = w > 0
    if int(np.where(positive, hi, lo).sum()) < total:
        raise ValueError(f"cannot apportion {total}: items without weight are held at the bound")
    low, high = 0.0, 1.0
    while np.clip(high * w, flo, fhi).sum() < total:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2
        if np.clip(middle * w, flo, fhi).sum() < total:
            low = middle
        else:
            high = middle
    share = np.clip(high * w, flo, fhi)
    result = np.floor(share).astype(np.int64)
    result = np.clip(result, lo, hi)
    left = total - int(result.sum())
    fraction = share - result
    if left > 0:
        room = result < hi
        order = np.argsort(-np.where(room, fraction, -1.0), kind="stable")
        result[order[:left]] += 1
    elif left < 0:
        room = result > lo
        order = np.argsort(np.where(room, fraction, 2.0), kind="stable")
        result[order[:-left]] -= 1
    return result


def fit_margins(
    weights: FloatArray,
    rows: IntArray,
    columns: IntArray,
    *,
    iterations: int = 500,
    tolerance: float = 1e-7,
) -> FloatArray:
    """Scale positive ``weights`` (rows x columns) until the row sums are ``rows`` and the column
    sums are ``columns`` (iterative proportional fitting). Both margins must add up to the same
    total; a zero row or column stays zero."""
    if int(rows.sum()) != int(columns.sum()):
        raise ValueError("row and column totals differ")
    x = np.array(weights, dtype=np.float64)
    r = rows.astype(np.float64)
    c = columns.astype(np.float64)
    for _ in range(iterations):
        sums = x.sum(axis=1)
        x *= np.divide(r, sums, out=np.zeros_like(r), where=sums > 0)[:, None]
        sums = x.sum(axis=0)
        x *= np.divide(c, sums, out=np.zeros_like(c), where=sums > 0)[None, :]
        if np.abs(x.sum(axis=1) - r).max(initial=0.0) < tolerance:
            break
    sums = x.sum(axis=1)
    x *= np.divide(r, sums, out=np.zeros_like(r), where=sums > 0)[:, None]
    return x


def round_rows(shares: FloatArray, rows: IntArray) -> IntArray:
    """Round each row of ``shares`` (scaled to its row sum first) to whole numbers adding up
    exactly to ``rows`` (largest remainders within the row; earlier columns win equal ones)."""
    x = np.array(shares, dtype=np.float64)
    sums = x.sum(axis=1)
    r = rows.astype(np.float64)
    x *= np.divide(r, sums, out=np.zeros_like(r), where=sums > 0)[:, None]
    if x.shape[1] == 0:
        return np.zeros(x.shape, np.int64)
    empty = sums <= 0
    if np.any(empty & (rows > 0)):
        x[empty, 0] = r[empty]
    base = np.floor(x).astype(np.int64)
    left = rows - base.sum(axis=1)
    order = np.argsort(-(x - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(x.shape[1])[None, :], axis=1)
    base += (rank < left[:, None]).astype(np.int64)
    return base


def round_matrix(fitted: FloatArray, rows: IntArray, columns: IntArray) -> IntArray:
    """Whole numbers with exact row sums ``rows`` and exact column sums ``columns`` close to
    ``fitted`` (a table already fitted to both margins, see :func:`fit_margins`)."""
    table = round_rows(fitted, rows)
    error = table - fitted
    need = columns - table.sum(axis=0)
    while np.any(need != 0):
        give = int(np.argmin(need))  # column with too many units
        take = int(np.argmax(need))  # column with too few
        moves = int(min(-need[give], need[take]))
        able = table[:, give] > 0
        score = np.where(able, error[:, give] - error[:, take], -np.inf)
        count = min(moves, int(able.sum()))
        if count == 0:
            raise ValueError("cannot round the table to the margins given")
        chosen = np.argsort(-score, kind="stable")[:count]
        table[chosen, give] -= 1
        table[chosen, take] += 1
        error[chosen, give] -= 1.0
        error[chosen, take] += 1.0
        need[give] += count
        need[take] -= count
    return table


def exact_table(weights: FloatArray, rows: IntArray, columns: IntArray) -> IntArray:
    """Fit ``weights`` to both margins and round: whole numbers, every row and column exact."""
    return round_matrix(fit_margins(weights, rows, columns), rows, columns)
