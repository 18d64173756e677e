"""The public portal inside the service: a :data:`saylau.web.router.Source` read from the store.

:class:`StoreSource` builds the portal's data (:func:`saylau.services.portal.portal_data`)
from the store the service writes to, on the first request, and builds it again in the
background once it is older than ``refresh`` seconds; until the new data is ready, the
pages of the previous one are served (they are cached for as long by browsers anyway). A
store without an election yet answers 404 (``not-found``) until one is stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from saylau.services.portal import PortalData, portal_data
from saylau.store.db import Store

REFRESH_SECONDS = 15.0
"""How old the portal's data may be: as long as its pages are cached (``max-age=15``)."""


class StoreSource:
    """``source()``: the portal's data of ``store``, at most ``refresh`` seconds old
    (rebuilt in a background thread, see the module's description)."""

    def __init__(
        self,
        store: Store,
        *,
        refresh: float = REFRESH_SECONDS,
        build: Callable[[Store], PortalData] = portal_data,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.refresh = refresh
        self._build = build
        self._clock = clock
        self._lock = threading.Lock()
        self._data: PortalData | None = None
        self._built_at = 0.0
        self._rebuilding = False
        self.error: Exception | None = None
        """What the last rebuild in the background failed with, if it failed."""

    def __call__(self) -> PortalData:
        data = self._data
        if data is None:
            with self._lock:
                if self._data is None:
                    self._data, self._built_at = self._build(self.store), self._clock()
                return self._data
        if self._clock() - self._built_at >= self.refresh and not self._rebuilding:
            with self._lock:
                if not self._rebuilding:
                    self._rebuilding = True
                    threading.Thread(target=self._rebuild, daemon=True).start()
        return data

    def _rebuild(self) -> None:
        try:
            data = self._build(self.store)
            self._data, self._built_at, self.error = data, self._clock(), None
        except Exception as error:  # the store is unavailable: serve the last data, try later
            self._built_at, self.error = self._clock(), error
        finally:
            self._rebuilding = False
