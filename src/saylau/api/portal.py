"""The public portal inside the service: :class:`StoreSource`, the
:class:`~saylau.services.live_portal.LivePortal` of ``saylau serve``.

Its data is built on the first request and built again in the background, from a request,
when the store changed and the data is at least ``refresh`` seconds old (as long as browsers
cache a page); until the new data is ready, the pages of the previous one are served, and a
failed build keeps them. A store without an election yet answers 404 (``not-found``) until
one is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from saylau.services.live_portal import LivePortal, store_version
from saylau.services.portal import PortalData, portal_data
from saylau.store.db import Store

REFRESH_SECONDS = 15.0
"""How old the portal's data may be: as long as its pages are cached (``max-age=15``)."""


class StoreSource(LivePortal):
    """``source()``: the portal's data of ``store``, at most ``refresh`` seconds older than
    the store (see the module's description)."""

    def __init__(
        self,
        store: Store,
        *,
        refresh: float = REFRESH_SECONDS,
        build: Callable[[Store], PortalData] = portal_data,
        version: Callable[[Store], Hashable] = store_version,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(store, interval=refresh, build=build, version=version, clock=clock)
