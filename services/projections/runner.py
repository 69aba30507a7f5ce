"""The checkpointed projector: one active runner per projection, batches applied with their checkpoint."""

from __future__ import annotations

import contextlib
from typing import Literal

import asyncpg
import structlog
from nats.aio.client import Client as NATS
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from services.projections import bookkeeping
from services.projections.batch import apply_batch
from services.projections.faults import LeadershipLost, ProjectionStopped, describe, is_transient
from services.projections.leadership import close_quietly, hold_lock
from services.projections.projection import Projection
from shared.logfanout import LogSource
from shared.logreader import LogReader

State = Literal["starting", "standby", "active", "retrying", "stopped", "finished", "failed"]
Outcome = Literal["stopped", "finished"]


class ProjectionRunner:
    """Builds one projection into one schema from the whole log, resuming after its checkpoint.

    `until` stops the build at a sequence (rebuilds, point-in-time, tests); None follows the log forever.
    `log` is where it reads (a `SharedLog` the process's runners share); None reads on its own.
    """

    def __init__(
        self,
        projection: Projection,
        nc: NATS,
        database_url: str,
        stream: str,
        schema: str,
        *,
        batch: int = 500,
        until: int | None = None,
        standby_poll_s: float = 1.0,
        max_backoff_s: float = 5.0,
        log: LogSource | None = None,
    ) -> None:
        self.projection, self.nc, self.database_url, self.stream = projection, nc, database_url, stream
        self.schema = bookkeeping.check_schema_name(schema)
        self.batch, self.until, self.standby_poll_s, self.max_backoff_s = batch, until, standby_poll_s, max_backoff_s
        self.log_source: LogSource = log if log is not None else LogReader(nc, stream, batch)
        self.state: State = "starting"
        self.last_seq = 0
        self.stopped_at: ProjectionStopped | None = None
        self.lock_key = f"{schema}.{projection.name}"
        self.log = structlog.get_logger("projections").bind(projection=projection.name, schema=schema)

    async def run(self) -> Outcome:
        """'finished' at `until`, or 'stopped' at an event it cannot apply (recorded in projection_status).

        Transient failures (NATS, LogGap, PostgreSQL restarts, a lost lock) back off and resume.
        """
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential_jitter(multiplier=0.1, max=self.max_backoff_s, jitter=0.2),
            before_sleep=self._backing_off,
            reraise=True,
        )
        try:
            outcome: Outcome = await retrying(self._attempt)
        except Exception:
            self.state = "failed"
            raise
        return outcome

    async def _attempt(self) -> Outcome:
        lock = await hold_lock(self.database_url, self.lock_key, self.standby_poll_s, self._standing_by)
        try:
            settings = {"search_path": self.schema, "application_name": f"projector {self.lock_key}"}
            if self.until is not None:
                # a build need not wait for each commit's flush: a crash loses the newest batches together
                # with their checkpoint (one transaction), and the build resumes from the checkpoint left
                settings["synchronous_commit"] = "off"
            con = await asyncpg.connect(self.database_url, timeout=10, server_settings=settings)
            try:
                return await self._project(con, lock)
            finally:
                await close_quietly(con)
        finally:
            await close_quietly(lock)

    async def _project(self, con: asyncpg.Connection, lock: asyncpg.Connection) -> Outcome:
        # a build indexes its tables once it is done; a follower needs them from the start, for the read API
        await bookkeeping.prepare(con, self.schema, self.projection, indexes=self.until is None)
        await bookkeeping.mark_running(con, self.projection.name)
        last = self.last_seq = await bookkeeping.read_checkpoint(con, self.projection.name)
        self.state = "active"
        self.log.info("active", seq=last, until=self.until)
        if self.until is not None and last >= self.until:
            return await self._finish(con)
        batches = self.log_source.batches(last, self.until)
        async with contextlib.aclosing(batches):
            async for raws in batches:
                if lock.is_closed():
                    raise LeadershipLost(f"lost the advisory lock of {self.lock_key}")
                if not raws:
                    continue
                try:
                    last = self.last_seq = await apply_batch(con, self.projection, raws, last)
                except ProjectionStopped as stop:
                    return await self._stop(con, stop)
                self.log.debug("batch applied", seq=last, events=len(raws))
        return await self._finish(con)

    async def _stop(self, con: asyncpg.Connection, stop: ProjectionStopped) -> Outcome:
        self.log.error("projection stopped", seq=stop.seq, subject=stop.subject, reason=stop.reason)
        await bookkeeping.mark_stopped(con, self.projection.name, stop.seq, stop.subject, stop.reason)
        await bookkeeping.add_indexes(con, self.projection)
        self.state, self.stopped_at = "stopped", stop
        return "stopped"

    async def _finish(self, con: asyncpg.Connection) -> Outcome:
        await bookkeeping.add_indexes(con, self.projection)
        self.state = "finished"
        self.log.info("finished", seq=self.last_seq)
        return "finished"

    def _standing_by(self) -> None:
        if self.state != "standby":
            self.log.info("standby: another runner is active")
        self.state = "standby"

    def _backing_off(self, retry_state: RetryCallState) -> None:
        self.state = "retrying"
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        wait = retry_state.next_action.sleep if retry_state.next_action else None
        self.log.warning("transient failure; resuming from the checkpoint", error=describe(exc), retry_in_s=wait)
