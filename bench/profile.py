"""python -m bench.profile [--seconds N] [--out DIR]: py-spy the services under the command mix, then a catch-up.

Starts a fresh stack, sends the mix with 64 clients for N seconds while py-spy records the pledges, evaluation
and projections processes (raw folded stacks, `--nonblocking --gil`), then fills the log and records the
projections process catching up. Prints the hottest frames of each profile; the raw files stay in DIR
(default: <tmp>/pacesetter-profile).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from bench import client
from bench.replaylog import LogFiller, fill
from bench.stack import BenchStack
from bench.workload import Workload

PY_SPY = Path(sys.executable).parent / "py-spy"


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """user+system CPU seconds of each process and its children (PostgreSQL's backends count with it)."""
    out: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)] if name == "server-postgres" else [proc]
            out[name] = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        except psutil.Error:
            out[name] = 0.0
    return out


def record(pid: int, seconds: float, out: Path, rate: int = 100) -> subprocess.Popen[bytes]:
    cmd = [
        str(PY_SPY),
        "record",
        "-f",
        "raw",
        "-p",
        str(pid),
        "-d",
        str(int(seconds)),
        "-o",
        str(out),
        "--nonblocking",
        "--gil",
        "--rate",
        str(rate),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hottest(path: Path, top: int = 25) -> list[tuple[str, float]]:
    """Share of samples in which each function appears (inclusive), highest first."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        k = int(n)
        total += k
        for frame in set(stack.split(";")):
            counts[frame] += k
    return [(f, c / total) for f, c in counts.most_common(top)] if total else []


async def main(seconds: float, out: Path) -> None:
    stack = BenchStack()
    try:
        await stack.start()
        assert stack.nc is not None
        wl = Workload(400, 8)
        for phase in wl.setup_phases():
            await client.run_all(stack.nc, phase)
        pids = stack.pids()
        pids.update({f"server-{k}": v for k, v in stack.servers.pids().items()}, bench=os.getpid())
        before = cpu_seconds(pids)
        spies = {name: record(pids[name], seconds, out / f"{name}-commands.txt") for name in stack.pids()}
        res = await client.closed_loop(stack.nc, wl.next, 64, seconds + 1)
        used = {k: round((v - before[k]) / res.elapsed * 100) for k, v in cpu_seconds(pids).items()}
        for p in spies.values():
            p.wait()
        print(f"commands: {res.summary()}")
        print(f"CPU % of one core during the run (incl. py-spy overhead): {used}")
        spy = record(pids["projections"], seconds, out / "projections-catchup.txt")
        await fill(stack.nc, LogFiller(wl.tag), 200_000)
        spy.wait()
    finally:
        await stack.stop()


def show(out: Path) -> None:
    for f in sorted(out.glob("*.txt")):
        print(f"\n== {f.name}")
        for frame, share in hottest(f):
            print(f"{share:6.1%}  {frame}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "pacesetter-profile")
    a = parser.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(a.seconds, a.out))
    show(a.out)
