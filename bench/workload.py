"""Valid commands for the benchmarks: a campaign's people, approved pledges, open rounds, and a realistic mix.

Each kind of command is built once through its pydantic model with placeholder ids; every command after that
is the template with its ids replaced, so the load generator spends its CPU on sending, not on building.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel

from services.evaluation.commands import CastBallot, DefineRound, OpenRound
from services.pledges.commands import ApprovePledge, MakePledge, ReportProgress, SubmitPledge
from shared.events import Actor, Role
from shared.events.evaluation import Grade, Party, Rating, RoundKind, ScaleLevel, VoterGroup, Window
from shared.events.pledges import LedgerLine, PledgeCategory, Pledger, ProgressEntry
from shared.ids import new_id
from shared.subjects import command_subject

CAMPAIGN = "c-2026"
UNITS = 50
CMD, PLEDGE, MEMBER, UNIT, HEAD, ROUND = "CMD0TOKEN", "PLEDGE0TOKEN", "MEMBER0TOKEN", "UNIT0TOKEN", "HEAD0TOKEN", "RND0"
SCALE = (
    ScaleLevel(label="优秀", score=100),
    ScaleLevel(label="合格", score=80),
    ScaleLevel(label="基本合格", score=60),
    ScaleLevel(label="不合格", score=0),
)
GRADES = (
    Grade(label="优秀", min_score=90),
    Grade(label="合格", min_score=75),
    Grade(label="基本合格", min_score=60),
    Grade(label="不合格", min_score=0),
)
CRITERIA = ("岗位胜任度", "发展贡献度", "群众满意度", "社会美誉度")
SUBJECTS = (Party(kind="unit", id="u-finance"), Party(kind="unit", id="u-tax"))
# (group, weight, share of the round's voters)
GROUP_SHAPE = (("leaders", 0.3, 0.1), ("members", 0.5, 0.7), ("service_users", 0.2, 0.2))

Message = tuple[str, bytes, str]  # (subject, payload, command name)


def member_of(i: int) -> tuple[str, str, str]:
    """(member id, unit id, unit head id) of the i-th pledging member."""
    unit = i % UNITS
    return f"m-{i:06d}", f"u-{unit:03d}", f"h-{unit:03d}"


def ledger_line(member_id: str) -> LedgerLine:
    return LedgerLine(
        line_id="l1",
        description="每月撰写学习心得一篇",
        category=PledgeCategory.learning,
        target_value=12,
        metric_unit="篇",
        deadline=date(2026, 12, 31),
        responsible_member_id=member_id,
    )


def _json(model: BaseModel) -> str:
    return model.model_dump_json()


def _templates() -> dict[str, str]:
    member = Actor(member_id=MEMBER, role=Role.member, unit_id=UNIT)
    head = Actor(member_id=HEAD, role=Role.unit_head, unit_id=UNIT)
    office = Actor(member_id="m-office", role=Role.office)
    return {
        "MakePledge": _json(
            MakePledge(
                command_id=CMD,
                actor=member,
                pledge_id=PLEDGE,
                campaign_id=CAMPAIGN,
                pledger=Pledger(kind="member", id=MEMBER, unit_id=UNIT),
                year=2026,
                title="争当排头兵公开承诺",
                lines=(ledger_line(MEMBER),),
            )
        ),
        "SubmitPledge": _json(SubmitPledge(command_id=CMD, actor=member, pledge_id=PLEDGE)),
        "ApprovePledge": _json(ApprovePledge(command_id=CMD, actor=head, pledge_id=PLEDGE)),
        "ReportProgress": _json(
            ReportProgress(
                command_id=CMD,
                actor=member,
                pledge_id=PLEDGE,
                period="2026-06",
                entries=(ProgressEntry(line_id="l1", current_value=6, metric_unit="篇", narrative="按月完成"),),
            )
        ),
        "OpenRound": _json(OpenRound(command_id=CMD, actor=office, round_id=ROUND)),
        "CastBallot": _json(
            CastBallot(
                command_id=CMD,
                actor=Actor(member_id=MEMBER, role=Role.member),
                round_id=ROUND,
                ratings=tuple(Rating(subject_id=s.id, criterion=c, level="优秀") for s in SUBJECTS for c in CRITERIA),
            )
        ),
    }


def voters_of(round_id: str, n: int) -> list[str]:
    return [f"v{round_id[-3:]}-{k:05d}" for k in range(n)]


def define_round(round_id: str, voters: list[str]) -> bytes:
    groups, start = [], 0
    for name, weight, share in GROUP_SHAPE:
        count = max(1, int(len(voters) * share)) if name != GROUP_SHAPE[-1][0] else len(voters) - start
        groups.append(VoterGroup(name=name, weight=weight, members=tuple(voters[start : start + count])))
        start += count
    now = datetime.now(UTC)
    cmd = DefineRound(
        command_id=new_id(),
        actor=Actor(member_id="m-office", role=Role.office),
        round_id=round_id,
        campaign_id=CAMPAIGN,
        kind=RoundKind.mass,
        title="2026年上半年群众评议",
        subjects=SUBJECTS,
        criteria=CRITERIA,
        scale=SCALE,
        grades=GRADES,
        groups=tuple(groups),
        window=Window(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2)),
        secret=False,
    )
    return cmd.model_dump_json().encode()


@dataclass
class Workload:
    """The people, pledges and rounds of one run, and the mixed commands sent against them."""

    pledges: int
    rounds: int
    voters_per_round: int = 2000
    tag: str = field(default_factory=lambda: new_id()[-8:])
    seed: int = 7
    mix: tuple[float, float] = (0.70, 0.95)  # ReportProgress below the first, CastBallot below the second
    _t: dict[str, str] = field(default_factory=_templates, init=False)
    _made: int = field(default=0, init=False)
    _ballots: Iterator[tuple[str, str]] | None = field(default=None, init=False)
    exhausted_ballots: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._ballots = self._all_ballots()

    def pledge_id(self, i: int) -> str:
        return f"bp-{self.tag}-{i:06d}"

    def round_id(self, r: int) -> str:
        return f"br-{self.tag}-{r:03d}"

    def command(self, name: str, pledge: int | None = None, **ids: str) -> Message:
        text = self._t[name].replace(CMD, new_id())
        if pledge is not None:
            member, unit, head = member_of(pledge)
            text = text.replace(PLEDGE, self.pledge_id(pledge)).replace(MEMBER, member)
            text = text.replace(UNIT, unit).replace(HEAD, head)
        for token, value in ids.items():
            text = text.replace(token, value)
        context = "evaluation" if name in ("OpenRound", "CastBallot", "DefineRound") else "pledges"
        return command_subject(context, name), text.encode(), name

    def setup_phases(self) -> list[list[Message]]:
        """Commands that must be accepted, phase by phase, before the mix can run."""
        n = self.pledges
        rounds = [self.round_id(r) for r in range(self.rounds)]
        define = [
            (command_subject("evaluation", "DefineRound"), define_round(r, voters_of(r, self.voters_per_round)), "x")
            for r in rounds
        ]
        return [
            [self.command("MakePledge", i) for i in range(n)] + define,
            [self.command("SubmitPledge", i) for i in range(n)] + [self.command("OpenRound", RND0=r) for r in rounds],
            [self.command("ApprovePledge", i) for i in range(n)],
        ]

    def _all_ballots(self) -> Iterator[tuple[str, str]]:
        for r in range(self.rounds):
            rid = self.round_id(r)
            for v in voters_of(rid, self.voters_per_round):
                yield rid, v

    def report(self) -> Message:
        return self.command("ReportProgress", self.rng.randrange(self.pledges))

    def next(self) -> Message:
        """One command of the mix: ~70% ReportProgress, ~25% CastBallot, ~5% MakePledge."""
        x = self.rng.random()
        if x < self.mix[0]:
            return self.report()
        if x < self.mix[1]:
            assert self._ballots is not None
            nxt = next(self._ballots, None)
            if nxt is None:
                self.exhausted_ballots += 1
                return self.report()
            rid, voter = nxt
            return self.command("CastBallot", RND0=rid, MEMBER0TOKEN=voter)
        self._made += 1
        member, unit, _ = member_of(self.pledges + self._made)
        text = self._t["MakePledge"].replace(CMD, new_id()).replace(PLEDGE, f"bn-{self.tag}-{self._made:07d}")
        text = text.replace(MEMBER, member).replace(UNIT, unit)
        return command_subject("pledges", "MakePledge"), text.encode(), "MakePledge"
