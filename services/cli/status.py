"""`pacesetter status`: which servers answer, what the log holds, which services answer their health request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import httpx
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError
from rich.table import Table

from shared.runtime.health import ask_health, connect
from shared.runtime.stackfile import NO_STACK, NoRunningStack, StackInfo, read_stack
from shared.runtime.supervisor import ServiceSpec
from shared.settings import Settings


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the status table."""

    part: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Target:
    """Where to look: from the environment, else from the running stack's stack.json."""

    nats_url: str
    database_url: str | None
    http_url: str
    stream: str


def target(settings: Settings) -> Target:
    """Raises NoRunningStack when neither NATS_URL nor a live stack.json says where NATS is."""
    stack: StackInfo | None = None
    try:
        stack = read_stack(settings.data_dir)
    except NoRunningStack:
        if not settings.nats_url:
            raise
    nats_url = settings.nats_url or (stack.nats_url if stack else None)
    if nats_url is None:  # pragma: no cover - read_stack raised above
        raise NoRunningStack(NO_STACK)
    return Target(
        nats_url=nats_url,
        database_url=settings.database_url or (stack.database_url if stack else None),
        http_url=stack.http_url if stack else f"http://{settings.http_host}:{settings.http_port}",
        stream=stack.stream if stack else settings.stream_name,
    )


async def gather(where: Target, settings: Settings, services: Sequence[ServiceSpec]) -> list[Check]:
    """Every check, run concurrently; a failing check is a line, never an exception."""
    postgres, http = asyncio.create_task(_postgres(where.database_url)), asyncio.create_task(_http(where.http_url))
    try:
        nc = await connect(where.nats_url, settings)
    except Exception as exc:
        nats_checks = [Check("NATS", False, f"{where.nats_url}: {type(exc).__name__} {exc}")]
    else:
        try:
            nats_checks = [
                Check("NATS", True, f"{where.nats_url} (nats-server {_version(nc)})"),
                await _stream(nc, where.stream),
                *await asyncio.gather(*(_service(nc, s.name) for s in services)),
            ]
        finally:
            await nc.close()
    return [nats_checks[0], await postgres, await http, *nats_checks[1:]]


def _version(nc: NATS) -> str:
    v = nc.connected_server_version
    return f"{v.major}.{v.minor}.{v.patch}"


async def _stream(nc: NATS, stream: str) -> Check:
    try:
        info = await nc.jetstream().stream_info(stream)
    except NotFoundError:
        return Check(f"stream {stream}", False, "does not exist yet")
    s = info.state
    return Check(f"stream {stream}", True, f"{s.messages} messages, {s.bytes} bytes, last seq {s.last_seq}")


async def _service(nc: NATS, name: str) -> Check:
    replies = await ask_health(nc, name, wait=0.5)
    good = [r for r in replies if r.get("ok") is True]
    if not replies:
        return Check(f"service {name}", False, "no answer to its health request")
    pids = ", ".join(str(r.get("pid", "?")) for r in good)
    detail = f"{len(good)} of {len(replies)} instance(s) healthy" + (f" (pid {pids})" if pids else "")
    stopped = _stopped_projections(replies)
    return Check(f"service {name}", len(good) == len(replies) and not stopped, "; ".join([detail, *stopped]))


def _stopped_projections(replies: Sequence[dict[str, object]]) -> list[str]:
    """A line per projection stopped at an event it cannot apply (from the projections' health replies)."""
    lines = []
    for reply in replies:
        stopped = reply.get("stopped")
        for projection, at in (stopped if isinstance(stopped, dict) else {}).items():
            where = at if isinstance(at, dict) else {}
            lines.append(
                f"{projection} stopped at seq {where.get('seq')} ({where.get('subject')}): {where.get('reason')}"
            )
    return sorted(set(lines))


async def _postgres(dsn: str | None) -> Check:
    if dsn is None:
        return Check("PostgreSQL", False, "DATABASE_URL is not set and no running stack names one")
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except Exception as exc:
        return Check("PostgreSQL", False, f"{dsn}: {type(exc).__name__} {exc}")
    try:
        version = await conn.fetchval("show server_version")
    finally:
        await conn.close()
    return Check("PostgreSQL", True, f"{dsn} (PostgreSQL {version})")


async def _http(url: str) -> Check:
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.get(f"{url}/health")
    except httpx.HTTPError as exc:
        return Check("read API", False, f"{url}: {type(exc).__name__} {exc}")
    return Check("read API", response.is_success, f"{url} (GET /health → {response.status_code})")


def table(checks: Sequence[Check]) -> Table:
    t = Table(title="Pacesetter status", show_lines=False)
    t.add_column("part", style="bold")
    t.add_column("state")
    t.add_column("detail", overflow="fold")
    for c in checks:
        t.add_row(c.part, "[green]up[/]" if c.ok else "[red]down[/]", c.detail)
    return t
