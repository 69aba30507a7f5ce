"""`pacesetter`: start the stack, send commands, see its status."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated, Any

import typer
from nats.errors import NoRespondersError, NoServersError
from nats.errors import TimeoutError as NatsTimeout
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from services.catalog import UnknownCommand, context_of, services_named
from services.cli import audit, contract, rebuild, replay, roster, secrets
from services.cli import status as status_checks
from services.cli.demo import command as demo_command
from services.cli.payload import PayloadError, complete, read_payload
from services.cli.status_projections import projection_checks
from shared.events import Role
from shared.ids import new_id
from shared.runtime.health import connect
from shared.runtime.stack import Stack, StackError
from shared.runtime.stackfile import NoRunningStack, StackAlreadyRunning, StackInfo, resolve_nats_url
from shared.settings import Settings
from shared.subjects import BadOrganisation, check_organisation, command_subject

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3

app = typer.Typer(
    name="pacesetter",
    help="Pacesetter: event-sourced campaigns of pledges, evaluations and awards. Start with [bold]up[/].",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(roster.app, name="roster")
app.add_typer(secrets.app, name="secrets")
app.add_typer(contract.app, name="contract")
app.command("demo")(demo_command.demo)
app.add_typer(audit.app, name="audit")
app.command("export")(audit.export)
app.command("rebuild")(rebuild.rebuild)
app.command("replay")(replay.replay)
out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _settings() -> Settings:
    """The settings from the environment; a bad value is a usage error naming its variable, not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        bad = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise _fail(f"invalid setting: {bad}", EXIT_USAGE) from None


@app.command()
def up(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="SERVICE", help="Start only this service (repeatable); default: all."),
    ] = None,
    health_timeout: Annotated[
        float, typer.Option(help="Seconds each service has to answer its health request.", min=1)
    ] = 60.0,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="Embedded NATS with deploy/nats/auth.conf: a broker user per service, generated passwords "
            "in DATA_DIR/secrets (also NATS_SECURE=true).",
        ),
    ] = False,
) -> None:
    """Start the whole stack and keep it running until Ctrl-C or SIGTERM.

    With NATS_URL and DATABASE_URL unset, nats-server and PostgreSQL start embedded under DATA_DIR (default var/).

    A second [bold]up[/] reuses their data. With both URLs set, no server is started.

    Every service runs as its own process, logging to DATA_DIR/logs/<service>.log; one that dies is restarted.
    """
    try:
        specs = services_named(only)
    except LookupError as exc:
        raise _fail(str(exc.args[0]), EXIT_USAGE) from None
    settings = _settings()
    if secure:
        settings = settings.model_copy(update={"nats_secure": True})
    stack = Stack(settings, specs, _notify, health_timeout=health_timeout)
    try:
        asyncio.run(stack.run(_show_ready))
    except (StackError, StackAlreadyRunning) as exc:
        raise _fail(str(exc), 1) from None
    out.print("[bold]stopped[/]")


def _notify(level: str, message: str) -> None:
    style = {"info": "dim", "warning": "yellow", "error": "bold red"}.get(level, "")
    (err if level == "error" else out).print(f"[{style}]{escape(message)}[/]", soft_wrap=True)


def _show_ready(info: StackInfo) -> None:
    t = Table(title="Pacesetter is up", show_header=False)
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    t.add_row("NATS", info.nats_url)
    t.add_row("PostgreSQL", info.database_url)
    t.add_row("read API", f"{info.http_url}  (OpenAPI at {info.http_url}/docs)")
    t.add_row("data", info.data_dir)
    for name, pid in info.services.items():
        t.add_row(f"service {name}", f"pid {pid}, log {info.data_dir}/logs/{name}.log")
    out.print(t)
    out.print("Send a command from another terminal, for example:", style="bold")
    out.print(escape(_example(new_id())), soft_wrap=True, highlight=False)
    out.print("Ctrl-C stops everything.", style="dim")


def _example(pledge_id: str) -> str:
    body = {
        "pledge_id": pledge_id,
        "campaign_id": "c-2025",
        "pledger": {"kind": "unit", "id": "u-0001"},
        "year": 2025,
        "title": "Serve the public better",
        "lines": [
            {
                "line_id": "l-1",
                "description": "Answer every citizen request within two working days",
                "category": "service_to_the_masses",
                "qualitative_goal": "no request left unanswered",
                "deadline": "2025-12-31",
                "responsible_member_id": "m-0001",
            }
        ],
    }
    actor = "--actor-member m-0001 --actor-role unit_head --actor-unit u-0001"
    return f".venv/bin/pacesetter send MakePledge {actor} '{json.dumps(body, ensure_ascii=False)}'"


@app.command()
def send(
    command: Annotated[str, typer.Argument(help="Command name, e.g. MakePledge.", show_default=False)],
    payload: Annotated[
        str, typer.Argument(help="The command as JSON, [bold]-[/] to read stdin, or [bold]@file.json[/].")
    ],
    actor_member: Annotated[str | None, typer.Option(help="Fills actor.member_id when the JSON has no actor.")] = None,
    actor_role: Annotated[Role, typer.Option(help="Fills actor.role (with --actor-member).")] = Role.member,
    actor_unit: Annotated[str | None, typer.Option(help="Fills actor.unit_id (with --actor-member).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds to wait for the reply.", min=0.1)] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            envvar="ORGANISATION", help="The organisation to act for (a subject token).", show_default="default"
        ),
    ] = None,
) -> None:
    """Send one command over NATS and print the reply.

    A [bold]command_id[/] (UUIDv7) is added when the JSON has none.

    The stack is found through NATS_URL, else DATA_DIR/stack.json (written by [bold]up[/]).

    Exit code: 0 accepted, 1 refused, 2 usage error, 3 no stack or no reply.
    """
    settings = _settings()
    try:
        subject = command_subject(
            context_of(command), command, check_organisation(organisation or settings.organisation)
        )
        body = complete(read_payload(payload, sys.stdin), actor_member, actor_role.value, actor_unit)
    except (UnknownCommand, PayloadError, BadOrganisation) as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    wait = timeout or settings.command_timeout_s
    try:
        reply = asyncio.run(_request(resolve_nats_url(settings), settings, subject, body, wait))
    except NoRunningStack as exc:
        raise _fail(str(exc), EXIT_UNREACHABLE) from None
    except NoRespondersError:
        raise _fail(f"no service answers {subject}: is `{context_of(command)}` running?", EXIT_UNREACHABLE) from None
    except (NoServersError, NatsTimeout, OSError) as exc:
        raise _fail(f"no reply on {subject}: {type(exc).__name__} {exc}", EXIT_UNREACHABLE) from None
    out.print_json(data=reply)
    raise typer.Exit(EXIT_OK if reply.get("ok") is True else EXIT_REFUSED)


async def _request(url: str, settings: Settings, subject: str, body: dict[str, Any], wait: float) -> dict[str, Any]:
    nc = await connect(url, settings)
    try:
        msg = await nc.request(subject, json.dumps(body).encode(), timeout=wait)
    finally:
        await nc.close()
    reply = json.loads(msg.data)
    return reply if isinstance(reply, dict) else {"ok": False, "reply": reply}


@app.command()
def status() -> None:
    """Show whether the servers answer, what the log holds and which services are healthy.

    Looks at NATS, PostgreSQL, the read API, the stream, and each service's health request.

    Exit code: 0 when everything answers, 1 otherwise.
    """
    settings = _settings()
    try:
        where = status_checks.target(settings)
    except NoRunningStack as exc:
        raise _fail(str(exc), 1) from None
    checks = asyncio.run(status_checks.gather(where, settings, services_named(None)))
    checks += asyncio.run(projection_checks(where.http_url))
    out.print(status_checks.table(checks))
    raise typer.Exit(0 if all(c.ok for c in checks) else 1)
