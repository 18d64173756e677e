"""Ties and lots: the procedure documented in saylau.core.ties, replayed independently."""

from __future__ import annotations

import hashlib
import re

import pytest

from saylau.core.allocation import allocate_list
from saylau.core.errors import InputError
from saylau.core.rules import ListRule, Method, TieRule
from saylau.core.ties import LOT_PREFIX, TiePolicy, break_tie, lot_ticket
from saylau.core.votes import Choice, ContestVotes

REGISTRATION = TiePolicy.parse("registration")
NONE = TiePolicy.parse("none")


def sha256_ticket(seed: str, context: str, name: str) -> str:
    """The documented ticket, computed without saylau."""
    payload = f"saylau-lot-v1\n{seed}\n{context}\n{name}".encode()
    return hashlib.sha256(payload).hexdigest()


def test_lot_prefix_is_versioned() -> None:
    assert LOT_PREFIX == "saylau-lot-v1"


def test_registration_gives_the_earlier_party() -> None:
    tie = break_tie(["Zeta", "Alpha", "Mu"], 1, context="c", value="7", policy=REGISTRATION)
    assert tie.winners == ("Zeta",)
    assert tie.resolved
    assert tie.tickets == ()
    assert tie.policy == "registration"
    two = break_tie(["Zeta", "Alpha", "Mu"], 2, context="c", value="7", policy=REGISTRATION)
    assert two.winners == ("Zeta", "Alpha")


def test_registration_order_decides_an_allocation() -> None:
    rule = ListRule(method=Method.DHONDT)
    first = allocate_list(
        ContestVotes.of([Choice("B", 10), Choice("A", 10)]), rule, 1, ties=REGISTRATION
    )
    assert dict(first.seats) == {"B": 1, "A": 0}
    assert first.ties[0].contenders == ("B", "A")
    second = allocate_list(
        ContestVotes.of([Choice("A", 10), Choice("B", 10)]), rule, 1, ties=REGISTRATION
    )
    assert dict(second.seats) == {"A": 1, "B": 0}


@pytest.mark.parametrize(
    ("seed", "context", "name"),
    [
        ("2023-03-19", "mazhilis-list: remainder seats", "AMANAT"),
        ("seed with spaces", "district 7: election", "Ақ жол"),
        ("сид", "c", "Respublica"),
    ],
)
def test_lot_ticket_is_the_documented_sha256(seed: str, context: str, name: str) -> None:
    ticket = lot_ticket(seed, context, name)
    assert ticket == sha256_ticket(seed, context, name)
    assert re.fullmatch(r"[0-9a-f]{64}", ticket)


def test_known_ticket_value() -> None:
    # Pinned so that a change of the procedure is noticed: published lots must stay replayable.
    assert lot_ticket("s", "c", "n") == hashlib.sha256(b"saylau-lot-v1\ns\nc\nn").hexdigest()


def test_the_lowest_tickets_win() -> None:
    names = ["A", "B", "C", "D", "E"]
    for places in range(1, 5):
        tie = break_tie(names, places, context="ctx", value="1", policy=TiePolicy.parse("lot:42"))
        tickets = {name: sha256_ticket("42", "ctx", name) for name in names}
        lowest = sorted(names, key=tickets.__getitem__)[:places]
        assert set(tie.winners or ()) == set(lowest)
        # Winners are listed in registration order, tickets for every contender.
        assert list(tie.winners or ()) == [n for n in names if n in lowest]
        assert [(t.name, t.ticket) for t in tie.tickets] == list(tickets.items())
        assert tie.policy == "lot:42"


def test_a_lot_does_not_depend_on_the_order_of_the_contenders() -> None:
    policy = TiePolicy.parse("lot:order")
    forward = break_tie(["A", "B", "C"], 1, context="x", value="1", policy=policy)
    backward = break_tie(["C", "B", "A"], 1, context="x", value="1", policy=policy)
    assert forward.winners == backward.winners


def test_different_contexts_draw_independently() -> None:
    policy = TiePolicy.parse("lot:independent")
    winners = {
        break_tie(["A", "B"], 1, context=f"contest {i}", value="1", policy=policy).winners
        for i in range(32)
    }
    assert winners == {("A",), ("B",)}
    assert lot_ticket("s", "one", "A") != lot_ticket("s", "two", "A")
    assert lot_ticket("s1", "one", "A") != lot_ticket("s2", "one", "A")


def test_the_label_is_part_of_the_context_in_an_allocation() -> None:
    votes = ContestVotes.of([Choice("A", 10), Choice("B", 10)])
    rule = ListRule(method=Method.DHONDT)
    contexts = set()
    for label in ("north", "south"):
        result = allocate_list(votes, rule, 1, ties=TiePolicy.parse("lot:L"), label=label)
        (tie,) = result.ties
        assert tie.context.startswith(label)
        assert [t.ticket for t in tie.tickets] == [
            sha256_ticket("L", tie.context, n) for n in ("A", "B")
        ]
        contexts.add(tie.context)
    assert len(contexts) == 2


def test_policy_none_leaves_the_tie_unresolved() -> None:
    tie = break_tie(["A", "B"], 1, context="c", value="3", policy=NONE)
    assert tie.winners is None
    assert not tie.resolved
    assert tie.value == "3"
    assert tie.policy == "none"


@pytest.mark.parametrize(("places", "contenders"), [(0, 2), (2, 2), (3, 2), (1, 1)])
def test_break_tie_needs_more_contenders_than_places(places: int, contenders: int) -> None:
    with pytest.raises(ValueError, match="a tie needs more contenders than places"):
        break_tie(["A", "B"][:contenders], places, context="c", value="1", policy=NONE)


@pytest.mark.parametrize(
    ("text", "rule", "seed"),
    [
        ("registration", TieRule.REGISTRATION, None),
        ("none", TieRule.NONE, None),
        ("lot:2023-03-19", TieRule.LOT, "2023-03-19"),
        ("lot:a:b", TieRule.LOT, "a:b"),
    ],
)
def test_tie_policy_parse_and_print(text: str, rule: TieRule, seed: str | None) -> None:
    policy = TiePolicy.parse(text)
    assert policy.rule is rule
    assert policy.seed == seed
    assert str(policy) == text


@pytest.mark.parametrize(
    "text", ["", "lot", "lot:", "LOT:x", "Registration", " none", "random", "lot-x", "lot:a\nb"]
)
def test_tie_policy_parse_rejects_bad_text(text: str) -> None:
    expected = (
        f"tie policy must be registration, none or lot:SEED (a seed of one line), found {text!r}"
    )
    with pytest.raises(InputError) as caught:
        TiePolicy.parse(text)
    assert str(caught.value) == expected
    assert caught.value.message == expected
    assert caught.value.field == "ties"


def test_a_seed_that_is_not_utf_8_text_is_refused() -> None:
    # `saylau seats tie.csv --ties "$(printf 'lot:\xff')"` in a UTF-8 locale passes 'lot:\udcff'.
    with pytest.raises(InputError) as caught:
        TiePolicy.parse("lot:\udcff")
    assert caught.value.field == "ties"
