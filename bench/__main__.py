"""python -m bench [--quick] [--only NAME ...] [--keep]: every benchmark against a fresh stack, table and JSON."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any, NoReturn

from bench.plan import ALIASES, BENCHMARKS, Plan
from bench.report import load, machine, show, write
from bench.run import Run, console
from shared import gcpolicy
from shared.logging import configure_logging


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a reduced run of about two minutes")
    names = sorted({*BENCHMARKS, *ALIASES})
    p.add_argument("--only", action="append", choices=names, help="run only this benchmark (repeatable)")
    p.add_argument("--replicas", default=None, help="replica counts of pledges/evaluation to try, e.g. 1,2")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (servers' data and service logs)")
    return p.parse_args(argv)


async def _main(args: argparse.Namespace) -> int:
    configure_logging("WARNING", json=False)  # the in-process replay build logs through structlog
    # the clients run in this process, which keeps every sample: its full collections would count as latency
    gcpolicy.install(3600)
    plan = Plan.make(args.quick)
    if args.replicas:
        from dataclasses import replace

        plan = replace(plan, replicas=tuple(int(x) for x in args.replicas.split(",")))
    only = {ALIASES.get(n, n) for n in args.only or ()}
    run = Run(plan, lambda name: not only or name in only)
    run.stack.keep = args.keep
    info: dict[str, Any] = {"quick": plan.quick, "only": sorted(only), "machine": machine(), "load_before": load()}
    failed: BaseException | None = None
    try:
        await run.execute()
    except (Exception, asyncio.CancelledError) as exc:
        failed = exc
        console.print(f"[red]benchmark run failed: {type(exc).__name__}: {exc}[/]")
    finally:
        console.print("[dim]stopping services and servers[/]")
        await asyncio.shield(run.stack.stop())
    info.update(load_after=load(), facts=run.facts, plan=plan.__dict__, error=repr(failed) if failed else None)
    show(run.rows, info)
    path = write(run.rows, info)
    console.print(f"wrote {path}")
    return 1 if failed else 0


def _terminate(*_: object) -> NoReturn:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return asyncio.run(_main(_parse(argv)))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
