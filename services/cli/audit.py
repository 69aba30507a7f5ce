"""`pacesetter audit`: verify the hash chain against the stream; read and export the audit trail (审计)."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from services.cli.audit_verify import Verdict, verify
from services.cli.where import stack_settings
from services.projections.connect import connect_nats
from shared.runtime.stackfile import NoRunningStack
from shared.settings import Settings

app = typer.Typer(help="The audit trail: verify its hash chain, read it, export it.", no_args_is_help=True,
                  rich_markup_mode="rich")  # fmt: skip
out, err = Console(), Console(stderr=True)
COLUMNS = ("seq", "recorded_at", "type", "subject", "actor_id", "actor_role", "actor_unit_id", "boundary_id",
           "campaign_id", "command_id", "correlation_id", "causation_id", "data", "hash")  # fmt: skip
QUERY = f"""
select {", ".join(COLUMNS[:-2])}, data::text as data, encode(hash, 'hex') as hash from audit_trail
where ($1::text is null or actor_id = $1) and ($2::text is null or type = $2)
  and ($3::text is null or subject like $3 || '%' or boundary_id = $3)
  and ($4::text is null or actor_unit_id = $4 or boundary_id = $4 or data::text like '%"' || $4 || '"%')
  and ($5::timestamptz is null or recorded_at >= $5) and ($6::timestamptz is null or recorded_at < $6)
order by seq limit $7
"""

Actor = Annotated[str | None, typer.Option("--actor", help="Only events by this member id.")]
Type = Annotated[str | None, typer.Option("--type", help="Only this event type, e.g. AwardGranted.")]
Subject = Annotated[str | None, typer.Option(help="A subject prefix (ps.evt.awards.) or a boundary id.")]
Unit = Annotated[str | None, typer.Option(help="Events of one unit: by its people, on it, or naming it.")]
Since = Annotated[datetime | None, typer.Option(help="Recorded at or after (ISO).")]
Before = Annotated[datetime | None, typer.Option(help="Recorded before (ISO).")]


class Format(StrEnum):
    csv = "csv"
    json = "json"


def _settings() -> Settings:
    try:
        return stack_settings()[0]
    except NoRunningStack as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(3) from None


@app.command("verify")
def verify_command() -> None:
    """Recompute the hash chain from the stream and compare every audit row with the event it records.

    Names the first mismatch: sequence, subject, the field, what the log implies and what the table holds.

    Exit code: 0 intact, 1 a mismatch, 3 no running stack.
    """
    settings = _settings()
    verdict = asyncio.run(_verify(settings))
    m = verdict.mismatch
    if m is None:
        out.print(f"[green]audit trail intact[/]: {verdict.checked} events verified up to seq {verdict.until}")
        return
    out.print(f"[red]audit trail does not match the log[/] at seq [bold]{m.seq}[/] ({escape(m.subject)})")
    out.print(f"  field {m.field}\n  expected {escape(m.expected)}\n  stored   {escape(m.stored)}", highlight=False)
    out.print(f"  ({verdict.checked} events before it verified)")
    raise typer.Exit(1)


async def _verify(settings: Settings) -> Verdict:
    nc = await connect_nats(settings)
    db = await asyncpg.connect(settings.database_url, server_settings={"search_path": settings.read_schema})
    try:
        return await verify(nc, settings.stream_name, db)
    finally:
        await db.close()
        await nc.close()


async def _rows(settings: Settings, filters: tuple[Any, ...], limit: int | None) -> list[dict[str, Any]]:
    db = await asyncpg.connect(settings.database_url, server_settings={"search_path": settings.read_schema})
    try:
        return [dict(r) for r in await db.fetch(QUERY, *filters, limit)]
    finally:
        await db.close()


@app.command("log")
def log(actor: Actor = None, type_: Type = None, subject: Subject = None, unit: Unit = None, since: Since = None,
        before: Before = None, limit: Annotated[int, typer.Option(min=1)] = 50) -> None:  # fmt: skip
    """Show the audit trail in log order: who did what, when, on which boundary."""
    rows = asyncio.run(_rows(_settings(), (actor, type_, subject, unit, since, before), limit))
    t = Table(title=f"audit trail ({len(rows)} events)")
    for c in ("seq", "recorded at", "type", "actor", "boundary", "data"):
        t.add_column(c, overflow="fold")
    for r in rows:
        when = r["recorded_at"].astimezone().strftime("%Y-%m-%d %H:%M:%S")
        who = f"{r['actor_id']} ({r['actor_role']})"
        t.add_row(str(r["seq"]), when, r["type"], who, r["boundary_id"], escape(r["data"][:80]))
    out.print(t)


@app.command("export")
def export(format_: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.csv,
           output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
           actor: Actor = None, type_: Type = None, subject: Subject = None, unit: Unit = None, since: Since = None,
           before: Before = None) -> None:  # fmt: skip
    """Export the audit trail (all matching events) as CSV or JSON lines' array, with the same filters as log."""
    rows = asyncio.run(_rows(_settings(), (actor, type_, subject, unit, since, before), None))
    with output.open("w", newline="", encoding="utf-8") if output else _stdout() as f:
        if format_ == Format.json:
            items = [{**r, "recorded_at": r["recorded_at"].isoformat(), "data": json.loads(r["data"])} for r in rows]
            json.dump(items, f, ensure_ascii=False, indent=1)
            f.write("\n")
        else:
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            w.writeheader()
            w.writerows({**r, "recorded_at": r["recorded_at"].isoformat()} for r in rows)
    if output:
        err.print(f"{len(rows)} events written to {output}")


def _stdout() -> Any:
    class _Keep:
        def __enter__(self) -> Any:
            return sys.stdout

        def __exit__(self, *_: object) -> None:
            sys.stdout.flush()

    return _Keep()
