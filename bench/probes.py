"""What the benchmarks watch from outside: projection checkpoints (lag), the read API (reads), process memory."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import httpx

from bench.httpget import HttpGet
from bench.stats import percentile

SCHEMA = "read"
# The leaderboard's projection when it exists; the pledge board otherwise (said in the table).
LEADERBOARD = "scores_board"
FALLBACK = "pledge_board"
LEADERBOARD_PATH = "/campaigns/c-2026/leaderboard?period=2026&kind=unit&limit=50"
POLL_S = 0.002


async def lag_projection(con: asyncpg.Connection) -> str:
    names = {r["projection"] for r in await con.fetch(f"select projection from {SCHEMA}.checkpoints")}
    return LEADERBOARD if LEADERBOARD in names else FALLBACK


async def checkpoint(con: asyncpg.Connection, projection: str) -> int:
    value = await con.fetchval(f"select last_seq from {SCHEMA}.checkpoints where projection = $1", projection)
    return int(value or 0)


class CheckpointWatch:
    """Polls a projection's checkpoint every 2 ms, recording when it first reached each value."""

    def __init__(self, dsn: str, projection: str) -> None:
        self.dsn, self.projection = dsn, projection
        self.seen: list[tuple[int, float]] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CheckpointWatch:
        con = await asyncpg.connect(self.dsn)
        self._task = asyncio.create_task(self._poll(con))
        return self

    async def _poll(self, con: asyncpg.Connection) -> None:
        try:
            last = -1
            while not self._stop.is_set():
                seq = await checkpoint(con, self.projection)
                if seq != last:
                    self.seen.append((seq, time.perf_counter()))
                    last = seq
                await asyncio.sleep(POLL_S)
        finally:
            await con.close()

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def drain(self, upto: int, within_s: float = 30.0) -> None:
        """Keep polling until the checkpoint reaches `upto` (or `within_s` passes)."""
        for _ in range(int(within_s / 0.01)):
            if self.seen and self.seen[-1][0] >= upto:
                return
            await asyncio.sleep(0.01)

    def lags(self, acks: Sequence[tuple[int, float]]) -> list[float]:
        """For each (seq, ack time): seconds until the checkpoint was first seen at or past seq."""
        out: list[float] = []
        seen = self.seen
        j = 0
        for seq, acked in sorted(acks):
            while j < len(seen) and seen[j][0] < seq:
                j += 1
            if j == len(seen):
                break
            out.append(max(0.0, seen[j][1] - acked))
        return out


async def wait_caught_up(dsn: str, target: int, within_s: float) -> tuple[bool, float]:
    """Until every live projection's checkpoint reaches `target`; (reached, seconds)."""
    con = await asyncpg.connect(dsn)
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < within_s:
            low = await con.fetchval(f"select min(last_seq) from {SCHEMA}.checkpoints")
            if low is not None and low >= target:
                return True, time.perf_counter() - t0
            await asyncio.sleep(0.2)
        return False, time.perf_counter() - t0
    finally:
        await con.close()


async def wait_quiet(pids: dict[str, int], within_s: float, busy: float = 0.15) -> tuple[bool, float]:
    """Until no service uses more than `busy` of a core over 2 s (every log follower has caught up:
    projections, the scores and awards policies); (quiet, seconds)."""
    import psutil

    procs = {k: psutil.Process(v) for k, v in pids.items()}

    def cpu() -> dict[str, float]:
        return {k: sum(p.cpu_times()[:2]) for k, p in procs.items()}

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < within_s:
        before = cpu()
        await asyncio.sleep(2.0)
        after = cpu()
        if all((after[k] - before[k]) / 2.0 < busy for k in procs):
            return True, time.perf_counter() - t0
    return False, time.perf_counter() - t0


async def read_endpoint(base: str) -> tuple[str, bool]:
    """(path, is the leaderboard) of the endpoint the reads benchmark hits."""
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        paths = (await http.get("/openapi.json")).json().get("paths", {})
    if "/campaigns/{campaign_id}/leaderboard" in paths:
        return LEADERBOARD_PATH, True
    return "/pledges?limit=20", False


async def paced_reads(
    base: str, path: str, rate: float, seconds: float, server_pid: int | None = None
) -> dict[str, float | int]:
    """GET `path` at `rate` per second (open loop); latency from the intended send time.

    With `server_pid`, also the CPU that process and this one (the client) spent per request.
    """
    latencies: list[float] = []
    errors = 0
    http = HttpGet(base, path)
    try:
        status, warm = await http.get()  # warm the connection, the query plan and the server's cache
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {warm[:200]!r}")

        async def one(due: float) -> None:
            nonlocal errors
            try:
                status, _ = await http.get()
            except (OSError, ValueError, asyncio.IncompleteReadError):
                errors += 1
                return
            if status != 200:
                errors += 1
                return
            latencies.append(time.perf_counter() - due)

        tasks = []
        # this process holds every earlier benchmark's objects: a full collection here would count as the server's
        gc.collect()
        gc.freeze()
        cpu0 = _cpu_s(server_pid), time.process_time()
        t0 = time.perf_counter()
        for k in range(int(rate * seconds)):
            due = t0 + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
        cpu1 = _cpu_s(server_pid), time.process_time()
    finally:
        gc.unfreeze()
        await http.close()
    done = max(1, len(latencies) + errors)
    return {
        "requests": len(latencies),
        "errors": errors,
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "body_bytes": len(warm),
        "server_cpu_ms": round((cpu1[0] - cpu0[0]) * 1000 / done, 3),
        "client_cpu_ms": round((cpu1[1] - cpu0[1]) * 1000 / done, 3),
    }


def _cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of process `pid` so far (0.0 without one)."""
    if pid is None:
        return 0.0
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / 2**20
