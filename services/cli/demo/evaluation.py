"""Demo evaluation: the leaders' three reviews (June, September, December) and the half-yearly mass evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.cli.demo.roster import (
    CAMPAIGN,
    COMMITTEE,
    LEADERS,
    OFFICE,
    SERVICE_USERS,
    UNIT_IDS,
    UNIT_NAMES,
    YEAR,
    demo_id,
    head_of,
    members,
)
from services.cli.demo.steps import Chain, Step, cmd, each
from services.evaluation.commands import (
    CastBallot,
    CloseRound,
    DefineRound,
    OpenRound,
    PublishResults,
    RecordLeaderReview,
    StateRectification,
)
from shared.events import Actor, Role
from shared.events.evaluation import Grade, Party, Rating, RoundKind, ScaleLevel, VoterGroup, Window

SCALE = (
    ScaleLevel(label="优秀", score=100),
    ScaleLevel(label="合格", score=80),
    ScaleLevel(label="基本合格", score=60),
    ScaleLevel(label="不合格", score=0),
)
GRADES = (
    Grade(label="优秀", min_score=90),
    Grade(label="合格", min_score=75),
    Grade(label="基本合格", min_score=60, warning_talk=True),
    Grade(label="不合格", min_score=0, warning_talk=True),
)
UNIT_CRITERIA = ("政治引领好", "服务发展好", "队伍建设好", "工作作风好", "群众评价好")  # 五个好


def reviews() -> Step:
    """Three reviews of each unit; the first two ask for rectification, which the unit head states."""
    chains: list[Chain] = []
    for unit_id in UNIT_IDS:
        party, head = Party(kind="unit", id=unit_id), head_of(unit_id).actor
        chain: Chain = []
        for no in (1, 2, 3):
            asks = no < 3
            chain.append(cmd("evaluation", RecordLeaderReview, f"review/{unit_id}/{no}", COMMITTEE,
                             campaign_id=CAMPAIGN, party=party, review_no=no,
                             achievements=f"{UNIT_NAMES[unit_id]}承诺事项推进有力",
                             problems="台账更新不够及时" if asks else None,
                             required_rectification="每月5日前更新台账" if asks else None,
                             previous_rectification_done=True if no > 1 else None))  # fmt: skip
            if asks:
                chain.append(cmd("evaluation", StateRectification, f"rectify/{unit_id}/{no}", head,
                                 campaign_id=CAMPAIGN, party=party, review_no=no,
                                 statement="立即整改，建立台账周更新制度"))  # fmt: skip
        chains.append(chain)
    return Step("领导点评 leader reviews", chains)


def window() -> Window:
    now = datetime.now(UTC)
    return Window(opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=2))


def ballot_round(key: str, title: str, kind: RoundKind, subjects: list[Party], criteria: tuple[str, ...],
                 level_of: dict[str, list[str]], voters: dict[str, tuple[str, ...]]) -> list[Step]:  # fmt: skip
    """Define, open, one ballot per voter (the n-th voter rates a subject `level_of[subject][n % len]`), close,
    publish."""
    round_id = demo_id(f"round/{key}")
    groups = tuple(
        VoterGroup(name=name, weight=weight, members=voters[name])
        for name, weight in (("leaders", 0.3), ("members", 0.5), ("service_users", 0.2))
    )
    define = cmd("evaluation", DefineRound, f"{key}/define", OFFICE, round_id=round_id, campaign_id=CAMPAIGN,
                 kind=kind, title=title, subjects=tuple(subjects), criteria=criteria, scale=SCALE, grades=GRADES,
                 groups=groups, window=window())  # fmt: skip
    opening = cmd("evaluation", OpenRound, f"{key}/open", OFFICE, round_id=round_id)
    everyone = [v for g in groups for v in g.members]
    ballots = [
        cmd("evaluation", CastBallot, f"{key}/ballot/{voter}", Actor(member_id=voter, role=Role.voter),
            round_id=round_id, ratings=tuple(
                Rating(subject_id=s.id, criterion=c, level=level_of[s.id][(n + i) % len(level_of[s.id])])
                for i, s in enumerate(subjects) for c in criteria))
        for n, voter in enumerate(everyone)
    ]  # fmt: skip
    close = [
        cmd("evaluation", CloseRound, f"{key}/close", OFFICE, round_id=round_id),
        cmd("evaluation", PublishResults, f"{key}/publish", OFFICE, round_id=round_id),
    ]
    return [
        Step(title, [[define, opening]]),
        Step(f"{title} ballots", each(ballots)),
        Step(f"{title} results", [close]),
    ]


def mass_evaluation() -> list[Step]:
    """群众评议 of every unit by leaders, all staff and service users; two units fall to 基本合格."""
    good, weak = ["优秀", "优秀", "合格"], ["合格", "基本合格", "基本合格", "不合格"]
    levels = {u: weak if u in ("u-caiwu", "u-dangxiaozu-2") else good for u in UNIT_IDS}
    levels.update({u: ["优秀"] for u in ("u-gongye", "u-xiangmu")})
    voters = {
        "leaders": LEADERS,
        "members": tuple(p.member_id for p in members()),
        "service_users": SERVICE_USERS,
    }
    subjects = [Party(kind="unit", id=u) for u in UNIT_IDS]
    return ballot_round(f"mass/{YEAR}", f"{YEAR}年度群众评议", RoundKind.mass, subjects, UNIT_CRITERIA, levels, voters)
