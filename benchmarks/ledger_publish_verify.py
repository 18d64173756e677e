"""Publish and verify a synthetic ledger of protocol events (default 1,000,000).

Run: ``.venv/bin/python benchmarks/ledger_publish_verify.py [--events N] [--keys K]``.

Phases, timed separately:

1. build: the events (canonical JSON, SHA-256, hash chain), one process (the chain is
   sequential);
2. sign: one Ed25519 signature per event by its precinct commission's key, on every core;
3. publish: ledger lines, Merkle tree, signed tree head and manifest written to disk;
4. verify: ``verify_bundle`` on every core (all checks, replay included), and the obvious
   alternative over the same bytes: plain SHA-256 of the ledger file (``sha256sum``) and
   of each line (the Merkle leaves), which shows how much of the time is signatures,
   canonical form and replay.

Each synthetic protocol has a station, a contest, 9 lines and 7 vote counts.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from saylau.core.ledger.events import Event, Kind, Signature, new_event, signing_message
from saylau.core.ledger.payloads import key_registered, protocol_entered
from saylau.core.protocol import Line
from saylau.ledger import demo_keypair, publish, verify_bundle
from saylau.ledger.bundle import LEDGER, MANIFEST, file_of, load_document
from saylau.ledger.keys import KeyPair
from saylau.ledger.signing import sign_event

TIME = "2026-11-29T20:00:00Z"
CHOICES = tuple(f"party-{n}" for n in range(1, 8))
_signers: dict[int, KeyPair] = {}


def _station(index: int) -> str:
    return f"S{index:05d}"


def _protocol(rng: random.Random) -> tuple[dict[str, int], dict[str, int]]:
    voters = rng.randint(800, 3000)
    issued = rng.randint(voters // 3, voters)
    outside = rng.randint(0, 20)
    received = issued + outside + rng.randint(0, 100)
    invalid = rng.randint(0, 20)
    votes = [rng.randint(0, 200) for _ in CHOICES]
    against = rng.randint(0, 30)
    valid = sum(votes) + against
    lines = {
        Line.VOTERS: voters,
        Line.RECEIVED: received,
        Line.ISSUED: issued,
        Line.ISSUED_OUTSIDE: outside,
        Line.CANCELLED: received - issued - outside,
        Line.FOUND: valid + invalid,
        Line.INVALID: invalid,
        Line.VALID: valid,
        Line.AGAINST_ALL: against,
    }
    return {str(k.value): v for k, v in lines.items()}, dict(zip(CHOICES, votes, strict=True))


def build(count: int, stations: int, cec: KeyPair) -> list[Event]:
    """Genesis, one key per precinct commission, then ``count`` protocols (unsigned)."""
    rng = random.Random(2026)
    events = [sign_event(new_event(None, Kind.KEY_REGISTERED, TIME, "CEC",
                                   key_registered("CEC", cec.public_hex)), cec)]  # fmt: skip
    for index in range(stations):
        payload = key_registered(_station(index), _key(index).public_hex)
        events.append(
            sign_event(new_event(events[-1], Kind.KEY_REGISTERED, TIME, "CEC", payload), cec)
        )
    for number in range(count):
        station = _station(number % stations)
        contest = f"C{number // stations:04d}"
        lines, votes = _protocol(rng)
        payload = protocol_entered(station, contest, lines, votes)
        events.append(new_event(events[-1], Kind.PROTOCOL_ENTERED, TIME, station, payload))
    return events


def _key(index: int) -> KeyPair:
    if index not in _signers:
        _signers[index] = demo_keypair(_station(index))
    return _signers[index]


def _sign_chunk(work: Sequence[tuple[int, str]]) -> list[str]:
    return [_key(index).sign(signing_message(digest)).hex() for index, digest in work]


def sign(events: list[Event], stations: int, workers: int) -> list[Event]:
    first = stations + 1
    work = [(i % stations, e.hash) for i, e in enumerate(events[first:])]
    size = max(1, len(work) // (workers * 16))
    pieces = [work[i : i + size] for i in range(0, len(work), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        signatures = [s for part in pool.map(_sign_chunk, pieces) for s in part]
    signed = events[:first]
    for index, (event, signature) in enumerate(zip(events[first:], signatures, strict=True)):
        key_id = _key(index % stations).key_id
        signed.append(
            Event(
                event.sequence, event.kind, event.time, event.actor, event.payload,
                event.previous, event.hash, (Signature(key_id, signature),), event.body,
            )
        )  # fmt: skip
    return signed


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _timed(label: str, count: int, seconds: float) -> None:
    print(f"{label:<48} {seconds:8.2f} s  {count / seconds:>12,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=10_000, help="precinct commissions")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--single", action="store_true", help="also verify on one process")
    arguments = parser.parse_args()
    count, stations, workers = arguments.events, arguments.keys, arguments.workers
    cec = demo_keypair("CEC")
    print(f"{count:,} protocol events, {stations:,} precinct keys, {workers} workers")

    start = time.perf_counter()
    events = build(count, stations, cec)
    total = len(events)
    _timed("build (canonical JSON, SHA-256, chain)", total, time.perf_counter() - start)
    for index in range(stations):
        _key(index)  # the forked signers inherit the keys
    start = time.perf_counter()
    events = sign(events, stations, workers)
    _timed(f"sign (Ed25519, {workers} processes)", count, time.perf_counter() - start)

    folder = Path(tempfile.mkdtemp(prefix="saylau-bench-"))
    try:
        start = time.perf_counter()
        bundle = publish(events, folder / "v1", signer=cec, timestamp=TIME)
        _timed("publish (lines, Merkle tree, signed heads)", total, time.perf_counter() - start)
        del events
        print(f"load average before verifying: {_load()}")
        before, start = os.times(), time.perf_counter()
        report = verify_bundle(folder / "v1", workers=workers)
        seconds, after = time.perf_counter() - start, os.times()
        assert report.ok, report.findings[:5]
        assert report.tree_size == total
        assert report.root_hash == bundle.root_hash
        _timed(f"verify_bundle ({workers} processes, every check)", total, seconds)
        main_cpu = after.user + after.system - before.user - before.system
        worker_cpu = (
            after.children_user + after.children_system
            - before.children_user - before.children_system
        )  # fmt: skip
        print(
            f"  processor time: main process {main_cpu:.1f} s ({main_cpu / total * 1e6:.1f} us"
            f" per event), workers {worker_cpu:.1f} s ({worker_cpu / total * 1e6:.1f} us per"
            f" event); load average after: {_load()}"
        )
        if arguments.single:
            start = time.perf_counter()
            assert verify_bundle(folder / "v1", workers=1).ok
            _timed("verify_bundle (1 process)", total, time.perf_counter() - start)
        entry = file_of(load_document(folder / "v1" / MANIFEST), LEDGER)
        assert entry is not None
        data = (folder / "v1" / str(entry["name"])).read_bytes()
        start = time.perf_counter()
        hashlib.sha256(data).hexdigest()
        _timed(f"plain SHA-256 of the ledger file ({len(data) / 2**20:,.0f} MiB)", total,
               time.perf_counter() - start)  # fmt: skip
        start = time.perf_counter()
        sha = hashlib.sha256
        for line in data.splitlines():
            sha(b"\x00" + line).digest()
        _timed("plain SHA-256 of each line (Merkle leaves)", total, time.perf_counter() - start)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
