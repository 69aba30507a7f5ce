"""Builders for the campaigns context: the seed campaign (4 flags, 8 stars per half-year) and its commands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import reduce
from typing import Any, TypeVar

from services.campaigns.commands import EnrolMember, LaunchCampaign, RegisterUnit
from shared.events import Actor, Event, Role
from shared.events.campaigns import (
    AwardCategory,
    CampaignLaunched,
    CampaignRules,
    Deadline,
    EvaluationScale,
    Grade,
    PeriodKind,
    ScoringRule,
    VoterGroup,
)
from shared.events.organisation import MemberEnrolled, RoleGrant, UnitRegistered
from shared.ids import new_id

S = TypeVar("S")

CAMPAIGN = "c-2026"
ORGANISER = "u-party-committee"
YEAR = 2026
OFFICE = Actor(member_id="m-office", role=Role.office, unit_id=ORGANISER)
ADMIN = Actor(member_id="m-admin", role=Role.admin)
COMMITTEE = Actor(member_id="m-committee", role=Role.committee)
VOTER = Actor(member_id="m-voter", role=Role.voter)
SYSTEM = Actor(member_id="policy", role=Role.system)


def member_actor(member_id: str = "m-zhang", unit_id: str = "u-office") -> Actor:
    return Actor(member_id=member_id, role=Role.member, unit_id=unit_id)


def head_of(unit_id: str, member_id: str = "m-head") -> Actor:
    return Actor(member_id=member_id, role=Role.unit_head, unit_id=unit_id)


def seed_rules(**overrides: Any) -> dict[str, Any]:
    """The seed's rules: flags for units and stars for members, every half-year; +1 and +0.5."""
    rules: dict[str, Any] = {
        "calendar": (
            Deadline(key="gap_reports", label="分析差距报告", due=date(YEAR, 3, 15)),
            Deadline(key="target_ledgers", label="对标先进赶超目标任务台账", due=date(YEAR, 3, 25)),
            Deadline(key="pledges", label="公开承诺", due=date(YEAR, 6, 10)),
        ),
        "categories": (
            AwardCategory(
                category_id="vanguard_flag",
                name="创先争优先锋旗",
                winner="unit",
                period=PeriodKind.half_year,
                quota=4,
                points=1,
            ),
            AwardCategory(
                category_id="model_star",
                name="创先争优模范星",
                winner="member",
                period=PeriodKind.half_year,
                quota=8,
                points=0.5,
            ),
        ),
        "scales": (
            EvaluationScale(
                scale_id="grades",
                name="民主测评",
                grades=(
                    Grade(name="优秀", min_score=90),
                    Grade(name="合格", min_score=75),
                    Grade(name="基本合格", min_score=60),
                    Grade(name="不合格", min_score=0),
                ),
            ),
        ),
        "scoring_rules": (
            ScoringRule(rule_id="flag", trigger="award:vanguard_flag", points=1),
            ScoringRule(rule_id="star", trigger="award:model_star", points=0.5),
        ),
        "voter_groups": (
            VoterGroup(group_id="leaders", name="领导", weight=0.3),
            VoterGroup(group_id="members", name="党员", weight=0.5),
            VoterGroup(group_id="service_users", name="服务对象代表", weight=0.2),
        ),
    }
    return {**rules, **overrides}


def launch(campaign_id: str = CAMPAIGN, actor: Actor = OFFICE, **overrides: Any) -> LaunchCampaign:
    fields: dict[str, Any] = {
        "command_id": new_id(),
        "actor": actor,
        "campaign_id": campaign_id,
        "theme": "争夺创先争优先锋旗、争当创先争优模范星",
        "organiser_unit_id": ORGANISER,
        "organiser_name": "局党委",
        "year": YEAR,
        "periods": (PeriodKind.month, PeriodKind.quarter, PeriodKind.half_year, PeriodKind.year),
        **seed_rules(),
    }
    return LaunchCampaign(**{**fields, **overrides})


def launched(campaign_id: str = CAMPAIGN) -> CampaignLaunched:
    cmd = launch(campaign_id)
    rules = CampaignRules(
        **cmd.model_dump(include={"calendar", "categories", "scales", "scoring_rules", "voter_groups"})
    )
    return CampaignLaunched(
        campaign_id=campaign_id,
        theme=cmd.theme,
        organiser_unit_id=ORGANISER,
        organiser_name=cmd.organiser_name,
        year=YEAR,
        periods=cmd.periods,
        rules=rules,
    )


def register(unit_id: str, parent_id: str = ORGANISER, actor: Actor = OFFICE, **overrides: Any) -> RegisterUnit:
    fields = {"command_id": new_id(), "actor": actor, "campaign_id": CAMPAIGN, "unit_id": unit_id}
    return RegisterUnit(**{**fields, "name": f"股室{unit_id}", "parent_id": parent_id, **overrides})


def unit_registered(unit_id: str, parent_id: str = ORGANISER) -> UnitRegistered:
    return UnitRegistered(campaign_id=CAMPAIGN, unit_id=unit_id, name=f"股室{unit_id}", parent_id=parent_id)


def enrol(
    member_id: str = "m-zhang", unit_id: str = "u-office", *roles: RoleGrant, actor: Actor = OFFICE
) -> EnrolMember:
    return EnrolMember(
        command_id=new_id(),
        actor=actor,
        campaign_id=CAMPAIGN,
        member_id=member_id,
        name="张伟",
        unit_id=unit_id,
        roles=roles,
    )


def enrolled(member_id: str = "m-zhang", unit_id: str = "u-office") -> MemberEnrolled:
    return MemberEnrolled(campaign_id=CAMPAIGN, member_id=member_id, name="张伟", unit_id=unit_id)


def fold(evolve: Any, initial: S, events: Sequence[Event]) -> S:
    """The state after `events` (the "given" of a decider test)."""
    return reduce(evolve, events, initial)
