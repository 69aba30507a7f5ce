"""`pacesetter roster import FILE`: enrol an HR roster (CSV or JSON) into a campaign over NATS.

Units go first, one at a time (they share the campaign's tree boundary), parents before children;
then members, concurrently across members and in file order for one member. Every row gets a
line in the report if it was rejected; the exit code is 1 if any row was.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import nats
import typer
from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError, NoServersError
from nats.errors import TimeoutError as NatsTimeout
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from services.campaigns.roster import RosterFormatError, RosterRow, read_roster
from shared.commands import Reply
from shared.events import Actor, Role
from shared.settings import Settings
from shared.subjects import BadOrganisation, check_organisation, command_subject

Outcome = Literal["applied", "duplicate", "unchanged", "rejected"]
EXIT_REJECTED, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3

app = typer.Typer(name="roster", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@app.callback()
def roster() -> None:
    """Units and members from HR roster files."""


@dataclass(frozen=True)
class RowResult:
    row: RosterRow
    outcome: Outcome
    reason: str = ""


@app.command("import")
def import_roster(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .csv or .json roster.")],
    campaign: Annotated[str, typer.Option("--campaign", "-c", help="The campaign to enrol into.")],
    actor_id: Annotated[str, typer.Option("--as", help="Who imports (member id of the actor).")] = "hr-import",
    role: Annotated[Role, typer.Option(help="The actor's role (office or admin may enrol).")] = Role.admin,
    nats_url: Annotated[str | None, typer.Option(envvar="NATS_URL", help="NATS server of the stack.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each reply.", min=0.1)] = 10.0,
    concurrency: Annotated[int, typer.Option(help="Members sent at once.", min=1, max=256)] = 16,
    organisation: Annotated[
        str | None,
        typer.Option(
            envvar="ORGANISATION", help="The organisation to act for (a subject token).", show_default="default"
        ),
    ] = None,
) -> None:
    """Register the file's units and enrol its members; importing the same file again changes nothing.

    CSV columns: kind,id,name,unit,roles (kind unit|member; unit = parent for a unit; roles ;-separated,
    voter:<group> for a voter). JSON: {"units": [{id,name,parent}], "members": [{id,name,unit,roles}]}.
    """
    try:
        settings = Settings()
        actor = Actor(member_id=actor_id, role=role)
        rows = read_roster(file, campaign, actor)
        org = check_organisation(organisation or settings.organisation)
    except (RosterFormatError, ValidationError, UnicodeDecodeError, BadOrganisation) as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from None
    url = nats_url or settings.nats_url or "nats://127.0.0.1:4222"
    try:
        results = asyncio.run(_import(url, org, rows, timeout, concurrency))
    except (NoServersError, OSError) as exc:
        err.print(f"[red]error:[/] cannot reach NATS at {escape(url)}: {escape(str(exc))}")
        raise typer.Exit(EXIT_UNREACHABLE) from None
    raise typer.Exit(_report(results))


async def _import(url: str, organisation: str, rows: list[RosterRow], wait: float, concurrency: int) -> list[RowResult]:
    nc = await nats.connect(url, connect_timeout=wait, max_reconnect_attempts=0, allow_reconnect=False)
    try:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("importing roster", total=len(rows))
            results: dict[int, RowResult] = {}

            async def send_all(group: list[tuple[int, RosterRow]]) -> None:
                for i, row in group:
                    results[i] = await _send(nc, organisation, row, wait)
                    progress.advance(task)

            indexed = list(enumerate(rows))
            await send_all([(i, r) for i, r in indexed if r.kind == "unit"])
            by_member: dict[str, list[tuple[int, RosterRow]]] = defaultdict(list)
            for i, r in indexed:
                if r.kind != "unit":
                    by_member[r.key].append((i, r))
            gate = asyncio.Semaphore(concurrency)

            async def gated(group: list[tuple[int, RosterRow]]) -> None:
                async with gate:
                    await send_all(group)

            await asyncio.gather(*(gated(g) for g in by_member.values()))
    finally:
        await nc.drain()
    return [results[i] for i in sorted(results)]


async def _send(nc: NATS, organisation: str, row: RosterRow, wait: float) -> RowResult:
    if row.command is None:
        return RowResult(row, "rejected", row.error or "invalid row")
    subject = command_subject("campaigns", type(row.command).__name__, organisation)
    try:
        msg = await nc.request(subject, row.command.model_dump_json().encode(), timeout=wait)
        reply = Reply.model_validate_json(msg.data)
    except (NatsTimeout, NoRespondersError):
        return RowResult(row, "rejected", "unavailable: the campaigns service did not answer")
    except ValidationError:
        return RowResult(row, "rejected", "internal_error: the reply could not be read")
    if reply.error is not None:
        rule = f" ({reply.error.rule})" if reply.error.rule else ""
        return RowResult(row, "rejected", f"{reply.error.code}{rule}: {reply.error.message}")
    if reply.duplicate:
        return RowResult(row, "duplicate")
    return RowResult(row, "applied" if reply.events else "unchanged")


def _report(results: list[RowResult]) -> int:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.outcome] += 1
        if r.outcome == "rejected":
            where = f"{r.row.where} {r.row.kind} {r.row.key}"
            out.print(f"[red]rejected[/] {escape(where)}: {escape(r.reason)}", highlight=False)
    out.print(
        f"{len(results)} rows: {counts['applied']} applied, {counts['duplicate']} already imported, "
        f"{counts['unchanged']} unchanged, {counts['rejected']} rejected",
        highlight=False,
    )
    return EXIT_REJECTED if counts["rejected"] else 0


if __name__ == "__main__":
    app()
