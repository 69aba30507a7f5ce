"""`pacesetter rebuild PROJECTION|all`: blue/green rebuild from sequence 1 while the live tables serve."""

from __future__ import annotations

import asyncio
from typing import Annotated

import asyncpg
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from services.cli.building import build, log_end
from services.cli.where import stack_settings
from services.projections import catalog
from services.projections.switch import staged_checkpoint, staging_schema, switch
from shared.runtime.stackfile import NoRunningStack
from shared.settings import Settings

out, err = Console(), Console(stderr=True)
CATCH_UP_ROUNDS = 5


def rebuild(
    projection: Annotated[
        str, typer.Argument(help=f"A projection ({', '.join(sorted(catalog.PROJECTIONS))}) or [bold]all[/].")
    ],
    keep_old: Annotated[bool, typer.Option(help="Keep the replaced tables in <schema>_old_<projection>.")] = False,
    schema: Annotated[str | None, typer.Option(help="The live schema (default READ_SCHEMA, 'read').")] = None,
) -> None:
    """Rebuild a projection blue/green: build it from sequence 1 into a staging schema while the live one
    serves, catch up with the log, then switch atomically.

    The switch moves the new tables into the live schema and the old ones out in one transaction, with the
    checkpoint: the read API and the live runner follow it by name, with no restart; a read during the
    switch waits a moment and never fails. Shows a progress bar with events/s.

    Exit code: 0 switched, 1 a projection stopped on an event (nothing switched for it), 3 no running stack.
    """
    try:
        settings, _ = stack_settings()
        projections = catalog.select(None if projection == "all" else [projection])
    except NoRunningStack as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(3) from None
    except KeyError as exc:
        err.print(f"[red]error:[/] {escape(str(exc.args[0]))}")
        raise typer.Exit(2) from None
    live = schema or settings.read_schema
    results = asyncio.run(_rebuild(settings, live, [p.name for p in projections], keep_old))
    t = Table(title=f"rebuild into {live}")
    for column in ("projection", "outcome", "checkpoint"):
        t.add_column(column)
    for name, (outcome, seq) in results.items():
        t.add_row(name, "[green]switched[/]" if outcome == "switched" else f"[red]{outcome}[/]", str(seq))
    out.print(t)
    raise typer.Exit(0 if all(o == "switched" for o, _ in results.values()) else 1)


async def _rebuild(settings: Settings, live: str, names: list[str], keep_old: bool) -> dict[str, tuple[str, int]]:
    con = await asyncpg.connect(settings.database_url)
    try:
        staging = {n: staging_schema(live, n) for n in names}
        for s in staging.values():
            await con.execute(f"drop schema if exists {s} cascade")
        stopped: dict[str, tuple[str, int]] = {}
        for _ in range(CATCH_UP_ROUNDS):
            end = await log_end(settings)
            todo = [n for n in names if n not in stopped and await _behind(con, staging[n], n, end)]
            if not todo:
                break
            # together: one read of the log feeds every staging schema
            outcomes = await build(settings, [(p, staging[p.name]) for p in catalog.select(todo)], end, err)
            for n, outcome in outcomes.items():
                if outcome != "finished":
                    stopped[n] = ("stopped", await staged_checkpoint(con, staging[n], n))
        results = dict(stopped)
        for n in names:
            if n not in stopped:
                results[n] = ("switched", await _switch(con, live, staging[n], n, keep_old))
        return results
    finally:
        await con.close()


async def _behind(con: asyncpg.Connection, staging: str, name: str, end: int) -> bool:
    exists = await con.fetchval("select exists (select 1 from pg_tables where schemaname = $1)", staging)
    return not exists or await staged_checkpoint(con, staging, name) < end


async def _switch(con: asyncpg.Connection, live: str, staging: str, name: str, keep_old: bool) -> int:
    for attempt in range(3):  # the live runner may hold a lock we need: PostgreSQL breaks the deadlock
        try:
            return await switch(con, live, staging, name, keep_old=keep_old)
        except asyncpg.DeadlockDetectedError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
