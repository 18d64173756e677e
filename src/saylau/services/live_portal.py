"""The portal's data kept current while a store changes: :class:`LivePortal`, the source of
the portal that ``saylau serve`` and ``saylau demo`` serve.

Building :class:`~saylau.services.portal.PortalData` reads the whole election (2 to 3 s for
the 10,223 stations of 2023 on a small machine), so it is not done per request:

- the first call builds it (a store without an election raises
  :class:`~saylau.store.errors.NotFound`, which the portal answers with 404, until one is
  stored);
- after that, a call returns the last data built at once, and the data is built again in
  the background when the store changed since the last build: :meth:`LivePortal.changed`
  says so (the demo's night calls it after each write), and otherwise the store is asked
  (:func:`store_version`: the ledger's last event and the stored protocols' count and last
  change, one cheap query) once the data is old enough;
- never more often than every ``interval`` seconds, nor than twice the time the last build
  took;
- a new PortalData replaces the old one only once it is complete (one assignment), so a
  half-built one is never served; a build that fails keeps the old one served (its error
  is in :attr:`LivePortal.error`) and is tried again after the interval.

Without :meth:`LivePortal.start`, the checks and rebuilds are started by calls (requests):
``saylau serve``, where other processes write to the store. With it, a background thread
rebuilds as soon as the interval allows after a change, requests or not (``saylau demo``).
The portal's router empties its cache of rendered pages when a new PortalData replaces the
old one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from sqlalchemy import func, select

from saylau.services.portal import PortalData, portal_data
from saylau.store.db import Store
from saylau.store.models import LedgerEventRecord, ProtocolRecord

INTERVAL = 3.0
"""Default seconds between two builds (``saylau demo``; ``saylau serve`` waits 15 s)."""


def store_version(store: Store) -> Hashable:
    """Something that changes whenever what the portal shows may have changed: the
    ledger's last event (every protocol, approval and certification is one) and the stored
    protocols' count and latest change (for stores written without a ledger)."""
    ledger = select(func.max(LedgerEventRecord.sequence))
    protocols = select(func.count(), func.max(ProtocolRecord.updated_at))
    with store.session() as session:
        last_event = session.scalar(ledger)
        count, latest = session.execute(protocols).one()
    return (last_event, count, str(latest))


class LivePortal:
    """See the module's description. ``source = LivePortal(store)``; ``source()`` (or
    :meth:`current`) is the current PortalData of ``election_id`` (default: the only
    election stored)."""

    def __init__(
        self,
        store: Store,
        election_id: str | None = None,
        *,
        interval: float = INTERVAL,
        build: Callable[[Store], PortalData] | None = None,
        version: Callable[[Store], Hashable] = store_version,
        clock: Callable[[], float] = time.monotonic,
    ):
        if interval < 0:
            raise ValueError(f"interval must be at least 0 seconds, found {interval}")
        self.store = store
        self.election_id = election_id
        self.interval = interval
        self._build = build or (lambda s: portal_data(s, election_id))
        self._version = version
        self._clock = clock
        self.builds = 0
        """How many PortalData were built."""
        self.build_seconds = 0.0
        """How long the last build took (wall time)."""
        self.built_at: float | None = None
        """``clock()`` when the last build finished."""
        self.error: Exception | None = None
        """What the last build in the background failed with (None once one succeeds)."""
        self._data: PortalData | None = None
        self._seen: Hashable = None
        self._looked_at = 0.0
        self._dirty = False
        self._refreshing = False
        self._build_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- reading ------------------------------------------------------------------------

    def __call__(self) -> PortalData:
        return self.current()

    def current(self) -> PortalData:
        """The last PortalData built (built now if there is none yet); starts a rebuild in
        the background when one is due."""
        data = self._data
        if data is None:
            with self._build_lock:
                if self._data is None:
                    return self._rebuild_locked()
                return self._data
        if self._thread is None and self._due_in() <= 0:
            with self._state_lock:
                start = not self._refreshing
                self._refreshing = True
            if start:
                threading.Thread(target=self._refresh, name="portal-refresh", daemon=True).start()
        return data

    # -- building -----------------------------------------------------------------------

    def rebuild(self) -> PortalData:
        """Build the PortalData now, from the store as it is (errors are raised)."""
        with self._build_lock:
            return self._rebuild_locked()

    def _rebuild_locked(self) -> PortalData:
        self._dirty = False  # a change from now on is seen by the next check
        seen = self._version(self.store)
        start = time.perf_counter()
        data = self._build(self.store)
        self.build_seconds = time.perf_counter() - start
        self._data, self._seen = data, seen
        self.built_at = self._looked_at = self._clock()
        self.builds += 1
        self.error = None
        return data

    def changed(self) -> None:
        """The store changed: build again when the interval allows."""
        self._dirty = True
        self._wake.set()

    def _wait(self) -> float:
        return max(self.interval, 2 * self.build_seconds)

    def _due_in(self) -> float:
        """Seconds until the store may be looked at again (0 or less: now)."""
        return self._wait() - (self._clock() - self._looked_at)

    def _refresh(self) -> None:
        """Build again if the store changed since the last build; keep the old data if the
        build fails."""
        try:
            with self._build_lock:
                if self._dirty or self._version(self.store) != self._seen:
                    self._rebuild_locked()
                else:
                    self._looked_at = self._clock()
        except Exception as error:  # the store is unavailable: serve the last data, try later
            self.error = error
            self._looked_at = self._clock()
        finally:
            with self._state_lock:
                self._refreshing = False

    # -- the background thread ----------------------------------------------------------

    def start(self) -> None:
        """Build once, then rebuild in a background thread after each change (at most every
        interval) until :meth:`stop`."""
        if self._data is None:
            self.rebuild()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="portal-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            pause = self._due_in()
            if pause > 0:
                self._stop.wait(pause)
                continue
            if not self._dirty:  # wait for a change, or ask the store after an interval
                self._wake.wait(max(self.interval, 0.05))
                if self._stop.is_set():
                    return
            self._wake.clear()
            self._refresh()
