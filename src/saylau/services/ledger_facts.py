"""What a process knows for good of a store's ledger, learnt from committed transactions.

A ledger's definition, a commission's key registration and a protocol event are never
removed, so once a transaction that saw or wrote one has committed, the appenders
(:class:`saylau.services.ledger.LedgerAppender`) of later transactions need not read them
again. The facts are kept per engine and per ledger (its first event's hash); an appender
registers itself in its session (:data:`APPENDERS`) and is told after the commit
(``_remember``); a rolled-back transaction teaches nothing, nor does a released savepoint
(its transaction may still roll back).

With a key directory, the facts also hold each commission's current key id as the ledger
says (``current_keys``), learnt from the key events up to ``keys_through``: a later appender
reads only the key events after that (a rotation made by another process included).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from sqlalchemy import event as orm_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


@dataclass
class Committed:
    """What a store's ledger is known to hold for good: facts seen in transactions that
    committed (a definition, a key registration, a protocol event is never removed)."""

    election: str | None = None
    registered: set[str] = field(default_factory=set)
    any_protocol: bool = False
    current_keys: dict[str, str] = field(default_factory=dict)
    keys_through: int = -1
    """``current_keys`` holds what the key events up to this sequence say."""

    def learn_keys(self, current: dict[str, str], through: int) -> None:
        """What a committed transaction read or wrote of the key events after
        ``keys_through`` up to ``through`` (nothing if another one taught more already)."""
        if through > self.keys_through:
            self.current_keys.update(current)
            self.keys_through = through


COMMITTED: weakref.WeakKeyDictionary[Engine, dict[str, Committed]] = weakref.WeakKeyDictionary()


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def committed_of(engine: Engine, genesis: str | None) -> Committed:
    """The facts known of the ledger that starts with event ``genesis`` in the engine's
    database (nothing is known of a ledger not started yet)."""
    if genesis is None:
        return Committed()
    return COMMITTED.setdefault(engine, {}).setdefault(genesis, Committed())


APPENDERS = "saylau.ledger.appenders"
"""The key in ``Session.info`` of the appenders opened in the session's transaction."""


@orm_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction may still roll back
    for appender in session.info.pop(APPENDERS, ()):
        appender._remember()


@orm_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(APPENDERS, None)  # a rolled-back transaction teaches nothing
