"""Read API: pledge progress, published evaluation results, award winners, flag holders, dispatch and bulletin."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import asyncpg
from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.projections.http import PeriodQuery, Pool, Problem
from services.scores.periods import first_day, last_day
from shared.deadlines import PledgeReporting, missing_reports, overdue_lines
from shared.events.pledges import LedgerLine
from shared.progress import LineProgress, line_percent, pledge_percent

RESULTS = """
select round_id, subject_kind, subject_id, overall, grade, warning_talk_required, published_at
from evaluation_results where campaign_id = $1 and ($2::text is null or round_id = $2)
order by round_id, subject_kind, subject_id
"""
AWARDS = """
select award_id, round_id, category_id, category_name, period, winner_kind, winner_id, winner_unit_id, points, flag_no,
       granted_at, revoked_at, revoked_reason
from awards where campaign_id = $1 and ($2::text is null or period = $2) and ($3::text is null or category_id = $3)
  and ($4 or revoked_at is null)
order by period, category_id, coalesce(flag_no, 0), seq
"""
FLAGS = """
select distinct on (category_id, flag_no) award_id, round_id, category_id, category_name, period, winner_kind,
       winner_id, winner_unit_id, points, flag_no, granted_at, revoked_at, revoked_reason
from awards where campaign_id = $1 and flag_no is not null and revoked_at is null
order by category_id, flag_no, period desc, seq desc
"""
PUBLISHED_PLEDGES = """
select pledge_id, pledger_kind, pledger_id, pledger_unit_id, lines_in_force, progress, reported, published_at
from pledges where campaign_id = $1 and published_at is not null and published_at < $2 and status <> 'withdrawn'
order by pledge_id
"""
ONE_PLEDGE = "select pledge_id, lines, lines_in_force, progress from pledges where pledge_id = $1"


class Result(BaseModel):
    round_id: str
    subject_kind: str
    subject_id: str
    overall: float | None
    grade: str | None
    warning_talk_required: bool
    published_at: datetime


class Award(BaseModel):
    award_id: str
    round_id: str
    category_id: str
    category_name: str
    period: str
    winner_kind: str
    winner_id: str
    winner_unit_id: str | None
    points: float
    flag_no: int | None
    granted_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


class LineStatus(BaseModel):
    line_id: str
    description: str
    deadline: date
    percent_complete: float
    overdue: bool = Field(description="past its deadline (before `as_of`) and not complete")


class PledgeProgress(BaseModel):
    pledge_id: str
    percent_complete: float = Field(description="shared.progress: the unweighted mean of the lines in force")
    as_of: date
    lines: list[LineStatus]


class UnitLine(BaseModel):
    unit_id: str
    pledges: int
    percent_complete: float = Field(description="mean of its pledges' percent complete (its own and its members')")


class Overdue(BaseModel):
    pledge_id: str
    line_id: str
    responsible_member_id: str
    deadline: date
    percent_complete: float


class NotReported(BaseModel):
    pledge_id: str
    pledger_id: str
    month: str


class Bulletin(BaseModel):
    campaign_id: str
    period: str = Field(description="a month: the monthly dispatch (月调度); a quarter: the bulletin (季通报)")
    as_of: date
    units: list[UnitLine]
    overdue: list[Overdue]
    not_reported: list[NotReported]


def _row(model: type[BaseModel], row: asyncpg.Record) -> Any:
    return model(**{k: row[k] for k in model.model_fields})


def _state(row: asyncpg.Record, column: str) -> tuple[list[LedgerLine], dict[str, LineProgress]]:
    lines = [LedgerLine.model_validate(x) for x in json.loads(row[column] or "[]")]
    progress = {
        k: LineProgress(v.get("current_value"), bool(v.get("done"))) for k, v in json.loads(row["progress"]).items()
    }
    return lines, progress


def _months(period: str) -> list[str]:
    start, end = first_day(period), last_day(period)
    return [f"{start.year}-{m:02d}" for m in range(start.month, end.month + 1)]


def boards_router() -> APIRouter:
    router = APIRouter(tags=["boards"])

    @router.get("/pledges/{pledge_id}/progress", response_model=PledgeProgress)
    async def pledge_progress(pledge_id: str, db: Pool, as_of: date | None = None) -> PledgeProgress:
        """Percent complete per line in force (the working lines before publication) and overdue lines."""
        row = await db.fetchrow(ONE_PLEDGE, pledge_id)
        if row is None:
            raise Problem(404, "not_found", f"no pledge {pledge_id}")
        lines, progress = _state(row, "lines_in_force" if row["lines_in_force"] else "lines")
        day = as_of or date.today()
        late = {o.line_id for o in overdue_lines(pledge_id, lines, progress, day)}
        items = [
            LineStatus(line_id=x.line_id, description=x.description, deadline=x.deadline,
                       percent_complete=line_percent(x, progress.get(x.line_id)), overdue=x.line_id in late)
            for x in lines
        ]  # fmt: skip
        return PledgeProgress(
            pledge_id=pledge_id, percent_complete=pledge_percent(lines, progress), as_of=day, lines=items
        )

    @router.get("/campaigns/{campaign_id}/results", response_model=list[Result])
    async def results(campaign_id: str, db: Pool, round_id: str | None = None) -> list[Result]:
        """Evaluation results, only once published (a round's latest publication)."""
        return [_row(Result, r) for r in await db.fetch(RESULTS, campaign_id, round_id)]

    @router.get("/campaigns/{campaign_id}/awards", response_model=list[Award])
    async def awards(
        campaign_id: str, db: Pool, period: PeriodQuery | None = None, category_id: str | None = None,
        include_revoked: bool = False,
    ) -> list[Award]:  # fmt: skip
        """Award winners (先锋旗, 模范星, …), by period and category; revoked ones only on request."""
        rows = await db.fetch(AWARDS, campaign_id, period, category_id, include_revoked)
        return [_row(Award, r) for r in rows]

    @router.get("/campaigns/{campaign_id}/flags", response_model=list[Award])
    async def flags(campaign_id: str, db: Pool) -> list[Award]:
        """Who holds each rotating flag now: its latest period's unrevoked grant."""
        return [_row(Award, r) for r in await db.fetch(FLAGS, campaign_id)]

    @router.get("/campaigns/{campaign_id}/bulletin", response_model=Bulletin)
    async def bulletin(campaign_id: str, period: PeriodQuery, db: Pool) -> Bulletin:
        """The monthly dispatch or quarterly bulletin: progress per unit, overdue items, who has not reported."""
        end = last_day(period)
        rows = await db.fetch(PUBLISHED_PLEDGES, campaign_id, datetime.combine(end, datetime.max.time()))
        return _bulletin(campaign_id, period, end, rows)

    return router


def _bulletin(campaign_id: str, period: str, end: date, rows: list[asyncpg.Record]) -> Bulletin:
    per_unit: dict[str, list[float]] = {}
    overdue: list[Overdue] = []
    reporting: list[PledgeReporting] = []
    for row in rows:
        lines, progress = _state(row, "lines_in_force")
        unit = row["pledger_id"] if row["pledger_kind"] == "unit" else row["pledger_unit_id"] or "-"
        per_unit.setdefault(unit, []).append(pledge_percent(lines, progress))
        after = date.fromordinal(end.toordinal() + 1)
        overdue += [Overdue(**asdict(o)) for o in overdue_lines(row["pledge_id"], lines, progress, after)]
        due_from = row["published_at"].strftime("%Y-%m")
        reporting.append(PledgeReporting(row["pledge_id"], row["pledger_id"], due_from, frozenset(row["reported"])))
    missing = [
        NotReported(pledge_id=p.pledge_id, pledger_id=p.pledger_id, month=m)
        for m in _months(period)
        for p in missing_reports(reporting, m)
    ]
    units = [
        UnitLine(unit_id=u, pledges=len(v), percent_complete=round(sum(v) / len(v), 1))
        for u, v in sorted(per_unit.items())
    ]
    return Bulletin(
        campaign_id=campaign_id, period=period, as_of=end, units=units, overdue=overdue, not_reported=missing
    )
