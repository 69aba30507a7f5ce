"""The peer: the `eventsourcing` library on the same PostgreSQL, doing the same kind of write as a command.

Each operation is what its users write for a command: get the aggregate from the repository, call a method
that triggers one event, save (one aggregate, one transaction). Aggregates are created untimed beforehand;
the aggregate cache is on (like the services' boundary cache); a few threads, each on its own aggregates so
the peer never conflicts with itself (the project's mix does conflict now and then, and retries).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

NOTE = "按月完成" * 20


def peer_env(dsn: str, threads: int) -> dict[str, str]:
    """eventsourcing's settings for the PostgreSQL at `dsn` (a unix-socket host in the query is honoured)."""
    url = urlsplit(dsn)
    query = parse_qs(url.query)
    host = query.get("host", [url.hostname or "127.0.0.1"])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": (url.path or "/postgres").lstrip("/") or "postgres",
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(url.port or query.get("port", ["5432"])[0]),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_POOL_SIZE": str(threads),
        "POSTGRES_SCHEMA": "bench_peer",
        "AGGREGATE_CACHE_MAXSIZE": "100000",
    }


def _classes() -> tuple[Any, Any]:
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Pledge(Aggregate):
        @event("Made")
        def __init__(self, member_id: str, title: str, lines: list[dict[str, Any]]) -> None:
            self.member_id, self.title, self.lines = member_id, title, lines
            self.reports = 0

        @event("ProgressReported")
        def report(self, period: str, current_value: float, narrative: str) -> None:
            self.reports += 1

    class Pledges(Application[UUID]):
        pass

    return Pledge, Pledges


def run_peer(dsn: str, aggregates: int, operations: int, threads: int = 4) -> dict[str, float]:
    """{'events_per_s', 'p50_ms', 'seconds'} of `operations` get-report-save operations."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("drop schema if exists bench_peer cascade; create schema bench_peer")
    pledge_cls, app_cls = _classes()
    app = app_cls(env=peer_env(dsn, threads))
    line = {"line_id": "l1", "description": "每月撰写学习心得一篇", "target_value": 12, "metric_unit": "篇"}
    ids = []
    for start in range(0, aggregates, 100):
        made = [pledge_cls(f"m-{i}", "争当排头兵公开承诺", [line]) for i in range(start, min(aggregates, start + 100))]
        app.save(*made)
        ids.extend(p.id for p in made)
    latencies: list[float] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        mine = ids[worker::threads]
        local = []
        for k in range(operations // threads):
            t0 = time.perf_counter()
            p = app.repository.get(mine[k % len(mine)])
            p.report("2026-06", 6.0, NOTE)
            app.save(p)
            local.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(local)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    elapsed = time.perf_counter() - t0
    app.close()
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("drop schema bench_peer cascade")
    latencies.sort()
    return {
        "events_per_s": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "seconds": elapsed,
        "threads": threads,
    }
