"""The awards service as it runs: two replicas (`python -m services.awards`) beside campaigns and evaluation.

50 racing grants at a quota of 4 (three times), then one half-year of the seed end to end: campaign,
roster, nominations, the nominees' democratic evaluation (recorded by the results policy), inspection,
preliminary list, committee decisions, 4 flags and 8 stars, publication, revocation, upward recommendation.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.awards.commands import (
    AttachEvaluation,
    CloseNominations,
    GrantAward,
    Nominate,
    OpenAwardRound,
    ProposePreliminaryList,
    PublishAwards,
    RecommendUpward,
    RecordInspection,
    RevokeAward,
    round_id_of,
)
from services.campaigns.commands import EnrolMember, RegisterUnit
from services.evaluation.commands import CastBallot, CloseRound, DefineRound, OpenRound, PublishResults
from shared.commands import Command
from shared.events import Actor, Role
from shared.events.awards import AwardGranted, AwardRevoked, FlagHandedOver, NomineesEvaluated, Route
from shared.events.evaluation import Party, Rating, RoundKind, VoterGroup, Window
from shared.eventstore import EventStore
from shared.ids import new_id
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.awards_support import boundary_seq, ok, send
from tests.support.awards import DEEDS
from tests.support.campaigns import COMMITTEE, OFFICE, ORGANISER, head_of, launch
from tests.support.evaluation import GRADES, SCALE
from tests.support.processes import healthy

SERVICES = ["campaigns", "evaluation", "awards", "awards"]
RACERS = 50


@pytest_asyncio.fixture(scope="module")
async def stack(servers: Servers, nc: NATS, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp("awards")
    async with healthy({**servers.env(), "DATA_DIR": str(root / "data")}, root, SERVICES, nc):
        yield


def cmd(cmd_type: type[Command], actor: Actor = OFFICE, **fields: object) -> Command:
    return cmd_type(command_id=new_id(), actor=actor, **fields)


async def campaign_with_units(nc: NATS, units: list[str]) -> str:
    campaign_id = f"c-aw-{new_id()[-12:]}"
    await ok(nc, "campaigns", launch(campaign_id))
    for unit in units:
        await ok(
            nc,
            "campaigns",
            cmd(RegisterUnit, campaign_id=campaign_id, unit_id=unit, name=f"股室{unit}", parent_id=ORGANISER),
        )
    return campaign_id


async def open_round(nc: NATS, campaign_id: str, category_id: str, **fields: object) -> str:
    close_at = datetime.now(UTC) + timedelta(hours=1)
    opening = cmd(
        OpenAwardRound,
        campaign_id=campaign_id,
        category_id=category_id,
        period="2026-H1",
        nominations_close_at=close_at,
        **fields,
    )
    await ok(nc, "awards", opening)
    return round_id_of(campaign_id, category_id, "2026-H1")


async def to_preliminary_list(nc: NATS, round_id: str, nominees: list[str]) -> None:
    await ok(nc, "awards", cmd(CloseNominations, round_id=round_id))
    await ok(nc, "awards", cmd(ProposePreliminaryList, round_id=round_id, nominees=tuple(nominees)))


async def grants_in_log(store: EventStore, round_id: str) -> list[AwardGranted]:
    return [r.event for r in await store.load(Boundary("awards", round_id)) if isinstance(r.event, AwardGranted)]


async def test_fifty_racing_grants_never_exceed_a_quota_of_four(stack: None, nc: NATS, store: EventStore) -> None:
    units = [f"u-{i:02d}" for i in range(RACERS)]
    for _ in range(3):
        campaign_id = await campaign_with_units(nc, units)
        round_id = await open_round(nc, campaign_id, "vanguard_flag")
        for unit in units:
            await ok(
                nc,
                "awards",
                cmd(Nominate, round_id=round_id, kind="unit", nominee_id=unit, route=Route.recommendation, deeds=DEEDS),
            )
        await to_preliminary_list(nc, round_id, units)

        replies = await asyncio.gather(
            *(send(nc, "awards", cmd(GrantAward, COMMITTEE, round_id=round_id, nominee_id=u)) for u in units)
        )

        refusals = {(r.error.code, r.error.rule) for r in replies if r.error is not None}
        assert sum(r.ok for r in replies) == 4
        assert refusals <= {("rule_violated", "award_quota"), ("conflict", None)}
        assert all(r.ok == bool(r.events) for r in replies)  # an accepted grant appended its event
        granted = await grants_in_log(store, round_id)
        assert len(granted) == 4 and len({g.winner.id for g in granted}) == 4


def ballot(round_id: str, voter: str, scores: dict[str, str]) -> CastBallot:
    ratings = tuple(Rating(subject_id=s, criterion="群众满意度", level=level) for s, level in scores.items())
    return CastBallot(
        command_id=new_id(), actor=Actor(member_id=voter, role=Role.member), round_id=round_id, ratings=ratings
    )


async def evaluate_nominees(nc: NATS, campaign_id: str, nominees: list[Party], rng: random.Random) -> str:
    """The democratic evaluation of the nominees (民主测评), published by the office."""
    eval_id, voters = new_id(), [f"m-voter-{i}" for i in range(9)]
    groups = (
        VoterGroup(name="leaders", weight=0.3, members=tuple(voters[:2])),
        VoterGroup(name="members", weight=0.5, members=tuple(voters[2:7])),
        VoterGroup(name="service_users", weight=0.2, members=tuple(voters[7:])),
    )
    now = datetime.now(UTC)
    define = DefineRound(
        command_id=new_id(),
        actor=OFFICE,
        round_id=eval_id,
        campaign_id=campaign_id,
        kind=RoundKind.democratic,
        title="2026年上半年奪旗爭星民主測評",
        subjects=tuple(nominees),
        criteria=("群众满意度",),
        scale=SCALE,
        grades=GRADES,
        groups=groups,
        window=Window(opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1)),
    )
    await ok(nc, "evaluation", define)
    await ok(nc, "evaluation", cmd(OpenRound, round_id=eval_id))
    for voter in voters:
        await ok(nc, "evaluation", ballot(eval_id, voter, {p.id: rng.choice(SCALE[:3]).label for p in nominees}))
    await ok(nc, "evaluation", cmd(CloseRound, round_id=eval_id))
    await ok(nc, "evaluation", cmd(PublishResults, round_id=eval_id))
    return eval_id


async def recorded_results(store: EventStore, round_id: str) -> dict[str, float]:
    """The nominees' overall scores once the results policy recorded them on the award round (bounded wait)."""
    for _ in range(200):
        found = [
            r.event for r in await store.load(Boundary("awards", round_id)) if isinstance(r.event, NomineesEvaluated)
        ]
        if found:
            return {res.nominee_id: res.overall or 0.0 for e in found for res in e.results}
        await asyncio.sleep(0.1)
    raise AssertionError(f"the results policy recorded nothing on {round_id}")


async def test_one_half_year_of_the_seed_end_to_end(stack: None, nc: NATS, store: EventStore) -> None:
    rng = random.Random(142226)
    units = [
        f"u-{name}"
        for name in (
            "bangong",
            "caiwu",
            "fagui",
            "gongye",
            "xiangmu",
            "renshi",
            "xinxi",
            "jieneng",
            "anquan",
            "keji",
            "dangjian",
            "jingji",
        )
    ]
    campaign_id = await campaign_with_units(nc, units)
    members = [f"m-{i:03d}" for i in range(24)]
    for i, member in enumerate(members):
        await ok(
            nc,
            "campaigns",
            cmd(EnrolMember, campaign_id=campaign_id, member_id=member, name=f"职工{i}", unit_id=units[i % 12]),
        )
    flags = await open_round(nc, campaign_id, "vanguard_flag", rotating=True)
    stars = await open_round(nc, campaign_id, "model_star")

    flag_nominees, star_nominees = units[:7], members[:12]
    for unit in flag_nominees:  # each unit's head applies (申报)
        await ok(
            nc,
            "awards",
            cmd(
                Nominate,
                head_of(unit),
                round_id=flags,
                kind="unit",
                nominee_id=unit,
                route=Route.self_application,
                deeds=DEEDS,
            ),
        )
    for member in star_nominees:  # the office recommends (推荐)
        await ok(
            nc,
            "awards",
            cmd(Nominate, round_id=stars, kind="member", nominee_id=member, route=Route.recommendation, deeds=DEEDS),
        )
    before = await boundary_seq(store, "awards", stars)
    bad = [
        (
            cmd(
                Nominate,
                round_id=stars,
                kind="member",
                nominee_id="m-stranger",
                route=Route.recommendation,
                deeds=DEEDS,
            ),
            "rule_violated",
            "nominee_enrolled",
        ),
        (
            cmd(Nominate, round_id=stars, kind="unit", nominee_id=units[0], route=Route.recommendation, deeds=DEEDS),
            "rule_violated",
            "nominee_kind",
        ),
        (
            cmd(GrantAward, COMMITTEE, round_id=stars, nominee_id=members[0]),
            "rule_violated",
            "decision_on_preliminary_list",
        ),
    ]
    for body, code, rule in bad:
        reply = await send(nc, "awards", body)
        assert reply.error is not None and (reply.error.code, reply.error.rule) == (code, rule)
    too_long = cmd(
        Nominate, round_id=stars, kind="member", nominee_id=members[13], route=Route.recommendation, deeds=DEEDS
    ).model_dump(mode="json")
    reply = await send(nc, "awards", json.dumps({**too_long, "deeds": "字" * 1501}).encode(), "Nominate")
    assert reply.error is not None and reply.error.code == "validation_error"
    assert await boundary_seq(store, "awards", stars) == before

    for round_id in (flags, stars):
        await ok(nc, "awards", cmd(CloseNominations, round_id=round_id))
    parties = [Party(kind="unit", id=u) for u in flag_nominees] + [Party(kind="member", id=m) for m in star_nominees]
    eval_id = await evaluate_nominees(nc, campaign_id, parties, rng)
    for round_id in (flags, stars):
        await ok(nc, "awards", cmd(AttachEvaluation, round_id=round_id, evaluation_round_id=eval_id))
    flag_scores, star_scores = await recorded_results(store, flags), await recorded_results(store, stars)
    assert set(flag_scores) == set(flag_nominees) and set(star_scores) == set(star_nominees)

    for round_id, nominees in ((flags, flag_nominees), (stars, star_nominees)):
        for nominee in nominees:
            await ok(nc, "awards", cmd(RecordInspection, round_id=round_id, nominee_id=nominee, findings="台账齐全"))
        await ok(nc, "awards", cmd(ProposePreliminaryList, round_id=round_id, nominees=tuple(nominees)))
    listed_at = await boundary_seq(store, "awards", flags)
    forbidden = await send(nc, "awards", cmd(GrantAward, OFFICE, round_id=flags, nominee_id=flag_nominees[0]))
    assert forbidden.error is not None and forbidden.error.code == "forbidden"
    assert await boundary_seq(store, "awards", flags) == listed_at

    best_units = sorted(flag_nominees, key=lambda u: -flag_scores[u])
    best_members = sorted(star_nominees, key=lambda m: -star_scores[m])
    for unit in best_units[:4]:
        await ok(nc, "awards", cmd(GrantAward, COMMITTEE, round_id=flags, nominee_id=unit))
    for member in best_members[:8]:
        await ok(nc, "awards", cmd(GrantAward, COMMITTEE, round_id=stars, nominee_id=member))
    over = await send(nc, "awards", cmd(GrantAward, COMMITTEE, round_id=flags, nominee_id=best_units[4]))
    assert over.error is not None and (over.error.code, over.error.rule) == ("rule_violated", "award_quota")
    assert len(await grants_in_log(store, flags)) == 4
    for round_id in (flags, stars):
        await ok(nc, "awards", cmd(PublishAwards, round_id=round_id))

    flag_grants, star_grants = await grants_in_log(store, flags), await grants_in_log(store, stars)
    assert sorted(g.winner.id for g in flag_grants) == sorted(best_units[:4])
    assert sorted(g.flag_no or 0 for g in flag_grants) == [1, 2, 3, 4]
    assert sorted(g.winner.id for g in star_grants) == sorted(best_members[:8])
    assert sum(g.points for g in flag_grants + star_grants) == 4 * 1 + 8 * 0.5
    granted_events = [
        r for b in (flags, stars) for r in await store.load(Boundary("awards", b)) if isinstance(r.event, AwardGranted)
    ]
    assert {r.envelope.event_id for r in granted_events} == {g.award_id for g in flag_grants + star_grants}

    revoked = star_grants[0]
    await ok(
        nc, "awards", cmd(RevokeAward, COMMITTEE, round_id=stars, award_id=revoked.award_id, reason="经复查不符合条件")
    )
    await ok(
        nc,
        "awards",
        cmd(RecommendUpward, COMMITTEE, round_id=flags, award_id=flag_grants[0].award_id, to_organisation="市工信局"),
    )
    log = [r.event for r in await store.load(Boundary("awards", stars))]
    [revocation] = [e for e in log if isinstance(e, AwardRevoked)]
    assert (revocation.award_id, revocation.points, revocation.winner) == (revoked.award_id, 0.5, revoked.winner)
    assert not [e for e in log if isinstance(e, FlagHandedOver)]  # the first half-year has no previous holders
