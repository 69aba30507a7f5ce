"""Pre-serialised replies of a projection's hot read routes, kept while its checkpoint stays where it was.

A reply body is rendered once per (route parameters, checkpoint) and served as bytes to every request that
finds the checkpoint unchanged, so repeated reads skip PostgreSQL and pydantic. The checkpoint row
(`last_seq`, `updated_at`) is read at most once per `ttl_s`; a blue/green switch rewrites `updated_at`, so
new tables at an equal sequence still start a new generation.

Staleness guarantee: a reply reflects the projection at least as of a checkpoint read that started no more
than `ttl_s` before the request arrived, or was in flight when it arrived (with 0, every request reads it
unless a read is in flight); that is on top of the projection's own lag behind the log. A body is only
ever rendered after the checkpoint it is filed under was read, so it is never older than that checkpoint.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

CHECKPOINT = "select last_seq, updated_at from checkpoints where projection = $1"
MAX_ENTRIES = 256  # bounds memory (a page is at most ~100 kB) whatever parameters clients send

Version = tuple[int, datetime]


@dataclass
class _Generation:
    version: Version | None
    read_at: float
    bodies: dict[Hashable, bytes] = field(default_factory=dict)


class CheckpointCache:
    """Reply bodies of one projection, dropped together when its checkpoint moves (see the module docstring)."""

    def __init__(self, projection: str, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.projection, self.ttl_s, self._clock = projection, ttl_s, clock
        self._generation = _Generation(None, float("-inf"))
        self._reading: asyncio.Future[_Generation] | None = None

    async def body(self, db: asyncpg.Pool, key: Hashable, render: Callable[[], Awaitable[bytes]]) -> bytes:
        """The body filed under `key` at the current checkpoint, rendering (and filing) it if there is none.

        Without a checkpoint row (the projection never started here) every call renders.
        """
        generation = await self._current(db)
        if generation.version is None:
            return await render()
        cached = generation.bodies.get(key)
        if cached is not None:
            return cached
        body = await render()
        # a generation replaced meanwhile is garbage: filing into it is harmless and needs no lock
        if len(generation.bodies) < MAX_ENTRIES:
            generation.bodies[key] = body
        return body

    async def _current(self, db: asyncpg.Pool) -> _Generation:
        if self._clock() - self._generation.read_at < self.ttl_s:
            return self._generation
        if self._reading is None:
            # one read at a time: requests arriving meanwhile share it instead of queueing for the pool
            self._reading = asyncio.ensure_future(self._read(db))
        # shielded: a request that goes away must not cancel the read the others are waiting for
        return await asyncio.shield(self._reading)

    async def _read(self, db: asyncpg.Pool) -> _Generation:
        started = self._clock()
        try:
            row = await db.fetchrow(CHECKPOINT, self.projection)
        finally:
            self._reading = None
        version: Version | None = (row["last_seq"], row["updated_at"]) if row is not None else None
        if version is None or version != self._generation.version:
            self._generation = _Generation(version, started)
        else:
            self._generation.read_at = started
        return self._generation
