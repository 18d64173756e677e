"""How ``saylau demo`` stops: Ctrl-C (SIGINT) and SIGTERM alike.

SIGTERM (what ``kill``, systemd or a container runtime send) raises :class:`Terminated` in
the main thread, a :class:`KeyboardInterrupt`, so it takes the paths Ctrl-C takes: the
night stops between two writes, the web server is shut down, the store closed and the
temporary folder removed, with a line and no traceback. Only the exit code differs
(:data:`~saylau.cli.exit_codes.INTERRUPTED` or :data:`~saylau.cli.exit_codes.TERMINATED`).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from saylau.cli.exit_codes import INTERRUPTED, TERMINATED


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is."""


def _terminate(_signal: int, _frame: object) -> None:
    raise Terminated


def on_sigterm() -> Any:
    """Make SIGTERM raise :class:`Terminated`; returns the earlier handler, for
    :func:`restore_sigterm` (None outside the main thread, where nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminate)


def restore_sigterm(handler: Any) -> None:
    """Put back the handler that :func:`on_sigterm` returned."""
    if handler is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def name_of(stopped: KeyboardInterrupt) -> str:
    return "SIGTERM" if isinstance(stopped, Terminated) else "Ctrl-C"


def code_of(stopped: KeyboardInterrupt) -> int:
    return TERMINATED if isinstance(stopped, Terminated) else INTERRUPTED


_HANDLERS: list[dict[signal.Signals, Any]] = []
"""The handlers of SIGINT and SIGTERM before they were ignored (to put them back)."""


def ignore_signals(ignore: bool = True) -> None:
    """Ignore Ctrl-C and SIGTERM while the night stops and everything closes (a second
    signal must not interrupt that), then (``ignore`` false) put the earlier handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return
    if ignore:
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        if not _HANDLERS:
            _HANDLERS.append(previous)
    elif _HANDLERS:
        for number, handler in _HANDLERS.pop().items():
            signal.signal(number, handler)
