"""The progress of the demo's night on screen: a Rich live display on a terminal, a line
every ten seconds otherwise (logs, CI)."""

from __future__ import annotations

import sys
import threading
import time

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from saylau.services.demo_night import DemoNight
from saylau.services.demo_progress import NightProgress
from saylau.services.live_portal import LivePortal


def show_progress(
    console: Console, night: DemoNight, live: LivePortal | None, worker: threading.Thread
) -> None:
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        console=console,
        auto_refresh=False,
    )
    p = night.progress
    tasks = {
        "stations": bars.add_task("stations reported", total=p.stations),
        "protocols": bars.add_task("protocols counted", total=p.protocols),
        "entry": bars.add_task("typed twice (service)", total=p.entry_protocols or 1),
        "files": bars.add_task("arrived as files (waves)", total=p.file_protocols or 1),
        "signed": bars.add_task("summaries signed", total=p.summaries_planned or 1),
    }

    def frame() -> Group:
        s = night.progress.copy()
        bars.update(tasks["stations"], completed=s.stations_reported)
        bars.update(tasks["protocols"], completed=s.protocols_counted)
        bars.update(tasks["entry"], completed=s.entered_twice)
        bars.update(tasks["files"], completed=s.files_stored)
        bars.update(tasks["signed"], completed=s.summaries_signed)
        return Group(Text(_headline(s), style="bold"), bars, Text(_details(s, live)))

    if not console.is_terminal:
        last = 0.0
        while worker.is_alive():
            worker.join(0.5)
            if time.monotonic() - last >= 10 or not worker.is_alive():
                s = night.progress.copy()
                console.print(f"{_headline(s)} | {counts_line(s)}", highlight=False, soft_wrap=True)
                sys.stdout.flush()
                last = time.monotonic()
        return
    with Live(frame(), console=console, refresh_per_second=4) as screen:
        while worker.is_alive():
            worker.join(0.25)
            screen.update(frame())


def _clock(minutes: int | None) -> str:
    if minutes is None:
        return "--:--"
    total = 20 * 60 + minutes
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def _headline(s: NightProgress) -> str:
    return (
        f"night clock {_clock(s.clock_minutes)} (Astana) · {s.elapsed:5.0f} s · "
        f"status: {s.status.value}"
    )


def counts_line(s: NightProgress) -> str:
    return (
        f"stations {s.stations_reported:,}/{s.stations:,} · protocols "
        f"{s.protocols_counted:,}/{s.protocols:,} · typed twice {s.entered_twice:,}/"
        f"{s.entry_protocols:,} · as files {s.files_stored:,}/{s.file_protocols:,} · "
        f"differences resolved {s.differences_resolved} · warnings acknowledged "
        f"{s.warnings_acknowledged} · corrections {s.corrections}/{s.corrections_planned} "
        f"(+{s.late_stored}/{s.late_planned} from files) · approved {s.approved:,} · summaries "
        f"signed {s.summaries_signed}/{s.summaries_planned} · contests certified "
        f"{s.contests_certified:,} · ledger events {s.ledger_events:,}"
    )


def _details(s: NightProgress, live: LivePortal | None) -> str:
    text = (
        f"typist differences resolved {s.differences_resolved} · warnings acknowledged "
        f"{s.warnings_acknowledged} · corrections after acceptance "
        f"{s.corrections}/{s.corrections_planned} · late corrections from files "
        f"{s.late_stored}/{s.late_planned}\nprotocols approved {s.approved:,} · contests "
        f"certified {s.contests_certified:,} · service actions {s.service_actions:,} · "
        f"ledger events {s.ledger_events:,}"
    )
    if live is not None and live.built_at is not None:
        age = time.monotonic() - live.built_at
        text += (
            f"\nportal data rebuilt {live.builds} times, last {age:.0f} s ago "
            f"(a build takes {live.build_seconds:.1f} s)"
        )
    return text
