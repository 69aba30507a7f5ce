"""Organiser tokens on the read API, over boards and the pledge board built from the real log: an organiser
sees only its organisation's campaigns and pledges; another organisation's answer 404, exactly as unknown ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.projections import boards, pledge_board, scores_board
from services.projections.api import create_api
from services.projections.runner import ProjectionRunner
from shared import tenancy
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.organiser_tokens import digest
from shared.secretfile import new_secret
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.projections_support import append_pledge, drop_schema, log_end, new_schema, start_after
from tests.support.builders import make_pledge, pending
from tests.support.campaigns import launched

TOKEN_A, TOKEN_B, ADMIN = new_secret(), new_secret(), new_secret()


@dataclass
class Built:
    campaigns: dict[str, str]  # organisation → campaign id
    pledges: dict[str, str]  # organisation → pledge id


@pytest_asyncio.fixture(scope="module")
async def built(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool
) -> AsyncIterator[tuple[str, Built]]:
    schema = new_schema("scope")
    await start_after(
        pg_pool, schema, await log_end(store), pledge_board.projection, boards.projection, scores_board.projection
    )
    out = Built({}, {})
    last = 0
    for org in ("bureau-a", "bureau-b"):
        campaign_id = f"c-{new_id()}"
        event = launched(campaign_id)
        appended = await store.append(Boundary("campaigns", campaign_id, org), [pending(event)], expected=0)
        with tenancy.acting_for(org):
            cmd = make_pledge(campaign_id=campaign_id, title=f"承诺 {org}")
            last = max(appended[-1].seq, await append_pledge(store, cmd))
        out.campaigns[org], out.pledges[org] = campaign_id, cmd.pledge_id
    for projection in (pledge_board.projection, boards.projection, scores_board.projection):
        runner = ProjectionRunner(projection, nc, servers.database_url, servers.stream, schema, until=last)
        assert await runner.run() == "finished"
    yield schema, out
    await drop_schema(pg_pool, schema)


@pytest_asyncio.fixture
async def client(servers: Servers, built: tuple[str, Built]) -> AsyncIterator[httpx.AsyncClient]:
    organisers = {digest(TOKEN_A): "bureau-a", digest(TOKEN_B): "bureau-b"}
    app = create_api(servers.database_url, built[0], admin_token=ADMIN, organisers=organisers, public=False)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://read") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_organiser_lists_only_its_campaigns_and_pledges(
    client: httpx.AsyncClient, built: tuple[str, Built]
) -> None:
    _, b = built
    campaigns = (await client.get("/campaigns", headers=bearer(TOKEN_A))).json()
    assert [(c["campaign_id"], c["organisation"]) for c in campaigns] == [(b.campaigns["bureau-a"], "bureau-a")]
    pledges = (await client.get("/pledges", headers=bearer(TOKEN_A))).json()
    assert [p["pledge_id"] for p in pledges["items"]] == [b.pledges["bureau-a"]] and pledges["total"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/{campaign}/leaderboard?period=2026&kind=unit",
        "/campaigns/{campaign}/awards",
        "/campaigns/{campaign}/bulletin?period=2026",
        "/pledges/{pledge}",
        "/pledges/{pledge}/progress",
        "/pledges?campaign_id={campaign}",
    ],
)
async def test_another_organisations_campaign_or_pledge_is_not_found(
    client: httpx.AsyncClient, built: tuple[str, Built], path: str
) -> None:
    _, b = built
    theirs = path.format(campaign=b.campaigns["bureau-b"], pledge=b.pledges["bureau-b"])
    mine = path.format(campaign=b.campaigns["bureau-a"], pledge=b.pledges["bureau-a"])

    refused = await client.get(theirs, headers=bearer(TOKEN_A))
    allowed = await client.get(mine, headers=bearer(TOKEN_A))
    own = await client.get(theirs, headers=bearer(TOKEN_B))

    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found", refused.text
    assert own.status_code == 200, own.text
    assert allowed.status_code == 200, allowed.text


async def test_without_a_known_token_a_private_api_answers_401_and_the_admin_sees_everything(
    client: httpx.AsyncClient, built: tuple[str, Built]
) -> None:
    _, b = built
    for headers in ({}, bearer("not-a-token")):
        reply = await client.get("/campaigns", headers=headers)
        assert reply.status_code == 401 and reply.json()["error"]["code"] == "forbidden"
    everything = (await client.get("/campaigns", headers=bearer(ADMIN))).json()
    assert {c["campaign_id"] for c in everything} == set(b.campaigns.values())
