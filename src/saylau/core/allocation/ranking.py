"""Choosing the first ``k`` of a ranking, with the tie at the cut made explicit."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from saylau.core.rules import LegalRef
from saylau.core.ties import Tie, TiePolicy, break_tie


def select_top(
    items: Sequence[tuple[str, Fraction | int]],
    places: int,
    *,
    context: str,
    policy: TiePolicy,
    reference: LegalRef | None,
    highest: bool = True,
) -> tuple[list[str], Tie | None]:
    """The ``places`` names with the highest keys (lowest if ``highest`` is false).

    ``items`` are in registration order. Returns the chosen names (in ranking order) and the
    tie, if equal keys straddled the cut; names at stake in an unresolved tie are left out.

    With ``highest`` false the choice is a loss (a seat withdrawn): the tie policy then
    favours the contenders that keep their seat, so under ``registration`` the party
    registered later loses it."""
    if places <= 0:
        return [], None
    ranked = sorted(items, key=lambda item: item[1], reverse=highest)
    if places >= len(ranked):
        return [name for name, _ in ranked], None
    cut_key = ranked[places - 1][1]
    if ranked[places][1] != cut_key:
        return [name for name, _ in ranked[:places]], None
    sure = [name for name, key in ranked if (key > cut_key if highest else key < cut_key)]
    tied = [name for name, key in items if key == cut_key]
    needed = places - len(sure)
    if highest:
        tie = break_tie(
            tied, needed, context=context, value=str(cut_key), policy=policy, reference=reference
        )
        return sure + list(tie.winners or ()), tie
    tie = break_tie(
        tied,
        len(tied) - needed,
        context=context,
        value=str(cut_key),
        policy=policy,
        reference=reference,
    )
    if tie.winners is None:
        return sure, tie
    return sure + [name for name in tied if name not in tie.winners], tie
