"""Real servers for the whole test session: embedded nats-server and PostgreSQL, or NATS_URL / DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedNats, EmbeddedPostgres

STREAM = os.environ.get("STREAM_NAME", "PACESETTER")


@dataclass
class Servers:
    """Where the session's servers are; `nats`/`postgres` are set when the session started them."""

    nats_url: str
    database_url: str
    stream: str
    root: Path
    nats: EmbeddedNats | None = None
    postgres: EmbeddedPostgres | None = None

    def env(self) -> dict[str, str]:
        """Environment for a subprocess (a service, the CLI) that must use these servers."""
        return {
            **os.environ,
            "NATS_URL": self.nats_url,
            "DATABASE_URL": self.database_url,
            "STREAM_NAME": self.stream,
            "LOG_JSON": "true",
        }


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    root = tmp_path_factory.mktemp("servers")
    embedded_nats = embedded_pg = None
    nats_url = os.environ.get("NATS_URL")
    database_url = os.environ.get("DATABASE_URL")
    try:
        if not nats_url:
            embedded_nats = EmbeddedNats(root / "nats")
            nats_url = embedded_nats.start()
        if not database_url:
            embedded_pg = EmbeddedPostgres(root / "pg")
            database_url = embedded_pg.start()
        yield Servers(nats_url, database_url, STREAM, root, embedded_nats, embedded_pg)
    finally:
        if embedded_nats is not None:
            embedded_nats.stop()
        if embedded_pg is not None:
            embedded_pg.stop()


@pytest_asyncio.fixture(scope="session")
async def nc(servers: Servers) -> AsyncIterator[NATS]:
    conn = await nats.connect(servers.nats_url, max_reconnect_attempts=-1)
    yield conn
    await conn.drain()


@pytest_asyncio.fixture(scope="session")
async def store(nc: NATS, servers: Servers) -> EventStore:
    es = EventStore(nc, servers.stream)
    await es.ensure_stream()
    return es


@pytest_asyncio.fixture(scope="session")
async def pg_pool(servers: Servers) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(servers.database_url, min_size=1, max_size=5)
    yield pool
    await pool.close()
