"""The portal's data kept current while a store changes: :class:`LivePortal`.

Building :class:`~saylau.services.portal.PortalData` reads the whole election (about 2 s for
the 10,223 stations of 2023 on a small machine), so it is not done per request: a
background thread rebuilds it when :meth:`LivePortal.changed` was called since the last
build, at most every ``interval`` seconds (and never more often than twice the time the
last build took). :meth:`LivePortal.current` returns the last one built: it is the source
for :func:`saylau.web.router.portal_router`, whose cache of rendered pages empties when a new
PortalData replaces the old one.
"""

from __future__ import annotations

import threading
import time

from saylau.services.portal import PortalData, portal_data
from saylau.store.db import Store


class LivePortal:
    """See the module's description."""

    def __init__(self, store: Store, election_id: str, *, interval: float = 3.0):
        if interval < 0:
            raise ValueError(f"interval must be at least 0 seconds, found {interval}")
        self.store = store
        self.election_id = election_id
        self.interval = interval
        self.builds = 0
        self.build_seconds = 0.0
        self.built_at: float | None = None
        """``time.monotonic()`` when the last build finished."""
        self._data: PortalData | None = None
        self._wanted = 0
        self._built = -1
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def current(self) -> PortalData:
        """The last PortalData built (built now if there is none yet)."""
        data = self._data
        if data is None:
            return self.rebuild()
        return data

    def rebuild(self) -> PortalData:
        """Build the PortalData now, from the store as it is."""
        with self._lock:
            wanted = self._wanted
            start = time.perf_counter()
            data = portal_data(self.store, self.election_id)
            self.build_seconds = time.perf_counter() - start
            self.built_at = time.monotonic()
            self._data = data
            self._built = wanted
            self.builds += 1
            return data

    def changed(self) -> None:
        """The store changed: rebuild when the interval allows."""
        self._wanted += 1
        self._wake.set()

    def start(self) -> None:
        """Build once, then keep rebuilding in a background thread until :meth:`stop`."""
        self.rebuild()
        self._thread = threading.Thread(target=self._loop, name="portal-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._wanted == self._built:
                continue
            pause = max(self.interval, 2 * self.build_seconds) - (time.monotonic() - last)
            if pause > 0 and self._stop.wait(pause):
                return
            try:
                self.rebuild()
            except Exception as error:  # a failed build keeps the last data served
                self.error = error
            last = time.monotonic()
