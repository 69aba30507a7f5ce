"""`pacesetter demo`: load the demo campaign through the running services, with progress."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.cli.demo.plan import year
from services.cli.demo.roster import CAMPAIGN
from services.cli.demo.run import DemoFailed, Tally, run_steps
from services.cli.where import stack_settings
from shared.eventstore import EventStore
from shared.runtime.health import connect
from shared.runtime.stackfile import NoRunningStack
from shared.settings import Settings

out, err = Console(), Console(stderr=True)


def demo(
    concurrency: Annotated[int, typer.Option(help="Commands in flight at once.", min=1, max=256)] = 24,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each reply.", min=0.5)] = 10.0,
) -> None:
    """Load a realistic campaign year through the running services (the stack of [bold]up[/]).

    Campaign [bold]c-demo-2026[/] (争夺创先争优先锋旗、争当创先争优模范星): 12 units (股室, 党支部, 党小组) and 72
    members, benchmark pairs and gap reports, a pledge per unit and member with twelve monthly progress reports,
    self-checks and fulfilment assessments, three leader reviews with rectification, a mass evaluation by
    ballot, H1 and H2 award rounds (4 vanguard flags and 8 model stars each, nominee evaluations, inspection,
    committee decisions, publication) and one revocation.

    Every command id is derived from its step, so running [bold]demo[/] again changes nothing.

    Exit code: 0 loaded, 1 a command was refused or not answered, 3 no running stack.
    """
    try:
        settings, _ = stack_settings()
    except NoRunningStack as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(3) from None
    started = time.monotonic()
    try:
        tally = asyncio.run(_load(settings.nats_url or "", settings, concurrency, timeout))
    except DemoFailed as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    took = time.monotonic() - started
    out.print(
        f"campaign [bold]{CAMPAIGN}[/]: {tally.applied} commands applied, {tally.unchanged} already there, "
        f"in {took:.1f} s. Open the board at the read API's [bold]/board[/].",
        highlight=False,
    )


async def _load(url: str, settings: Settings, concurrency: int, wait: float) -> Tally:
    nc = await connect(url, settings)
    steps = year()
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
        ) as progress:
            task = progress.add_task("demo", total=sum(s.size for s in steps))

            def advance(label: str, n: int) -> None:
                progress.update(task, advance=n, description=label)

            store = EventStore(nc, settings.stream_name)
            return await run_steps(nc, store, steps, advance, concurrency=concurrency, wait=wait)
    finally:
        await nc.drain()
