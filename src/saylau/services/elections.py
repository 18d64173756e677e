"""Election definitions in the store: load a shipped one, find the one meant."""

from __future__ import annotations

import json

from saylau.core.election import Election, parse_election
from saylau.elections import kz2023
from saylau.store.db import Store
from saylau.store.errors import NotFound
from saylau.store.repository import election_ids, load_election, save_election

SHIPPED = {kz2023.ELECTION_ID: kz2023.build_definition}


def shipped_definition(election_id: str, seed: int = 2023) -> tuple[Election, str]:
    """A shipped election definition, parsed, and its JSON document."""
    if election_id not in SHIPPED:
        raise NotFound(
            f"no shipped election {election_id!r}: the shipped ones are {', '.join(SHIPPED)}"
        )
    document = SHIPPED[election_id](seed)
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)
    return parse_election(document, election_id), text


def ensure_shipped(store: Store, election_id: str, seed: int = 2023) -> tuple[Election, bool]:
    """Store a shipped definition if it is not stored yet; returns it and whether it was new."""
    election, text = shipped_definition(election_id, seed)
    with store.session() as session:
        created = save_election(session, election, text)
    return election, created


def resolve_election(store: Store, election_id: str | None) -> Election:
    """The election named, or the only one stored."""
    with store.session() as session:
        if election_id is None:
            ids = election_ids(session)
            if not ids:
                raise NotFound(
                    "the store holds no election yet: run 'saylau generate' or 'saylau import'"
                )
            if len(ids) > 1:
                raise NotFound(f"the store holds several elections ({', '.join(ids)}): name one")
            election_id = ids[0]
        return load_election(session, election_id)
