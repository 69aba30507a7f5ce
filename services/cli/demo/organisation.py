"""Demo steps 1-2: the campaign with its calendar, categories and rules; units, members, roles, benchmarks."""

from __future__ import annotations

from datetime import date

from services.campaigns.commands import EnrolMember, FileGapReport, LaunchCampaign, NameBenchmarkPair, RegisterUnit
from services.cli.demo.roster import (
    CAMPAIGN,
    LEADERS,
    OFFICE,
    ORGANISER,
    SERVICE_USERS,
    UNIT_IDS,
    UNIT_NAMES,
    UNITS,
    YEAR,
    head_of,
    members,
)
from services.cli.demo.steps import Step, cmd, each
from shared.commands import Command
from shared.events import Role
from shared.events.campaigns import (
    AwardCategory,
    Deadline,
    EvaluationScale,
    Grade,
    PeriodKind,
    ScoringRule,
    VoterGroup,
)
from shared.events.organisation import RoleGrant

EXTERNAL = ("寿光市工信局", "诸城市工信局", "青州市工信局", "高密市工信局")


def launch() -> Step:
    launch = cmd(
        "campaigns", LaunchCampaign, "launch", OFFICE,
        campaign_id=CAMPAIGN, theme="争夺创先争优先锋旗、争当创先争优模范星", organiser_unit_id=ORGANISER,
        organiser_name="局党委", year=YEAR,
        periods=(PeriodKind.month, PeriodKind.quarter, PeriodKind.half_year, PeriodKind.year),
        calendar=(
            Deadline(key="gap_reports", label="分析差距报告", due=date(YEAR, 3, 15)),
            Deadline(key="target_ledgers", label="对标先进赶超目标任务台账", due=date(YEAR, 3, 25)),
            Deadline(key="pledges", label="公开承诺", due=date(YEAR, 6, 10)),
        ),
        categories=(
            AwardCategory(category_id="vanguard_flag", name="创先争优先锋旗", winner="unit",
                          period=PeriodKind.half_year, quota=4, points=1),
            AwardCategory(category_id="model_star", name="创先争优模范星", winner="member",
                          period=PeriodKind.half_year, quota=8, points=0.5),
        ),
        scales=(EvaluationScale(scale_id="grades", name="民主测评", grades=(
            Grade(name="优秀", min_score=90), Grade(name="合格", min_score=75),
            Grade(name="基本合格", min_score=60), Grade(name="不合格", min_score=0),
        )),),
        scoring_rules=(
            ScoringRule(rule_id="flag", trigger="award:vanguard_flag", points=1),
            ScoringRule(rule_id="star", trigger="award:model_star", points=0.5),
            ScoringRule(rule_id="excellent", trigger="grade:优秀", points=0.3),
            ScoringRule(rule_id="basic", trigger="grade:基本合格", points=-0.5),
        ),
        voter_groups=(
            VoterGroup(group_id="leaders", name="领导", weight=0.3),
            VoterGroup(group_id="members", name="党员", weight=0.5),
            VoterGroup(group_id="service_users", name="服务对象代表", weight=0.2),
        ),
    )  # fmt: skip
    return Step("活动启动 launch", [[launch]])


def units() -> list[Step]:
    def register(unit: tuple[str, str, str, str]) -> tuple[str, Command]:
        unit_id, name, parent, kind = unit
        c = cmd("campaigns", RegisterUnit, f"unit/{unit_id}", OFFICE, campaign_id=CAMPAIGN, unit_id=unit_id,
                name=name, parent_id=parent, kind=kind)  # fmt: skip
        return c

    top = [register(u) for u in UNITS if u[2] == ORGANISER]
    below = [register(u) for u in UNITS if u[2] != ORGANISER]
    return [Step("单位 units", each(top)), Step("党小组 groups", each(below))]


def enrolment() -> Step:
    def enrol(member_id: str, name: str, unit_id: str, *grants: RoleGrant) -> tuple[str, Command]:
        return cmd("campaigns", EnrolMember, f"enrol/{member_id}", OFFICE, campaign_id=CAMPAIGN,
                   member_id=member_id, name=name, unit_id=unit_id, roles=grants)  # fmt: skip

    leaders = [
        enrol(
            LEADERS[0],
            "王建国",
            ORGANISER,
            RoleGrant(role=Role.committee),
            RoleGrant(role=Role.voter, voter_group="leaders"),
        ),
        enrol(
            LEADERS[1],
            "李卫东",
            ORGANISER,
            RoleGrant(role=Role.committee),
            RoleGrant(role=Role.voter, voter_group="leaders"),
        ),
        enrol(
            LEADERS[2],
            "张丽华",
            ORGANISER,
            RoleGrant(role=Role.office),
            RoleGrant(role=Role.voter, voter_group="leaders"),
        ),
    ]
    staff = [
        enrol(p.member_id, p.name, p.unit_id, *((RoleGrant(role=Role.unit_head),) if p.head else ())) for p in members()
    ]
    public = [
        enrol(v, f"服务对象代表{i + 1}", ORGANISER, RoleGrant(role=Role.voter, voter_group="service_users"))
        for i, v in enumerate(SERVICE_USERS)
    ]
    return Step("党员干部 members", each(leaders + staff + public))


def benchmarks() -> Step:
    chains = []
    for i, unit_id in enumerate(UNIT_IDS):
        head = head_of(unit_id).actor
        rival = UNIT_IDS[(i + 3) % len(UNIT_IDS)]
        external = EXTERNAL[i % len(EXTERNAL)]
        chains.append([
            cmd("campaigns", NameBenchmarkPair, f"pair/{unit_id}", head, campaign_id=CAMPAIGN, unit_id=unit_id,
                internal_unit_id=rival, external_benchmark=external, goal=f"赶超{UNIT_NAMES[rival]}，对标{external}"),
            cmd("campaigns", FileGapReport, f"gap/{unit_id}", head, campaign_id=CAMPAIGN, unit_id=unit_id,
                report_id=f"gap-{unit_id}", filed_on=date(YEAR, 3, 10 + i % 5),
                summary=f"{UNIT_NAMES[unit_id]}对标{external}，在服务企业和工作创新方面存在差距",
                gaps=("主动服务意识不强", "创新举措不多"), measures=("每月走访重点企业", "建立问题清单销号制度")),
        ])  # fmt: skip
    return Step("对标找差 benchmarks", chains)
