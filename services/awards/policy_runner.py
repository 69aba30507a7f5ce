"""Runs the evaluation-results policy in the awards service: one active runner, checkpointed in PostgreSQL.

The policy's state is folded from the whole log at start (it is small: attached rounds and results);
reactions are sent only for events after the checkpoint, which moves after each batch once its
commands were answered. A crash between the two re-sends commands whose ids are derived from the
events, so the round answers them as duplicates. One replica at a time holds a PostgreSQL advisory
lock and runs it; the others stand by. The projections' runner applies SQL batches, not commands,
so this small loop reuses its log reader and decoding rather than the runner itself.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import nats
import structlog
from faststream import FastStream
from nats.aio.client import Client as NATS

from services.awards.policies import TYPES, PolicyState, evolve, react
from shared.commands import Command, Reply
from shared.logreader import LogReader
from shared.natsauth import client_options
from shared.records import decode
from shared.service import Service
from shared.subjects import command_subject

NAME = "awards.evaluation_results"
FINAL_REFUSALS = frozenset({"rule_violated", "not_found", "forbidden", "validation_error"})
DDL = """
create schema if not exists policies;
create table if not exists policies.checkpoints (name text primary key, seq bigint not null);
"""
log = structlog.get_logger("awards.policy")


class PolicyRunner:
    """Follows the log forever; transient failures back off and resume from the checkpoint."""

    def __init__(self, nc: NATS, stream: str, database_url: str, *, batch: int = 500, poll_s: float = 1.0) -> None:
        self.nc, self.stream, self.database_url, self.batch, self.poll_s = nc, stream, database_url, batch, poll_s
        self.checkpoint = 0

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._attempt()
            except Exception as exc:
                log.warning("policy interrupted; resuming from the checkpoint", error=repr(exc), retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _attempt(self) -> None:
        con = await asyncpg.connect(self.database_url, timeout=10)
        try:
            await self._lead(con)
            await con.execute(DDL)
            self.checkpoint = await con.fetchval("select seq from policies.checkpoints where name = $1", NAME) or 0
            log.info("policy active", checkpoint=self.checkpoint)
            await self._follow(con)
        finally:
            with contextlib.suppress(Exception):
                await con.close()

    async def _lead(self, con: asyncpg.Connection) -> None:
        """Returns once this replica holds the policy's advisory lock (held until `con` closes)."""
        while True:
            if await con.fetchval("select pg_try_advisory_lock(hashtext($1))", NAME):
                return
            await asyncio.sleep(self.poll_s)

    async def _follow(self, con: asyncpg.Connection) -> None:
        state = PolicyState()
        async for raws in LogReader(self.nc, self.stream, self.batch).batches(0):
            for raw in raws:
                if raw.type not in TYPES:
                    continue
                rec = decode(raw)
                commands = react(rec.event, state) if raw.seq > self.checkpoint else []
                state = evolve(state, rec.event)
                for cmd in commands:
                    caused = cmd.model_copy(
                        update={"causation_id": rec.envelope.event_id, "correlation_id": rec.envelope.correlation_id}
                    )
                    await self._send(rec.organisation, caused)
            if raws and raws[-1].seq > self.checkpoint:
                self.checkpoint = raws[-1].seq
                await con.execute(
                    "insert into policies.checkpoints values ($1, $2) on conflict (name) do update set seq = $2",
                    NAME,
                    self.checkpoint,
                )

    async def _send(self, organisation: str, cmd: Command) -> None:
        """Sent for the organisation whose event caused it. A refusal is the round's final answer (logged);
        a conflict or no answer raises to retry later."""
        subject = command_subject("awards", type(cmd).__name__, organisation)
        msg = await self.nc.request(subject, cmd.model_dump_json().encode(), timeout=30)
        reply = Reply.model_validate_json(msg.data)
        if reply.ok or (reply.error is not None and reply.error.code in FINAL_REFUSALS):
            log.info("reaction answered", command_id=cmd.command_id, ok=reply.ok, error=reply.error)
            return
        raise RuntimeError(f"reaction {cmd.command_id} not applied: {reply.error}")


def start_policy(app: FastStream, service: Service) -> None:
    """Run the policy beside the service's handlers when DATABASE_URL is set (otherwise say so and skip)."""
    running: list[tuple[NATS, asyncio.Task[None]]] = []

    @app.after_startup
    async def _start() -> None:
        url = service.settings.database_url
        if not url:
            log.warning("DATABASE_URL is not set: the evaluation-results policy does not run in this replica")
            return
        nc = await nats.connect(
            service.settings.nats_url or "nats://127.0.0.1:4222",
            max_reconnect_attempts=-1,
            **client_options(service.settings),
        )
        runner = PolicyRunner(nc, service.settings.stream_name, url)
        running.append((nc, asyncio.create_task(runner.run(), name=NAME)))

    @app.on_shutdown
    async def _stop() -> None:
        for nc, task in running:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await nc.drain()
