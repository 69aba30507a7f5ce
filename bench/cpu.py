"""python -m bench.cpu [--rate R] [--seconds N] [--rounds K]: CPU ms per command of each write service.

Starts a fresh stack, sends the command mix open loop at a rate well below capacity and divides each
service process's user+system CPU seconds by the commands it answered. Throughput on a shared two-core
machine moves with the neighbours' load; CPU per command barely does, so compare changes with this.
Runs K rounds on the same stack (after one warm-up round) and prints each, so the spread shows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter
from pathlib import Path

from bench import client
from bench.profile import cpu_seconds, hottest, record
from bench.stack import BenchStack
from bench.workload import Message, Workload
from services.catalog import SERVICES, context_of
from shared.eventstore import EventStore
from shared.runtime.health import connect
from shared.runtime.servers import Servers

WRITERS = ("pledges", "evaluation")  # the services the mix reaches


async def one_round(stack: BenchStack, wl: Workload, rate: float, seconds: float, clients: int = 0) -> dict[str, float]:
    """CPU ms per answered command of each service that answered some, over one paced run (or closed loop)."""
    assert stack.nc is not None
    sent: Counter[str] = Counter()

    def source() -> Message:
        msg = wl.next()
        sent[context_of(msg[2])] += 1
        return msg

    pids = stack.pids()
    others = {"bench": os.getpid(), **{f"server-{k}": v for k, v in stack.servers.pids().items()}}
    before = cpu_seconds({**pids, **others})
    if clients:
        out = await client.closed_loop(stack.nc, source, clients, seconds)
        print(f"  closed loop, {clients} clients: {out.summary()}")
    else:
        out = await client.paced(stack.nc, source, rate, seconds)
    after = cpu_seconds({**pids, **others})
    used = {k: f"{(after[k] - before[k]) / out.elapsed:.0%}" for k in after}
    print(f"  CPU of one core: {used}")
    if out.refused:
        print(f"  refused: {dict(out.refused)}")
    return {name: round((after[name] - before[name]) * 1000 / sent[name], 3) for name in pids if sent[name]}


async def start_lean(stack: BenchStack) -> None:
    """NATS and the two services the mix reaches, nothing that follows the log: their CPU alone, less noise."""
    stack.servers = Servers(stack.settings.model_copy(update={"database_url": "postgresql:///unused"}))
    stack.servers.start(lambda _msg: None)
    stack.nc = await connect(stack.nats_url, stack.settings)
    await EventStore(stack.nc, stack.stream).ensure_stream(1, stack.settings.duplicate_window_s)
    for spec in SERVICES:
        if spec.name in WRITERS:
            await stack.spawn(spec)


async def main(rate: float, seconds: float, rounds: int, spy: Path | None, lean: bool, clients: int) -> None:
    stack = BenchStack()
    try:
        await (start_lean(stack) if lean else stack.start())
        assert stack.nc is not None
        wl = Workload(400, 8)
        for phase in wl.setup_phases():
            await client.run_all(stack.nc, phase)
        await one_round(stack, wl, rate, min(seconds, 5))  # warm-up: caches, imports, JIT-less first calls
        for k in range(rounds):
            how = f"{clients} clients" if clients else f"{rate:.0f}/s"
            print(f"round {k + 1}: CPU ms per command at {how}: {await one_round(stack, wl, rate, seconds, clients)}")
        if spy is not None:
            await profile(stack, wl, rate, seconds, spy, clients)
    finally:
        await stack.stop()


async def profile(stack: BenchStack, wl: Workload, rate: float, seconds: float, out: Path, clients: int) -> None:
    """py-spy (raw folded stacks) of pledges and evaluation during one more round; prints the hottest frames."""
    pids = stack.pids()
    spies = {name: record(pids[name], seconds, out / f"{name}.txt", rate=400) for name in WRITERS}
    await one_round(stack, wl, rate, seconds + 1, clients)
    for name, p in spies.items():
        p.wait()
        print(f"== {name} (inclusive share of samples)")
        for frame, share in hottest(out / f"{name}.txt", 40):
            print(f"{share:6.1%}  {frame}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spy", type=Path, default=None, help="also py-spy the services, raw stacks into this folder")
    parser.add_argument("--clients", type=int, default=0, help="closed loop with this many clients instead of --rate")
    parser.add_argument("--lean", action="store_true", help="start only NATS, pledges and evaluation")
    a = parser.parse_args()
    if a.spy is not None:
        a.spy.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(a.rate, a.seconds, a.rounds, a.spy, a.lean, a.clients))
