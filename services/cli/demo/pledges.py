"""Demo step 3: every unit's and member's pledge, reviewed, twelve monthly reports, self-check, assessment."""

from __future__ import annotations

from datetime import date

from services.cli.demo.roster import CAMPAIGN, OFFICE, UNIT_IDS, UNIT_NAMES, YEAR, Person, head_of, members
from services.cli.demo.steps import Chain, Step, cmd
from services.pledges.commands import (
    ApprovePledge,
    AssessFulfilment,
    FileSelfCheck,
    MakePledge,
    ReportProgress,
    SubmitPledge,
)
from shared.events import Actor
from shared.events.pledges import FulfilmentOutcome, LedgerLine, PledgeCategory, Pledger, ProgressEntry

UNIT_LINES = (
    ("走访服务重点企业", PledgeCategory.service_to_the_masses, 48, "家次"),
    ("协调解决企业难题", PledgeCategory.work_goal, 24, "件"),
)
MEMBER_LINES = (
    ("撰写学习心得", PledgeCategory.learning, 12, "篇"),
    ("办理群众诉求", PledgeCategory.service_to_the_masses, 36, "件"),
)
SLOW = 5  # every fifth pledger falls behind and skips the last two monthly reports
ORAL = "m-012"  # an elderly member whose pledge the unit head records (口头承诺)


def _lines(spec: tuple[tuple[str, PledgeCategory, int, str], ...], responsible: str) -> tuple[LedgerLine, ...]:
    return tuple(
        LedgerLine(line_id=f"l{n + 1}", description=text, category=category, target_value=target,
                   metric_unit=metric, deadline=date(YEAR, 12, 31), responsible_member_id=responsible)
        for n, (text, category, target, metric) in enumerate(spec)
    )  # fmt: skip


def _life(n: int, pledge_id: str, pledger: Pledger, author: Actor, reviewer: Actor, lines: tuple[LedgerLine, ...],
          title: str) -> Chain:  # fmt: skip
    key = f"pledge/{pledge_id}"
    chain: Chain = [
        cmd("pledges", MakePledge, f"{key}/make", author, pledge_id=pledge_id, campaign_id=CAMPAIGN,
            pledger=pledger, year=YEAR, title=title, lines=lines),
        cmd("pledges", SubmitPledge, f"{key}/submit", author, pledge_id=pledge_id),
        cmd("pledges", ApprovePledge, f"{key}/approve", reviewer, pledge_id=pledge_id, comment="同意公开承诺"),
    ]  # fmt: skip
    slow = n % SLOW == 0
    months = 10 if slow else 12
    pace = 0.6 if slow else 1.0 + (n % 3) * 0.05
    for month in range(1, months + 1):
        entries = tuple(
            ProgressEntry(line_id=line.line_id, current_value=round((line.target_value or 0) * pace * month / 12),
                          metric_unit=line.metric_unit, narrative=f"{month}月按计划推进")
            for line in lines
        )  # fmt: skip
        chain.append(cmd("pledges", ReportProgress, f"{key}/m{month:02d}", author, pledge_id=pledge_id,
                         period=f"{YEAR}-{month:02d}", entries=entries))  # fmt: skip
    chain.append(cmd("pledges", FileSelfCheck, f"{key}/selfcheck", author, pledge_id=pledge_id,
                     summary="对照承诺逐项自查", gaps="进度偏慢" if slow else None,
                     problems=("个别事项推进不及时",) if slow else ()))  # fmt: skip
    outcome = FulfilmentOutcome.partly_fulfilled if slow else FulfilmentOutcome.fulfilled
    chain.append(cmd("pledges", AssessFulfilment, f"{key}/assess", reviewer, pledge_id=pledge_id, outcome=outcome,
                     reason="年终兑现评估"))  # fmt: skip
    return chain


def _member_chain(n: int, p: Person) -> Chain:
    pledger = Pledger(kind="member", id=p.member_id, unit_id=p.unit_id)
    head = head_of(p.unit_id).actor
    author = head if p.member_id == ORAL else p.actor
    reviewer = OFFICE if p.head else head
    title = f"{p.name}的公开承诺"
    return _life(n, f"p-{p.member_id}", pledger, author, reviewer, _lines(MEMBER_LINES, p.member_id), title)


def _unit_chain(n: int, unit_id: str) -> Chain:
    head = head_of(unit_id)
    pledger = Pledger(kind="unit", id=unit_id)
    lines = _lines(UNIT_LINES, head.member_id)
    return _life(n, f"p-{unit_id}", pledger, head.actor, OFFICE, lines, f"{UNIT_NAMES[unit_id]}争当排头兵承诺")


def pledges() -> Step:
    chains = [_unit_chain(n, u) for n, u in enumerate(UNIT_IDS)]
    chains += [_member_chain(n, p) for n, p in enumerate(members())]
    return Step("公开承诺与月调度 pledges and progress", chains)
