"""The HTTP read API over a pledge board built from the real log."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.projections import pledge_board
from services.projections.api import create_api
from services.projections.runner import ProjectionRunner
from shared.eventstore import EventStore
from shared.ids import new_id
from tests.conftest import Servers
from tests.integration.projections_support import append_pledge, drop_schema, log_end, new_schema, start_after
from tests.support.builders import make_pledge


@pytest_asyncio.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = new_schema("api")
    yield name
    await drop_schema(pg_pool, name)


@pytest_asyncio.fixture
async def client(servers: Servers, schema: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_api(servers.database_url, schema, lambda: {"pledge_board": "active"})
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://read") as http:
            yield http


async def build(
    store: EventStore, nc: NATS, servers: Servers, pool: asyncpg.Pool, schema: str, n: int, campaign: str
) -> list[str]:
    """Append n pledges of the campaign and build the board in `schema` up to them."""
    if await pool.fetchval("select to_regclass($1)", f"{schema}.checkpoints") is None:
        await start_after(pool, schema, await log_end(store), pledge_board.projection)
    cmds = [make_pledge(campaign_id=campaign, title=f"承诺 {i}") for i in range(n)]
    last = 0
    for cmd in cmds:
        last = await append_pledge(store, cmd)
    runner = ProjectionRunner(pledge_board.projection, nc, servers.database_url, servers.stream, schema, until=last)
    assert await runner.run() == "finished"
    return [c.pledge_id for c in cmds]


async def test_a_pledge_is_served_with_its_lines(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str, client: httpx.AsyncClient
) -> None:
    campaign = new_id()
    (pledge_id,) = await build(store, nc, servers, pg_pool, schema, 1, campaign)

    reply = await client.get(f"/pledges/{pledge_id}")

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["pledge_id"], body["campaign_id"], body["status"]) == (pledge_id, campaign, "draft")
    assert body["title"] == "承诺 0" and len(body["lines"]) == 1 and body["lines"][0]["line_id"]
    assert body["last_seq"] > 0


async def test_a_board_not_built_yet_is_unavailable_not_an_internal_error(client: httpx.AsyncClient) -> None:
    reply = await client.get("/pledges/some-pledge")

    assert reply.status_code == 503, reply.text
    assert reply.json()["error"]["code"] == "unavailable"


async def test_a_missing_pledge_on_a_built_board_is_not_found(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str, client: httpx.AsyncClient
) -> None:
    await build(store, nc, servers, pg_pool, schema, 1, new_id())

    reply = await client.get("/pledges/no-such-pledge")

    assert reply.status_code == 404
    assert reply.json() == {"error": {"code": "not_found", "message": "no pledge no-such-pledge"}}


async def test_pledges_of_a_campaign_are_paginated_in_the_order_they_were_made(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str, client: httpx.AsyncClient
) -> None:
    campaign = new_id()
    ids = await build(store, nc, servers, pg_pool, schema, 5, campaign)
    await build(store, nc, servers, pg_pool, schema, 1, new_id())  # another campaign's pledge stays out

    pages = [
        (await client.get("/pledges", params={"campaign_id": campaign, "limit": 2, "offset": o})).json()
        for o in (0, 2, 4)
    ]

    assert [[p["pledge_id"] for p in page["items"]] for page in pages] == [ids[0:2], ids[2:4], ids[4:5]]
    assert {page["total"] for page in pages} == {5}
    assert (pages[1]["limit"], pages[1]["offset"]) == (2, 2)


async def test_bad_paging_is_a_validation_error(client: httpx.AsyncClient) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        reply = await client.get("/pledges", params=params)
        assert reply.status_code == 422, params
        assert reply.json()["error"]["code"] == "validation_error"


async def test_a_nul_character_in_a_parameter_is_a_validation_error(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str, client: httpx.AsyncClient
) -> None:
    await build(store, nc, servers, pg_pool, schema, 1, new_id())

    for path in ("/pledges/a%00b", "/pledges?campaign_id=a%00b"):
        reply = await client.get(path)
        assert reply.status_code == 422, (path, reply.text)
        assert reply.json()["error"]["code"] == "validation_error"


async def test_health_checks_the_database_and_the_api_is_documented(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"ok": True, "database": "ok", "projections": {"pledge_board": "active"}, "lag": {}}

    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"/health", "/pledges", "/pledges/{pledge_id}"} <= set(paths)
    assert "404" in paths["/pledges/{pledge_id}"]["get"]["responses"]


async def test_the_asyncapi_document_is_served(client: httpx.AsyncClient) -> None:
    reply = await client.get("/asyncapi.json")

    assert reply.status_code == 200
    doc = reply.json()
    assert doc["asyncapi"] == "3.0.0"
    assert any(c["address"].endswith(".AwardGranted") for c in doc["channels"].values())


def test_a_csv_file_name_never_breaks_the_header() -> None:
    from services.projections.http import csv_response

    headers = csv_response("排行榜\r\nX: y.csv", ["a"], [["1"]]).headers["content-disposition"]

    assert "\r" not in headers and "\n" not in headers
    assert "filename*=UTF-8''%E6%8E%92" in headers
