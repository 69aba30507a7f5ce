"""Private servers for the fault tests: they kill and restart servers, never the session's."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedNats
from tests.integration.projections_support import drop_schema, new_schema

STREAM = "PACESETTER"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _quiet(*_: object) -> None:
    """Disconnections are expected here; failures show up at the call sites."""


async def connect(url: str | list[str], **options: Any) -> NATS:
    """A client that keeps reconnecting (servers go away on purpose in these tests)."""
    servers = url if isinstance(url, list) else [url]
    return await nats.connect(
        servers=servers,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.2,
        error_cb=_quiet,
        disconnected_cb=_quiet,
        reconnected_cb=_quiet,
        **options,
    )


@pytest.fixture
def private_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server of the test's own on a fixed port (so a restart comes back where clients look)."""
    server = EmbeddedNats(tmp_path / "nats", port=free_port(), name="reliability")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def private_nc(private_nats: EmbeddedNats) -> AsyncIterator[NATS]:
    conn = await connect(private_nats.url)
    await EventStore(conn, STREAM).ensure_stream()
    yield conn
    await conn.close()


@pytest_asyncio.fixture
async def read_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A schema for the live projections of one test, dropped after it."""
    schema = new_schema("rel")
    yield schema
    await drop_schema(pg_pool, schema)


@pytest.fixture
def private_nats_url(private_nats: EmbeddedNats) -> str:
    return private_nats.url
