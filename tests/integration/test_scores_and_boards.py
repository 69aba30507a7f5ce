"""Score policy, leaderboard, ledger, audit trail and boards against real JetStream and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.projections import audit, boards, scores_board
from services.projections.api import create_api
from services.projections.audit_chain import GENESIS, verify
from services.projections.runner import ProjectionRunner
from services.scores.runner import score_policy
from shared.events import Event
from shared.events.campaigns import ScoringRule
from shared.events.organisation import BenchmarkPairNamed, UnitRegistered
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.logreader import LogReader
from tests.conftest import Servers
from tests.integration.projections_support import drop_schema, log_end, new_schema, policy_then, start_after
from tests.support.campaigns import launched
from tests.support.scores import FLAG_RULE, STAR_RULE, amended, append, granted, results, revoked

TOKEN = "t" * 32
READ_MODELS = (scores_board.projection, boards.projection, audit.projection)


@pytest_asyncio.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = new_schema("sc")
    yield name
    await drop_schema(pg_pool, name)


def unit(campaign: str, unit_id: str, name: str) -> UnitRegistered:
    return UnitRegistered(campaign_id=campaign, unit_id=unit_id, name=name, parent_id="u-party-committee")


async def test_flags_stars_grades_and_a_revocation_flow_to_the_leaderboard_ledger_and_audit(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    campaign = f"c-{new_id()[-12:]}"
    start = await log_end(store)
    policy = score_policy(store)
    await start_after(pg_pool, schema, start, policy, *READ_MODELS)
    fail = ScoringRule(rule_id="fail", trigger="grade:不合格", points=-2)
    flag_a, flag_b = granted("u-a", campaign_id=campaign), granted("u-b", campaign_id=campaign)
    star = granted("m-li", "model_star", campaign_id=campaign)
    events: list[Event] = [
        launched(campaign), unit(campaign, "u-a", "办公室"), unit(campaign, "u-b", "财务股"),
        unit(campaign, "u-c", "税政股"),
        BenchmarkPairNamed(campaign_id=campaign, unit_id="u-c", internal_unit_id="u-a", external_benchmark="市局"),
        amended(date(2026, 1, 1), FLAG_RULE, STAR_RULE, fail, campaign_id=campaign),
        flag_a, flag_b, star, results(("u-c", "不合格"), campaign_id=campaign),
    ]  # fmt: skip
    await append(store, events, datetime(2026, 6, 20, tzinfo=UTC))
    await policy_then(store, nc, servers, schema, READ_MODELS, batch=7)

    app = create_api(servers.database_url, schema, admin_token=TOKEN, log_end=lambda: log_end(store))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as api,
    ):
        board = (await api.get(f"/campaigns/{campaign}/leaderboard", params={"period": "2026-H1"})).json()
        ranks = [(s["subject_id"], s["points"], s["rank"]) for s in board["items"]]
        assert ranks == [("u-a", 1, 1), ("u-b", 1, 1), ("u-c", -2, 3)]  # competition ranking, ties by id
        c = board["items"][2]
        assert (c["gap_to_next"], c["benchmark_unit_id"], c["gap_to_benchmark"], c["name"]) == (3, "u-a", 3, "税政股")
        members = (
            await api.get(f"/campaigns/{campaign}/leaderboard", params={"period": "2026", "kind": "member"})
        ).json()
        assert [(s["subject_id"], s["points"]) for s in members["items"]] == [("m-li", 0.5)]

        await append(store, [revoked(flag_a)], datetime(2026, 7, 2, tzinfo=UTC))
        await policy_then(store, nc, servers, schema, READ_MODELS, batch=7)
        board = (await api.get(f"/campaigns/{campaign}/leaderboard", params={"period": "2026-H1"})).json()
        assert [(s["subject_id"], s["points"], s["rank"]) for s in board["items"]] == [
            ("u-b", 1, 1), ("u-a", 0, 2), ("u-c", -2, 3),
        ]  # fmt: skip
        h2 = (await api.get(f"/campaigns/{campaign}/leaderboard", params={"period": "2026-H2"})).json()
        assert {s["subject_id"]: s["movement"] for s in h2["items"]} == {"u-a": 1, "u-b": 0, "u-c": 2}  # all tie at 0

        assert (await api.get("/ledger", params={"campaign_id": campaign})).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        ledger = (await api.get("/ledger", params={"campaign_id": campaign, "subject_id": "u-a"}, headers=auth)).json()
        assert [(x["kind"], x["points"], x["running_total"]) for x in ledger["items"]] == [
            ("award", 1, 1), ("revocation", -1, 0),
        ]  # fmt: skip
        assert ledger["items"][0]["cause_event_id"] == flag_a.award_id and ledger["items"][0]["rule_id"] == "flag"
        exported = (await api.get(f"/campaigns/{campaign}/leaderboard.csv", params={"period": "2026-H1"})).text
        assert [r["subject_id"] for r in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))] == [
            "u-b",
            "u-a",
            "u-c",
        ]
        lines = (await api.get("/ledger.csv", params={"campaign_id": campaign}, headers=auth)).text
        assert len(list(csv.DictReader(io.StringIO(lines.lstrip("\ufeff"))))) == 5

        trail = (
            await api.get("/audit", params={"campaign_id": campaign, "type": "ScoreAdjusted"}, headers=auth)
        ).json()
        assert trail["total"] == 5 and {x["actor_role"] for x in trail["items"]} == {"system"}
        assert {x["causation_id"] for x in trail["items"]} >= {flag_a.award_id, star.award_id}
        infos = {i["name"]: i for i in (await api.get("/projections")).json()}
        assert (
            infos["audit_trail"]["lag"] == 0
            and infos["score_policy"]["checkpoint"] < infos["audit_trail"]["checkpoint"]
        )
        winners = (await api.get(f"/campaigns/{campaign}/awards", params={"period": "2026-H1"})).json()
        assert sorted(w["winner_id"] for w in winners) == ["m-li", "u-b"]
        graded = (await api.get(f"/campaigns/{campaign}/results")).json()
        assert [(r["subject_id"], r["grade"]) for r in graded] == [("u-c", "不合格")]

    stored = {r["seq"]: bytes(r["hash"]) for r in await pg_pool.fetch(f"select seq, hash from {schema}.audit_trail")}
    raws = [
        r
        for batch in [b async for b in LogReader(nc, servers.stream).batches(start, await log_end(store))]
        for r in batch
    ]
    assert verify(raws, stored, GENESIS) is None
    tampered = [raws[0].__class__(raws[0].seq, raws[0].subject, raws[0].data + b" "), *raws[1:]]
    divergence = verify(tampered, stored, GENESIS)
    assert divergence is not None and divergence.seq == raws[0].seq


async def test_a_second_policy_instance_and_a_replay_append_nothing_more(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool
) -> None:
    campaign = f"c-{new_id()[-12:]}"
    start = await log_end(store)
    await append(store, [launched(campaign), granted("u-a", campaign_id=campaign)], datetime(2026, 3, 1, tzinfo=UTC))
    end = await log_end(store)
    first, second = new_schema("p1"), new_schema("p2")
    try:
        for name in (first, second):
            await start_after(pg_pool, name, start, score_policy(store))
            runner = ProjectionRunner(score_policy(store), nc, servers.database_url, servers.stream, name, until=end)
            assert await runner.run() == "finished"
            assert await log_end(store) == end + 1  # one ScoreAdjusted, whichever instance ran first
    finally:
        await drop_schema(pg_pool, first)
        await drop_schema(pg_pool, second)
