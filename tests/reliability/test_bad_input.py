"""Bad input over real NATS: every command subject gets hostile payloads; each is refused, nothing is appended,
every service stays healthy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from nats.aio.client import Client as NATS

from services.catalog import COMMANDS
from shared.commands import Reply
from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedNats
from shared.subjects import command_subject
from tests.conftest import Servers
from tests.integration.projections_support import drop_schema, new_schema
from tests.reliability.checks import last_seq
from tests.reliability.conftest import STREAM, connect, free_port
from tests.reliability.payloads import command_models, payloads
from tests.reliability.procs import Fleet, fleet
from tests.reliability.scenario import stack_env

SERVICES = ("campaigns", "pledges", "evaluation", "awards")
MODELS = command_models()
EXAMPLES = 10


@pytest.fixture(scope="module")
def bad_input_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("bad-input") / "nats", port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture(scope="module")
async def bad_input_nc(bad_input_nats: EmbeddedNats) -> AsyncIterator[NATS]:
    conn = await connect(bad_input_nats.url)
    await EventStore(conn, STREAM).ensure_stream()
    yield conn
    await conn.close()


@pytest_asyncio.fixture(scope="module")
async def write_services(
    servers: Servers,
    bad_input_nats: EmbeddedNats,
    bad_input_nc: NATS,
    pg_pool: asyncpg.Pool,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Fleet]:
    root, schema = tmp_path_factory.mktemp("bad-input-services"), new_schema("bad")
    try:
        with fleet(stack_env(servers, bad_input_nats.url, schema, root), root / "logs") as f:
            for name in SERVICES:
                f.start(name, f"services.{name}")
            await f.wait_healthy(bad_input_nc)
            yield f
    finally:
        await drop_schema(pg_pool, schema)


async def request(nc: NATS, subject: str, data: bytes) -> Reply:
    msg = await nc.request(subject, data, timeout=10)
    return Reply.model_validate_json(msg.data)


@pytest.mark.parametrize("name", sorted(COMMANDS))
async def test_hostile_payloads_are_refused_and_append_nothing(
    name: str, write_services: Fleet, bad_input_nc: NATS
) -> None:
    loop = asyncio.get_running_loop()
    subject = command_subject(COMMANDS[name], name)
    before = await last_seq(bad_input_nc, STREAM)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(payloads(MODELS[name]))
    def refused(data: bytes) -> None:
        reply = asyncio.run_coroutine_threadsafe(request(bad_input_nc, subject, data), loop).result(30)
        assert not reply.ok and reply.error is not None, f"{name} accepted {data[:200]!r}: {reply}"
        assert reply.error.code == "validation_error", f"{name}: {reply.error} for {data[:200]!r}"

    await asyncio.to_thread(refused)
    assert await last_seq(bad_input_nc, STREAM) == before, f"{name}: hostile input appended events"
    await write_services.wait_healthy(bad_input_nc, [COMMANDS[name]], within_s=10)
