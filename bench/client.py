"""Sending commands over NATS request/reply: closed loop (N clients) and paced (open loop at a rate)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeout

from bench.stats import percentile
from bench.workload import Message

TIMEOUT_S = 10.0


@dataclass
class Outcome:
    """Latencies (s) of accepted commands, refusals by code, and the acked stream sequences with ack times."""

    latencies: list[float] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    acks: list[tuple[int, float]] = field(default_factory=list)
    events: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        return {
            "accepted": self.ok,
            "refused": dict(self.refused),
            "per_s": round(self.rate, 1),
            "events_per_s": round(self.events / self.elapsed if self.elapsed else 0.0, 1),
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 2),
            "seconds": round(self.elapsed, 2),
        }


async def send(nc: NATS, msg: Message, out: Outcome, started: float | None = None) -> dict[str, object] | None:
    """One command; its latency counts from `started` (the intended send time) when given."""
    subject, payload, _ = msg
    t0 = started if started is not None else time.perf_counter()
    try:
        reply = await nc.request(subject, payload, timeout=TIMEOUT_S)
    except NatsTimeout:
        out.refused["timeout"] += 1
        return None
    now = time.perf_counter()
    body: dict[str, object] = json.loads(reply.data)
    if body.get("ok"):
        out.latencies.append(now - t0)
        events = body.get("events") or []
        if isinstance(events, list) and events:
            out.events += len(events)
            out.acks.append((int(events[-1]["seq"]), now))
    else:
        err = body.get("error") or {}
        out.refused[str(err.get("code") if isinstance(err, dict) else err)] += 1
    return body


async def run_all(nc: NATS, messages: Sequence[Message], concurrency: int = 64) -> Outcome:
    """Send every message, `concurrency` at a time; raises if any was refused (setup must succeed)."""
    out = Outcome()
    queue = list(reversed(messages))
    t0 = time.perf_counter()

    async def worker() -> None:
        while queue:
            await send(nc, queue.pop(), out)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    out.elapsed = time.perf_counter() - t0
    if out.refused:
        raise RuntimeError(f"setup commands refused: {dict(out.refused)}")
    return out


async def closed_loop(nc: NATS, source: Callable[[], Message], clients: int, seconds: float) -> Outcome:
    """`clients` concurrent senders, each sending its next command as soon as the last one is answered."""
    out = Outcome()
    t0 = time.perf_counter()
    deadline = t0 + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            await send(nc, source(), out)

    await asyncio.gather(*(client() for _ in range(clients)))
    out.elapsed = time.perf_counter() - t0
    return out


async def paced(nc: NATS, source: Callable[[], Message], rate: float, seconds: float) -> Outcome:
    """Open loop: command k is sent at t0 + k/rate whatever the replies; latency counts from that time."""
    out = Outcome()
    total = int(rate * seconds)
    tasks: set[asyncio.Task[object]] = set()
    t0 = time.perf_counter()
    for k in range(total):
        due = t0 + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(nc, source(), out, started=due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=TIMEOUT_S + 1)
    out.elapsed = time.perf_counter() - t0
    return out
