"""The demo's election night, played against a store through the service's own code:
:class:`DemoNight`.

:meth:`DemoNight.prepare` creates the night's people (:mod:`saylau.services.demo_people`).
:meth:`DemoNight.run` then plays the :class:`NightPlan` on the clock, in one thread:

- a station typed twice is claimed, typed, compared, resolved, approved (and corrected when
  the paper was wrong) through :func:`saylau.services.entry.act`, as the API does; each
  territorial commission all of whose stations are approved signs its summaries
  (:func:`saylau.services.approval.sign_summary`);
- a station arriving as files is stored in a wave with the others due at the same time,
  through :func:`saylau.services.ledger.record_protocols` (as ``saylau generate`` stores
  them); a late correction replaces its wrong first version with a reason and a decision;
- at the end the CEC certifies: the contests whose summaries were signed up to their own
  commission through :func:`saylau.services.approval.certify_contest`, every other complete
  contest through :func:`saylau.services.certify.certify`.

Progress is counted in :class:`NightProgress` for a display to read while the night plays;
``on_change`` is called after each write (e.g. to refresh the portal). Setting the ``stop``
event ends the night between two writes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from saylau.core.controls import ControlSettings
from saylau.core.entry import Action, Approve, Claim, Correct, Resolution, Resolve, Stage, Submit
from saylau.core.protocol import Protocol
from saylau.services.accounts import Principal
from saylau.services.approval import certify_contest, sign_summary, summary_of
from saylau.services.certify import certify
from saylau.services.context import write
from saylau.services.demo_people import People, create_people, require_new_store
from saylau.services.demo_plan import (
    COORDINATOR,
    CORRECTION_DELAY,
    REPORTING_SHARE,
    EntryScript,
    NightPlan,
    Scenario,
)
from saylau.services.demo_progress import NightProgress, Status
from saylau.services.entry import ProtocolRef, act
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.store.db import Store
from saylau.store.ledger_events import last_head
from saylau.store.protocols import upsert_protocols

WAVE_STATIONS = 4000
"""At most this many stations are stored in one transaction of a wave."""
WAVE_EVERY = 1.0
"""Seconds between two waves of protocols arriving as files."""
ENTRY_SLICE = 0.25
"""Seconds of typing before the night looks at the clock again."""
CORRECTION_REASON = "votes of two parties transposed on the protocol, found on review"
WAVE_REASON = "protocol sent again by the precinct commission: two vote counts transposed"
WAVE_DECISION = "precinct commission's corrected protocol (generated)"
CERTIFIED_ON_SUMMARIES = 100
"""At most this many contests are certified on their signed summaries (about 0.05 s each on
2023: each reads its own contest's protocols; the default night has 77 such contests);
every other one on its complete count."""


@dataclass(order=True)
class _Due:
    at: float
    order: int
    station: str
    script: EntryScript | None = None
    version: int = 0


class DemoNight:
    """The night of ``plan`` on ``store`` (see the module's description). ``seconds`` is
    the length of the night (0: as fast as possible)."""

    def __init__(
        self,
        store: Store,
        plan: NightPlan,
        *,
        seconds: float,
        on_change: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.plan = plan
        self.election = plan.election
        self.seconds = seconds
        self.on_change = on_change or (lambda: None)
        self.clock = clock
        self.progress = NightProgress()
        self.people: People | None = None
        self._start = 0.0
        self._remaining: dict[str, int] = {}
        self._unapproved: dict[str, int] = {}
        self._stored: set[str] = set()
        self._territory_left: dict[str, int] = {}
        self._entry_queue: deque[EntryScript] = deque()
        self._later: list[_Due] = []
        self._counter = 0
        self._fill_totals()

    # -- setting up -----------------------------------------------------------------------

    def _fill_totals(self) -> None:
        plan, p = self.plan, self.progress
        p.stations = len(plan.order)
        p.protocols = plan.protocols
        p.entry_stations = len(plan.scripts)
        p.entry_protocols = sum(len(s) for s in plan.scripts.values())
        p.corrections_planned = sum(
            1 for s in plan.scripts.values() for x in s if x.scenario is Scenario.CORRECTION
        )
        p.file_stations = len(plan.files)
        p.file_protocols = sum(len(x) for x in plan.files.values())
        p.late_planned = sum(len(x) for x in plan.late.values())
        p.summaries_planned = sum(len(self._contests_of(t)) for t in plan.territories)
        for station in plan.order:
            self._remaining[station] = len(self.election.station_contests[station])
        for station in plan.scripts:
            self._unapproved[station] = len(plan.scripts[station])
        for territory in plan.territories:
            self._territory_left[territory] = len(self.election.stations_by_commission[territory])

    def _contests_of(self, territory: str) -> list[str]:
        contests = self.election.station_contests
        seen: dict[str, None] = {}
        for station in self.election.stations_by_commission[territory]:
            seen.update(dict.fromkeys(contests[station]))
        return list(seen)

    def require_new(self) -> None:
        """:class:`ConflictError` if the store holds protocols of the election or the
        night's people already (a night is played once per store)."""
        require_new_store(self.store, self.election)

    def prepare(self, password: str) -> People:
        """Create the night's people with ``password`` and grant their roles (see
        :func:`~saylau.services.demo_people.create_people`); returns them signed in.
        Refuses a store used by an earlier night (:meth:`require_new`)."""
        self.require_new()
        self.people = create_people(self.store, self.election, self.plan.entered, password)
        self._events()
        return self.people

    # -- the clock --------------------------------------------------------------------------

    def _now(self) -> float:
        """Where the night is, as a share of its length (everything is due at once when the
        night has no length)."""
        elapsed = self.clock() - self._start
        self.progress.elapsed = elapsed
        if self.seconds <= 0:
            return 1.0
        return elapsed / self.seconds

    def _schedule(self, at: float, station: str, script: EntryScript, version: int) -> None:
        self._counter += 1
        self._later.append(_Due(at, self._counter, station, script, version))
        self._later.sort()

    # -- the night ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> NightProgress:
        """Play the night until it is certified or ``stop`` is set; returns the progress."""
        if self.people is None:
            raise RuntimeError("prepare() the night's people before running it")
        self._start = self.clock()
        self.progress.status = Status.PARTIAL
        arrivals = deque(self.plan.order)
        late = deque(sorted(self.plan.late, key=lambda s: self.plan.at[s]))
        due_files: list[str] = []
        last_wave = -WAVE_EVERY
        while not stop.is_set():
            now = self._now()
            while arrivals and self.plan.at[arrivals[0]] <= now:
                station = arrivals.popleft()
                self.progress.clock_minutes = self.plan.minutes.get(station)
                if station in self.plan.entered:
                    self._entry_queue.extend(self.plan.scripts.get(station, ()))
                else:
                    due_files.append(station)
            if due_files and (self.clock() - last_wave >= WAVE_EVERY or not arrivals):
                last_wave = self.clock()
                for start in range(0, len(due_files), WAVE_STATIONS):
                    if stop.is_set():
                        break
                    began = time.perf_counter()
                    self._store_files(due_files[start : start + WAVE_STATIONS])
                    self.progress.file_seconds += time.perf_counter() - began
                due_files = []
            began = time.perf_counter()
            while late and late[0] in self._stored and self._late_at(late[0]) <= now:
                self._store_late(late.popleft())
            self.progress.file_seconds += time.perf_counter() - began
            began = time.perf_counter()
            while self._later and self._later[0].at <= now and not stop.is_set():
                self._correct(self._later.pop(0))
            slice_end = self.clock() + ENTRY_SLICE
            while self._entry_queue and self.clock() < slice_end and not stop.is_set():
                self._enter(self._entry_queue.popleft())
            self.progress.entry_seconds += time.perf_counter() - began
            if stop.is_set():
                break
            if not (arrivals or due_files or late or self._later or self._entry_queue):
                if now >= 1.0:
                    self._certify()
                    return self.progress
            if self._entry_queue:
                continue
            stop.wait(self._pause(arrivals, late, now))
        self.progress.status = Status.STOPPED
        return self.progress

    def _late_at(self, station: str) -> float:
        """When the corrected protocols of a station arriving as files come."""
        return min(self.plan.at[station] + CORRECTION_DELAY, REPORTING_SHARE)

    def _pause(self, arrivals: deque[str], late: deque[str], now: float) -> float:
        upcoming = [1.0]
        if arrivals:
            upcoming.append(self.plan.at[arrivals[0]])
        if late:
            upcoming.append(self._late_at(late[0]))
        if self._later:
            upcoming.append(self._later[0].at)
        wait = (min(upcoming) - now) * self.seconds
        return min(max(wait, 0.0), 0.5)

    # -- protocols arriving as files ------------------------------------------------------

    def _store(self, protocols: Sequence[Protocol], source: str, *, late: bool) -> None:
        election = self.election
        settings = ControlSettings()
        rows = [protocol_row(p, election, settings, source) for p in protocols]

        def work(session: Session) -> None:
            counts = upsert_protocols(session, election.id, rows)
            written = [r for r in rows if (r.station, r.contest) in counts.written]
            if late:
                record_protocols(
                    session, election, written, reason=WAVE_REASON, decision=WAVE_DECISION
                )
            else:
                record_protocols(session, election, written)

        write(self.store, work)

    def _store_files(self, stations: Sequence[str]) -> None:
        protocols = [p for s in stations for p in self.plan.files[s]]
        self._store(protocols, f"demo night seed={self.plan.seed}", late=False)
        self.progress.files_stored += len(protocols)
        for station in stations:
            self._stored.add(station)
            self._counted(station, len(self.plan.files[station]))
        self._changed()

    def _store_late(self, station: str) -> None:
        protocols = self.plan.late[station]
        self._store(protocols, f"demo night seed={self.plan.seed} correction", late=True)
        self.progress.late_stored += len(protocols)
        self._changed()

    # -- protocols typed twice ------------------------------------------------------------

    def _act(self, who: Principal, script: EntryScript, action: Action, version: int) -> int:
        ref = ProtocolRef(self.election.id, script.station, script.contest)
        answer = act(self.store, who, ref, action, expected_version=version)
        self.progress.service_actions += 1
        return int(answer.body["version"])

    def _enter(self, script: EntryScript) -> None:
        assert self.people is not None
        version = 0
        stage = ""
        for typist, entry in zip(script.typists, script.entries, strict=True):
            who = self.people.typists[typist]
            version = self._act(who, script, Claim(typist), version)
            ref = ProtocolRef(self.election.id, script.station, script.contest)
            submit = Submit(typist, entry, dict(script.acknowledged))
            answer = act(self.store, who, ref, submit, expected_version=version)
            self.progress.service_actions += 1
            version, stage = int(answer.body["version"]), str(answer.body["stage"])
        coordinator = self.people.coordinator
        if stage == Stage.DIFFERENT:
            first_right = script.entries[0] == script.truth
            keep = Resolution.KEEP_FIRST if first_right else Resolution.KEEP_SECOND
            version = self._act(coordinator, script, Resolve(COORDINATOR, keep), version)
            self.progress.differences_resolved += 1
        self.progress.entered_twice += 1
        if script.acknowledged:
            self.progress.warnings_acknowledged += 1
        self._counted(script.station, 1)
        self._changed()
        if script.scenario is Scenario.CORRECTION:
            at = min(self._now() + CORRECTION_DELAY, REPORTING_SHARE + CORRECTION_DELAY)
            self._schedule(at, script.station, script, version)
            return
        self._approve(script, version)

    def _correct(self, due: _Due) -> None:
        assert self.people is not None
        assert due.script is not None
        script = due.script
        territory = self.election.stations[script.station].commission
        decision = f"{territory} decision no. {self.progress.corrections + 1}"
        action = Correct(COORDINATOR, script.truth, CORRECTION_REASON, decision)
        version = self._act(self.people.coordinator, script, action, due.version)
        self.progress.corrections += 1
        self._changed()
        self._approve(script, version)

    def _approve(self, script: EntryScript, version: int) -> None:
        assert self.people is not None
        self._act(self.people.coordinator, script, Approve(COORDINATOR), version)
        self.progress.approved += 1
        self._unapproved[script.station] -= 1
        territory = self.election.stations[script.station].commission
        if self._unapproved[script.station] == 0 and territory in self._territory_left:
            self._territory_left[territory] -= 1
            if self._territory_left[territory] == 0:
                self._sign(territory)

    def _sign(self, territory: str) -> None:
        assert self.people is not None
        who = self.people.coordinator
        for contest in self._contests_of(territory):
            summary = summary_of(self.store, who, self.election.id, territory, contest)
            sign_summary(
                self.store,
                who,
                self.election.id,
                territory,
                contest,
                expected_version=int(summary["version"]),
            )
            self.progress.summaries_signed += 1
            self.progress.service_actions += 1
        self._changed()

    # -- counting and the end -------------------------------------------------------------

    def _counted(self, station: str, protocols: int) -> None:
        p = self.progress
        p.protocols_counted += protocols
        self._remaining[station] -= protocols
        if self._remaining[station] == 0:
            p.stations_reported += 1
        if p.protocols_counted == p.protocols:
            p.status = Status.COMPLETE

    def _changed(self) -> None:
        self.progress.elapsed = self.clock() - self._start
        self._events()
        self.on_change()

    def _events(self) -> None:
        with self.store.session() as session:
            head = last_head(session)
        self.progress.ledger_events = 0 if head is None else head[0] + 1

    def _signed_contests(self) -> list[str]:
        """Contests decided by a territorial commission whose summaries are signed (at most
        :data:`CERTIFIED_ON_SUMMARIES`)."""
        signed = {t for t in self.plan.territories if self._territory_left.get(t) == 0}
        found = [c.id for c in self.election.contests.values() if c.commission in signed]
        return found[:CERTIFIED_ON_SUMMARIES]

    def _certify(self) -> None:
        assert self.people is not None
        began = time.perf_counter()
        admin = self.people.admin
        for contest in self._signed_contests():
            own = self.election.contests[contest].commission
            summary = summary_of(self.store, admin, self.election.id, own, contest)
            certify_contest(
                self.store,
                admin,
                self.election.id,
                contest,
                expected_version=int(summary["version"]),
            )
            self.progress.contests_certified += 1
            self.progress.service_actions += 1
        done = certify(self.store, self.election, list(self.election.contests))
        self.progress.contests_certified += sum(1 for c in done if c.new)
        self.progress.certify_seconds = time.perf_counter() - began
        self.progress.status = Status.CERTIFIED
        self.progress.done = True
        self._now()
        self._changed()
