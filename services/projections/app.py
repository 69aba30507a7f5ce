"""The projections process: a runner per live projection, the HTTP read API and a NATS health reply."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Awaitable, Callable, Iterator

import structlog
import uvicorn
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from services.projections.api import create_api
from services.projections.catalog import PROJECTIONS
from services.projections.connect import connect_nats, database_url
from services.projections.runner import ProjectionRunner
from services.scores.runner import score_policy
from shared import gcpolicy, organiser_tokens
from shared.eventstore import EventStore
from shared.http_auth import admin_token
from shared.logfanout import SharedLog
from shared.logging import configure_logging
from shared.settings import Settings, get_settings
from shared.subjects import health_subject

SERVICE = "projections"
log = structlog.get_logger(SERVICE)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: this process stops everything in order on SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run until `stop` is set, then stop the health reply, the runners and the HTTP server, in order."""
    dsn = database_url(settings)
    nc = await connect_nats(settings)
    try:
        store = EventStore(nc, settings.stream_name)
        await store.ensure_stream(settings.stream_replicas, settings.duplicate_window_s)
        shared_log = SharedLog(nc, settings.stream_name, settings.projection_batch)
        runners = [
            ProjectionRunner(
                p, nc, dsn, settings.stream_name, settings.read_schema, batch=settings.projection_batch, log=shared_log
            )
            for p in (*PROJECTIONS.values(), score_policy(store))
        ]

        async def log_end() -> int:
            return int((await nc.jetstream().stream_info(settings.stream_name)).state.last_seq)

        def states() -> dict[str, str]:
            return {r.projection.name: r.state for r in runners}

        api = create_api(
            dsn,
            settings.read_schema,
            states,
            admin_token=admin_token(settings),
            log_end=log_end,
            read_cache_ttl_s=settings.read_cache_ttl_s,
            organisers=organiser_tokens.load(settings.data_dir),
            public=settings.read_api_public,
        )
        server = _Server(
            uvicorn.Config(
                api,
                settings.http_host,
                settings.http_port,
                http="httptools",  # C parser: a cached leaderboard reply cost 0.37 ms of CPU, 0.62 with h11
                log_config=None,
                access_log=False,
            )
        )
        http = asyncio.create_task(server.serve())
        url = await _started(server, http)
        # what startup built lives as long as the process: full collections skip it from now on, and what
        # the runners and the read cache keep later too (a gen-2 collection paused every request for 50-95 ms)
        gcpolicy.install(settings.gc_sweep_s)

        def stopped() -> dict[str, dict[str, object]]:
            return _stopped(runners)

        tasks = [asyncio.create_task(_supervise(r)) for r in runners]
        health = await nc.subscribe(health_subject(SERVICE), cb=_health_reply(nc, url, states, stopped))
        log.info("ready", http=url, schema=settings.read_schema, projections=list(PROJECTIONS))
        await asyncio.wait([asyncio.create_task(stop.wait()), http], return_when=asyncio.FIRST_COMPLETED)
        log.info("stopping")
        await health.unsubscribe()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        server.should_exit = True
        await http
    finally:
        await nc.drain()
    log.info("stopped")


async def _started(server: uvicorn.Server, http: asyncio.Task[None]) -> str:
    """The HTTP address once uvicorn listens; raises if it gave up (a taken port, say)."""
    while not server.started:
        if http.done():
            raise RuntimeError("the HTTP server did not start") from http.exception()
        await asyncio.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


async def _supervise(runner: ProjectionRunner) -> None:
    try:
        await runner.run()
    except Exception:
        log.exception("projection runner failed", projection=runner.projection.name)


def _stopped(runners: list[ProjectionRunner]) -> dict[str, dict[str, object]]:
    """Per projection stopped at an event it cannot apply: the sequence, the subject and the reason."""
    out: dict[str, dict[str, object]] = {}
    for r in runners:
        if r.stopped_at is not None:
            out[r.projection.name] = {
                "seq": r.stopped_at.seq,
                "subject": r.stopped_at.subject,
                "reason": r.stopped_at.reason,
            }
    return out


def _health_reply(
    nc: NATS, url: str, states: Callable[[], dict[str, str]], stopped: Callable[[], dict[str, dict[str, object]]]
) -> Callable[[Msg], Awaitable[None]]:
    """`stopped` names, per projection stopped at an event, its sequence, subject and reason."""

    async def reply(msg: Msg) -> None:
        body = {
            "service": SERVICE,
            "ok": True,
            "pid": os.getpid(),
            "gc_frozen": gcpolicy.frozen(),
            "http": url,
            "projections": states(),
            "stopped": stopped(),
        }
        await nc.publish(msg.reply, json.dumps(body).encode())

    return reply


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    structlog.contextvars.bind_contextvars(service=SERVICE)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(settings, stop)
