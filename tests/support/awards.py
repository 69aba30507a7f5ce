"""Builders for the awards context: the seed's rounds (4 flags, 8 stars per half-year), nominations, facts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.awards.commands import GrantAward, Nominate, OpenAwardRound, round_id_of
from services.awards.state import AwardRound, Facts, evolve
from services.campaigns.campaign import Campaign
from services.campaigns.campaign import evolve as evolve_campaign
from services.campaigns.members import Member
from shared.events import Actor, Event
from shared.events.awards import (
    AwardRoundOpened,
    NominationsClosed,
    Nominee,
    NomineeNominated,
    PreliminaryListProposed,
    Route,
)
from shared.ids import new_id
from tests.support.campaigns import CAMPAIGN, COMMITTEE, OFFICE, fold, launched, member_actor

NOW = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
CLOSE_AT = NOW + timedelta(days=5)
FLAGS = round_id_of(CAMPAIGN, "vanguard_flag", "2026-H1")
FLAGS_H2 = round_id_of(CAMPAIGN, "vanguard_flag", "2026-H2")
STARS = round_id_of(CAMPAIGN, "model_star", "2026-H1")
DEEDS = "带头落实赶超措施，全年目标任务提前完成。"


def campaign() -> Campaign:
    return fold(evolve_campaign, Campaign(), [launched()])


def open_round(category_id: str = "vanguard_flag", period: str = "2026-H1", **overrides: Any) -> OpenAwardRound:
    fields: dict[str, Any] = {
        "command_id": new_id(),
        "actor": OFFICE,
        "campaign_id": CAMPAIGN,
        "category_id": category_id,
        "period": period,
        "nominations_close_at": CLOSE_AT,
    }
    return OpenAwardRound(**{**fields, **overrides})


def opened(round_id: str = FLAGS, **overrides: Any) -> AwardRoundOpened:
    campaign_id, category_id, period = round_id.split("~")
    unit = category_id == "vanguard_flag"
    fields: dict[str, Any] = {
        "round_id": round_id,
        "campaign_id": campaign_id,
        "category_id": category_id,
        "category_name": "创先争优先锋旗" if unit else "创先争优模范星",
        "period": period,
        "winner": "unit" if unit else "member",
        "quota": 4 if unit else 8,
        "points": 1 if unit else 0.5,
        "nominations_close_at": CLOSE_AT,
    }
    return AwardRoundOpened(**{**fields, **overrides})


def nominee(nominee_id: str, round_id: str = FLAGS) -> Nominee:
    if "vanguard_flag" in round_id:
        return Nominee(kind="unit", id=nominee_id)
    return Nominee(kind="member", id=nominee_id, unit_id="u-office")


def nominated(nominee_id: str, round_id: str = FLAGS) -> NomineeNominated:
    return NomineeNominated(
        round_id=round_id,
        campaign_id=CAMPAIGN,
        nominee=nominee(nominee_id, round_id),
        route=Route.recommendation,
        nominated_by=OFFICE.member_id,
        deeds=DEEDS,
    )


def listed(nominees: Iterable[str], round_id: str = FLAGS, **opening: Any) -> list[Event]:
    """A round with `nominees` nominated, nominations closed and all of them on the preliminary list."""
    ids = tuple(nominees)
    return [
        opened(round_id, **opening),
        *(nominated(n, round_id) for n in ids),
        NominationsClosed(round_id=round_id, campaign_id=CAMPAIGN, nominees=ids),
        PreliminaryListProposed(round_id=round_id, campaign_id=CAMPAIGN, nominees=ids),
    ]


def state(events: Iterable[Event]) -> AwardRound:
    return fold(evolve, AwardRound(), list(events))


def nominate(nominee_id: str, actor: Actor = OFFICE, round_id: str = FLAGS, **overrides: Any) -> Nominate:
    fields: dict[str, Any] = {
        "command_id": new_id(),
        "actor": actor,
        "round_id": round_id,
        "kind": "unit" if "vanguard_flag" in round_id else "member",
        "nominee_id": nominee_id,
        "route": Route.recommendation,
        "deeds": DEEDS,
    }
    return Nominate(**{**fields, **overrides})


def grant(nominee_id: str, round_id: str = FLAGS, actor: Actor = COMMITTEE) -> GrantAward:
    return GrantAward(command_id=new_id(), actor=actor, round_id=round_id, nominee_id=nominee_id)


def unit_facts(**overrides: Any) -> Facts:
    return Facts(**{"now": NOW, "unit_known": True, **overrides})


def member_facts(unit_id: str = "u-office", status: str = "enrolled", **overrides: Any) -> Facts:
    return Facts(**{"now": NOW, "member": Member(status, "张伟", unit_id), **overrides})  # type: ignore[arg-type]


STAR_NOMINEE = member_actor("m-zhang", "u-office")
