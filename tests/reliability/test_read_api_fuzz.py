"""The HTTP read API of a running `python -m services.projections`, fuzzed from its OpenAPI document: no 5xx."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from nats.aio.client import Client as NATS

from shared.runtime.embedded import EmbeddedNats
from shared.runtime.health import ask_health
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.projections_support import eventually
from tests.reliability.procs import fleet
from tests.reliability.scenario import stack_env
from tests.support.builders import pending, pledge_made

EXAMPLES = 10


async def http_of(nc: NATS, pid: int) -> str:
    replies = await ask_health(nc, "projections", wait=0.5)
    return next((str(r["http"]) for r in replies if r.get("pid") == pid and r.get("ok")), "")


def fuzz(base: str) -> list[str]:
    """Every operation of the document with schemathesis-generated requests; the failures found."""
    doc = httpx.get(f"{base}/openapi.json", timeout=5).json()
    schema = schemathesis.openapi.from_dict(doc)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(base_url=base, timeout=10)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"

        try:
            no_server_error()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    return failures


async def test_the_read_api_answers_every_generated_request_without_a_server_error(
    servers: Servers,
    private_nats: EmbeddedNats,
    private_nc: NATS,
    pg_pool: asyncpg.Pool,
    read_schema: str,
    tmp_path: Path,
) -> None:
    made = pledge_made()
    await private_nc.jetstream().publish(
        Boundary("pledges", made.pledge_id).subject("PledgeMade"), pending(made).encode()
    )
    with fleet(stack_env(servers, private_nats.url, read_schema, tmp_path), tmp_path / "logs") as f:
        proc = f.start("projections", "services.projections")
        base = await eventually(lambda: http_of(private_nc, proc.pid), bool, "the read API's address", within_s=30)
        failures = await asyncio.to_thread(fuzz, base)
        assert failures == [], failures
        assert proc.poll() is None, f.log("projections")
