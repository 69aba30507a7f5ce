"""Build projections into a schema with a rich progress bar (events applied, events/s): rebuilds and replays."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from services.projections.connect import connect_nats
from services.projections.projection import Projection
from services.projections.runner import Outcome, ProjectionRunner
from shared.logfanout import SharedLog
from shared.logging import configure_logging
from shared.settings import Settings


class EventsPerSecond(TaskProgressColumn):
    def render(self, task):  # type: ignore[no-untyped-def]
        from rich.text import Text

        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "… events/s", style="cyan")


async def log_end(settings: Settings) -> int:
    nc = await connect_nats(settings)
    try:
        return int((await nc.jetstream().stream_info(settings.stream_name)).state.last_seq)
    finally:
        await nc.close()


async def build(
    settings: Settings, targets: Sequence[tuple[Projection, str]], until: int, console: Console
) -> dict[str, Outcome]:
    """Each (projection, schema) built up to `until` (resuming from its checkpoints), with progress.

    They are built together: one read of the log feeds them all.
    """
    configure_logging("WARNING", False)
    nc = await connect_nats(settings)
    dsn = settings.database_url or ""
    batch = settings.build_batch
    log = SharedLog(nc, settings.stream_name, batch)
    runners = [
        ProjectionRunner(p, nc, dsn, settings.stream_name, schema, batch=batch, until=until, log=log)
        for p, schema in targets
    ]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), EventsPerSecond(),
               TimeElapsedColumn())  # fmt: skip
    try:
        with Progress(*columns, console=console) as progress:
            tasks = {
                r.projection.name: progress.add_task(f"{r.projection.name} → {r.schema}", total=until) for r in runners
            }
            work = asyncio.gather(*(r.run() for r in runners))
            while not work.done():
                for r in runners:
                    progress.update(tasks[r.projection.name], completed=r.last_seq)
                await asyncio.wait([work], timeout=0.1)
            outcomes = work.result()
            for r in runners:
                progress.update(tasks[r.projection.name], completed=until if r.state == "finished" else r.last_seq)
    finally:
        await nc.close()
    return {r.projection.name: o for r, o in zip(runners, outcomes, strict=True)}
