"""The leaderboard's cached pages against real JetStream and PostgreSQL: a page lives as long as its checkpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.projections import scores_board
from services.projections.api import create_api
from services.projections.runner import ProjectionRunner
from services.projections.switch import staging_schema, switch
from services.scores.runner import score_policy
from shared.events.awards import AwardGranted
from shared.eventstore import EventStore
from shared.ids import new_id
from tests.conftest import Servers
from tests.integration.projections_support import (
    drop_schema,
    eventually,
    log_end,
    new_schema,
    policy_then,
    start_after,
)
from tests.support.campaigns import launched
from tests.support.scores import FLAG_RULE, amended, append, granted, revoked

H1 = datetime(2026, 6, 20, tzinfo=UTC)


@pytest_asyncio.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = new_schema("lc")
    yield name
    await drop_schema(pg_pool, name)


async def flags_for(store: EventStore, nc: NATS, servers: Servers, pg: asyncpg.Pool, schema: str) -> AwardGranted:
    """A campaign in `schema` whose units u-a and u-b hold a flag each (1 point in 2026-H1); u-a's flag."""
    campaign = f"c-{new_id()[-12:]}"
    await start_after(pg, schema, await log_end(store), score_policy(store), scores_board.projection)
    flag_a = granted("u-a", campaign_id=campaign)
    events = [launched(campaign), amended(date(2026, 1, 1), FLAG_RULE, campaign_id=campaign), flag_a]
    await append(store, [*events, granted("u-b", campaign_id=campaign)], H1)
    await policy_then(store, nc, servers, schema, [scores_board.projection])
    return flag_a


@asynccontextmanager
async def read_api(servers: Servers, schema: str, ttl_s: float) -> AsyncIterator[httpx.AsyncClient]:
    app = create_api(servers.database_url, schema, read_cache_ttl_s=ttl_s)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://read") as http,
    ):
        yield http


async def points(http: httpx.AsyncClient, campaign: str) -> dict[str, float]:
    reply = await http.get(f"/campaigns/{campaign}/leaderboard", params={"period": "2026-H1"})
    assert reply.status_code == 200, reply.text
    return {s["subject_id"]: s["points"] for s in reply.json()["items"]}


async def add_points_behind_the_projection(pg: asyncpg.Pool, schema: str, campaign: str, subject: str) -> None:
    """10 more points in every period, written without the projection (so without moving its checkpoint)."""
    update = f"update {schema}.score_totals set points = points + 10 where campaign_id = $1 and subject_id = $2"
    await pg.execute(update, campaign, subject)


async def test_a_page_is_served_until_the_checkpoint_moves_then_shows_every_change(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    flag_a = await flags_for(store, nc, servers, pg_pool, schema)
    campaign = flag_a.campaign_id
    async with read_api(servers, schema, ttl_s=0) as http:
        assert await points(http, campaign) == {"u-a": 1, "u-b": 1}

        await add_points_behind_the_projection(pg_pool, schema, campaign, "u-b")
        assert await points(http, campaign) == {"u-a": 1, "u-b": 1}  # same checkpoint: the cached page

        await append(store, [revoked(flag_a)], datetime(2026, 7, 2, tzinfo=UTC))
        await policy_then(store, nc, servers, schema, [scores_board.projection])
        assert await points(http, campaign) == {"u-b": 11, "u-a": 0}


async def test_a_blue_green_switch_at_the_same_sequence_renders_the_page_again(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    start = await log_end(store)
    flag_a = await flags_for(store, nc, servers, pg_pool, schema)
    campaign, end = flag_a.campaign_id, await log_end(store)
    staging = staging_schema(schema, scores_board.projection.name)
    try:
        await start_after(pg_pool, staging, start, scores_board.projection)
        rebuild = ProjectionRunner(
            scores_board.projection, nc, servers.database_url, servers.stream, staging, until=end
        )
        assert await rebuild.run() == "finished"
        await add_points_behind_the_projection(pg_pool, staging, campaign, "u-a")  # as a new version might count
        async with read_api(servers, schema, ttl_s=0) as http:
            assert await points(http, campaign) == {"u-a": 1, "u-b": 1}

            async with pg_pool.acquire() as con:
                assert await switch(con, schema, staging, scores_board.projection.name) == end

            assert await points(http, campaign) == {"u-a": 11, "u-b": 1}
    finally:
        await drop_schema(pg_pool, staging)


async def test_with_a_ttl_the_change_shows_once_the_checkpoint_moved(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    flag_a = await flags_for(store, nc, servers, pg_pool, schema)
    campaign = flag_a.campaign_id
    async with read_api(servers, schema, ttl_s=0.05) as http:
        assert await points(http, campaign) == {"u-a": 1, "u-b": 1}

        await append(store, [revoked(flag_a)], datetime(2026, 7, 2, tzinfo=UTC))
        await policy_then(store, nc, servers, schema, [scores_board.projection])
        await eventually(lambda: points(http, campaign), lambda p: p == {"u-b": 1, "u-a": 0}, "the revocation")
