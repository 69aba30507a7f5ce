"""`pacesetter replay --until TIME|SEQ --into NAME`: projections as they stood at a point in time, in a side schema."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Annotated

import asyncpg
import typer
from rich.console import Console
from rich.markup import escape

from services.cli.building import build
from services.cli.where import stack_settings
from services.projections import catalog
from services.projections.bookkeeping import check_schema_name
from services.projections.connect import connect_nats
from services.projections.pointintime import seq_at, stored_at
from shared.runtime.stackfile import NoRunningStack
from shared.settings import Settings

out, err = Console(), Console(stderr=True)


def parse_until(text: str) -> int | datetime:
    """A sequence (digits), or a time: ISO date (the end of that day) or date-time; local time zone if none."""
    if text.isdigit():
        return int(text)
    try:
        moment = (
            datetime.combine(date.fromisoformat(text), time.max) if len(text) == 10 else datetime.fromisoformat(text)
        )
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither a sequence nor an ISO date or date-time") from None
    return moment if moment.tzinfo else moment.astimezone()


def replay(
    until: Annotated[
        str, typer.Option(help="A stream sequence, or a time: 2026-06-30 (end of that day) or 2026-06-30T18:00+08:00.")
    ],
    into: Annotated[str, typer.Option(help="The side schema to build (lower-case identifier, e.g. asof_0630).")],
    projections: Annotated[
        list[str] | None, typer.Argument(help=f"Default: all of {', '.join(sorted(catalog.PROJECTIONS))}.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Drop the schema first if it exists.")] = False,
) -> None:
    """Build projections as of a point in time into a side schema, to answer "what did the board say on 30 June".

    A time is resolved to the last event the stream stored at or before it (binary search over the stream's own
    timestamps). The live schema is not touched. Query the side schema with psql
    ([italic]set search_path = NAME[/]), or point a read API at it with READ_SCHEMA=NAME.

    Exit code: 0 built, 1 a projection stopped on an event, 2 bad arguments or the schema exists, 3 no stack.
    """
    try:
        settings, _ = stack_settings()
        chosen = catalog.select(projections)
        schema = check_schema_name(into)
    except NoRunningStack as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(3) from None
    except (KeyError, ValueError) as exc:
        err.print(f"[red]error:[/] {escape(str(exc.args[0]))}")
        raise typer.Exit(2) from None
    if schema == settings.read_schema:
        err.print(f"[red]error:[/] {schema} is the live schema; replay into a side schema")
        raise typer.Exit(2)
    code = asyncio.run(_replay(settings, parse_until(until), schema, [p.name for p in chosen], replace))
    raise typer.Exit(code)


async def _replay(settings: Settings, until: int | datetime, schema: str, names: list[str], replace: bool) -> int:
    con = await asyncpg.connect(settings.database_url)
    try:
        if await con.fetchval("select exists (select 1 from pg_namespace where nspname = $1)", schema):
            if not replace:
                err.print(f"[red]error:[/] schema {schema} exists; choose another name or pass --replace")
                return 2
            await con.execute(f"drop schema {schema} cascade")
    finally:
        await con.close()
    seq, when = await _resolve(settings, until)
    out.print(f"as of sequence [bold]{seq}[/]" + (f" (stored {when.isoformat()})" if when else ""), highlight=False)
    outcomes = await build(settings, [(p, schema) for p in catalog.select(names)], seq, err)
    for name, outcome in outcomes.items():
        out.print(f"{name}: {outcome}", highlight=False)
    out.print(f"built into schema [bold]{schema}[/]", highlight=False)
    return 0 if all(o == "finished" for o in outcomes.values()) else 1


async def _resolve(settings: Settings, until: int | datetime) -> tuple[int, datetime | None]:
    nc = await connect_nats(settings)
    try:
        js = nc.jetstream()
        seq = until if isinstance(until, int) else await seq_at(js, settings.stream_name, until)
        return seq, (await stored_at(js, settings.stream_name, seq) if seq else None)
    finally:
        await nc.close()
