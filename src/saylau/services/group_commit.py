"""Group commit: the writes of concurrent requests of one process in one transaction.

Every write of the commission service appends to one hash chain, so its transactions queue
for the ledger's lock (:func:`saylau.store.entries.serialize_writers`), and each would
otherwise pay on its own for the lock, the ledger's head, and the commit's flush to disk.
:func:`grouped_write` (and :func:`grouped_write_async`, for a coroutine) instead hands its
work to the process's *committer*, a thread of its own for each store: it takes the queued
works (at most :data:`BATCH_LIMIT`, oldest first) and runs them in one transaction that holds
the lock, then commits once. If fewer works are queued than the last batch had, it waits up
to :data:`GATHER_SECONDS` for them first: the clients of a batch got their answers together
and send their next requests together, and a batch of one would pay the whole transaction
alone. Each request is answered only after the commit of its batch returned: what is
acknowledged is durable, and what was not committed is not acknowledged. A request in a
coroutine waits without holding a thread: the event loop goes on reading the next requests
while the batch runs.

A batch is first run without savepoints (they cost two round trips and SQLAlchemy's
bookkeeping per work) and *speculatively*: the conditional writes of the entries
(:data:`saylau.store.entries.SPECULATIVE`) are sent with the next statement instead of
waiting for their answers, and one that changed no row raises
:class:`saylau.store.direct.SpeculationError` then. If every work succeeds, the batch
commits. If one fails (a version conflict, a refused request, a failed speculation), that
transaction is rolled back whole and the batch is run again, each work inside a savepoint
and without speculating: then a work that fails is rolled back to its savepoint and alone
gets the error; a work that loses a key to a concurrent writer (:class:`ConflictError` or a
unique key refused) is run again, up to :data:`ATTEMPTS` times, as
:func:`saylau.services.context.write` does. If the commit itself fails, every work of the
batch gets the error (none of them is acknowledged).

The worker processes of ``saylau serve`` each have their own committer; their batches queue for
the same lock of the database (an advisory lock on PostgreSQL, shared by every connection to
the database), so the ledger stays one chain. SQLite has one writer at a time and its driver
does not keep savepoints reliably, so there each work is its own transaction
(:func:`saylau.services.context.write`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from saylau.services.context import ATTEMPTS, write
from saylau.services.ledger_prefetch import prefetch
from saylau.store.db import Store
from saylau.store.direct import send_deferred
from saylau.store.entries import SPECULATIVE, serialize_writers
from saylau.store.errors import ConflictError, StoreError

T = TypeVar("T")
Reads = tuple[Collection[tuple[str, str]], Collection[str]]
"""What a work may read of the ledger: protocols (station, contest) and commissions."""
BATCH_LIMIT = 64
GATHER_SECONDS = 0.002


@dataclass(eq=False)
class _Work(Generic[T]):
    run: Callable[[Session], T]
    done: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None
    finished: Callable[[], None] | None = None
    """Called (in the committer's thread) once the work's batch is over."""
    reads: Reads = ((), ())

    def finish(self) -> None:
        self.done.set()
        if self.finished is not None:
            self.finished()


@dataclass(eq=False)
class _Committer:
    """The thread that runs a process's batches for one store."""

    store: Store
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: deque[_Work[Any]] = field(default_factory=deque)
    last_batch: int = 1
    thread: threading.Thread | None = None
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    def submit(self, work: _Work[Any]) -> None:
        with self.lock:
            self.waiting.append(work)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._loop, name="saylau-group-commit", daemon=True
                )
                self.thread.start()
            self.arrived.notify()

    def _next_batch(self) -> list[_Work[Any]]:
        with self.lock:
            while not self.waiting:
                self.arrived.wait()
            # As many works as the last batch had are probably on their way (their clients
            # got their answers together): wait a little for them rather than commit alone.
            target = min(self.last_batch, BATCH_LIMIT)
            if len(self.waiting) < target:
                self.arrived.wait_for(lambda: len(self.waiting) >= target, GATHER_SECONDS)
            count = min(BATCH_LIMIT, len(self.waiting))
            batch = [self.waiting.popleft() for _ in range(count)]
            self.last_batch = len(batch)
            return batch

    def _loop(self) -> None:
        while True:
            batch = self._next_batch()
            try:
                _run(self.store, batch)
            except BaseException as error:  # never leave a request without an answer
                for work in batch:
                    if work.error is None and work.result is None:
                        work.error = _as_store_error(error)
            finally:
                for work in batch:
                    work.finish()


_committers: weakref.WeakKeyDictionary[Store, _Committer] = weakref.WeakKeyDictionary()
_committers_lock = threading.Lock()


def _committer_of(store: Store) -> _Committer:
    with _committers_lock:
        found = _committers.get(store)
        if found is None:
            found = _committers[store] = _Committer(store)
        return found


def grouped_write(store: Store, work: Callable[[Session], T], reads: Reads = ((), ())) -> T:
    """Run ``work`` in a write transaction that holds the ledger's lock, possibly together
    with the works of other threads (see the module's description); returns its result once
    the transaction committed, or raises its error. ``work`` must read what it needs inside
    the transaction and may be run again if a concurrent writer took a key first. ``reads``:
    the protocols (station, contest) and commissions whose ledger history and keys it may
    need, read for the whole batch in one round trip
    (:mod:`saylau.services.ledger_prefetch`)."""
    if store.dialect != "postgresql":
        return write(store, work)
    mine: _Work[T] = _Work(work, reads=reads)
    _committer_of(store).submit(mine)
    mine.done.wait()
    if mine.error is not None:
        raise mine.error
    return cast(T, mine.result)


async def grouped_write_async(
    store: Store, work: Callable[[Session], T], reads: Reads = ((), ())
) -> T:
    """:func:`grouped_write` for a coroutine: the event loop goes on serving other requests
    while the batch runs (on other databases than PostgreSQL, ``work`` runs in a thread)."""
    if store.dialect != "postgresql":
        return await asyncio.to_thread(write, store, work)
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[None] = loop.create_future()

    def finished() -> None:
        # a closed loop raises RuntimeError: nobody waits for the answer any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, answered)

    mine: _Work[T] = _Work(work, finished=finished, reads=reads)
    _committer_of(store).submit(mine)
    await asyncio.shield(answered)
    if mine.error is not None:
        raise mine.error
    return cast(T, mine.result)


def _settle(answered: asyncio.Future[None]) -> None:
    if not answered.done():
        answered.set_result(None)


def _snapshot(session: Session) -> dict[Any, Any]:
    """What a savepoint's rollback must restore of ``session.info``: the ledger's head and
    the appenders opened (their facts are learnt only if they commit)."""
    return {k: list(v) if isinstance(v, list) else v for k, v in session.info.items()}


def _restore(session: Session, saved: dict[Any, Any]) -> None:
    session.info.clear()
    session.info.update(saved)


class _WorkFailedError(Exception):
    """A work of a batch run without savepoints failed: the batch is run again with them."""


def _run(store: Store, batch: list[_Work[Any]]) -> None:
    if not _run_plain(store, batch):
        _run_with_savepoints(store, batch)


def _run_plain(store: Store, batch: list[_Work[Any]]) -> bool:
    """The batch without savepoints: ``True`` if every work succeeded and the batch
    committed (or the commit failed: then every work has the error), ``False`` if a work
    failed; the transaction is then rolled back whole, nothing of it was written."""
    try:
        with store.session() as session:
            pairs = {pair for work in batch for pair in work.reads[0]}
            commissions = {c for work in batch for c in work.reads[1]}
            prefetch(session, pairs, commissions)  # the lock, and what the works will read
            session.info[SPECULATIVE] = True  # a failed conditional write: run it again
            for work in batch:
                try:
                    work.result = work.run(session)
                except Exception as error:
                    raise _WorkFailedError from error
    except (_WorkFailedError, ConflictError):
        # A work failed, or a write sent with the commit lost a key (before the commit was
        # sent): nothing was committed; with savepoints the work at fault is found.
        for work in batch:
            work.result = None
        return False
    except BaseException as error:  # the commit failed: nothing of the batch is acknowledged
        for work in batch:
            work.result, work.error = None, _as_store_error(error)
        if not isinstance(error, Exception):
            raise
    return True


def _run_with_savepoints(store: Store, batch: list[_Work[Any]]) -> None:
    pending = batch
    try:
        with store.session() as session:
            serialize_writers(session)
            for work in pending:
                _run_one(session, work)
    except BaseException as error:  # the commit failed: nothing of the batch is acknowledged
        for work in pending:
            if work.error is None:
                work.result, work.error = None, _as_store_error(error)
        if not isinstance(error, Exception):
            raise


def _run_one(session: Session, work: _Work[Any]) -> None:
    for attempt in range(ATTEMPTS):
        saved = _snapshot(session)
        savepoint = session.begin_nested()
        try:
            work.result = work.run(session)
            send_deferred(session)  # a deferred write's error is the work's own
            savepoint.commit()
            return
        except (ConflictError, IntegrityError) as error:
            savepoint.rollback()
            _restore(session, saved)
            if attempt == ATTEMPTS - 1:
                work.error = ConflictError(f"a concurrent writer took a key first: {error}")
                return
        except Exception as error:
            savepoint.rollback()
            _restore(session, saved)
            work.error = _as_store_error(error)
            return


def _as_store_error(error: BaseException) -> BaseException:
    """A database error as the store reports it (:class:`StoreError`), as
    :meth:`saylau.store.db.Store.session` does."""
    if isinstance(error, SQLAlchemyError):
        wrapped = StoreError(f"database error: {error}")
        wrapped.__cause__ = error
        return wrapped
    return error
