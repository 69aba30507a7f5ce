"""Read API: the leaderboard (排行榜) and the score ledger, as JSON pages and CSV exports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from services.projections import scores_board, standings
from services.projections.http import Limit, Offset, PeriodQuery, Pool, csv_response
from services.projections.read_cache import CheckpointCache

Kind = Literal["unit", "member"]
AdjustmentKind = Literal["award", "revocation", "grade", "fulfilment", "correction"]


class Standing(BaseModel):
    subject_id: str
    name: str | None
    unit_id: str | None = Field(description="a member's unit")
    points: float
    rank: int = Field(description="competition ranking (1224): equal points share a rank")
    previous_rank: int | None = Field(description="rank in the previous period of the same kind")
    movement: int | None = Field(description="previous_rank - rank: positive moved up; null without a previous board")
    gap_to_next: float | None = Field(description="points to reach the nearest higher total; null at the top")
    benchmark_unit_id: str | None = Field(description="the unit's internal benchmark pair (对标)")
    external_benchmark: str | None
    benchmark_points: float | None
    gap_to_benchmark: float | None = Field(description="benchmark's points minus the unit's: positive is behind")


class Board(BaseModel):
    campaign_id: str
    kind: Kind
    period: str
    items: list[Standing]
    total: int
    limit: int
    offset: int


class LedgerEntry(BaseModel):
    adjustment_id: str
    seq: int
    event_id: str
    campaign_id: str
    subject_kind: Kind
    subject_id: str
    subject_unit_id: str | None
    points: float
    kind: AdjustmentKind
    year: int
    period: str
    counts_on: date
    rule_id: str | None
    rule_trigger: str
    rule_version: int
    cause_event_id: str = Field(description="the award, grade, fulfilment or revocation event it comes from")
    cause_type: str
    causation_id: str | None = Field(description="the event the policy reacted to (an amendment, for a correction)")
    reason: str
    recorded_at: datetime
    running_total: float = Field(description="the subject's total up to and including this line (within the filter)")


class Ledger(BaseModel):
    items: list[LedgerEntry]
    total: int
    total_points: float = Field(description="sum of every line matching the filter")
    limit: int
    offset: int


BOARD_CSV = ("rank", "subject_id", "name", "points", "previous_rank", "movement", "gap_to_next", "gap_to_benchmark")
LEDGER_CSV = tuple(LedgerEntry.model_fields)


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _standing(row: asyncpg.Record) -> Standing:
    fields: dict[str, Any] = {k: row[k] for k in Standing.model_fields}
    for k in ("points", "gap_to_next", "benchmark_points", "gap_to_benchmark"):
        fields[k] = _num(row[k])
    return Standing(**fields)


def _entry(row: asyncpg.Record) -> LedgerEntry:
    return LedgerEntry(**{k: row[k] for k in LedgerEntry.model_fields})


def scores_router(admin: Callable[..., Awaitable[None]], cache_ttl_s: float = 0.0) -> APIRouter:
    """The scores routes; a leaderboard page may be up to `cache_ttl_s` staler than its projection's checkpoint
    (see `read_cache`)."""
    router = APIRouter(tags=["scores"])
    boards = CheckpointCache(scores_board.projection.name, cache_ttl_s)

    # `response_model` documents the reply; the handler returns the cached bytes, so nothing revalidates them
    @router.get("/campaigns/{campaign_id}/leaderboard", response_model=Board)
    async def leaderboard(
        campaign_id: str, period: PeriodQuery, db: Pool, kind: Kind = "unit", limit: Limit = 50, offset: Offset = 0
    ) -> Response:
        """Units or members ranked by points in a month, quarter, half-year or year."""

        async def render() -> bytes:
            rows = await standings.board(db, campaign_id, kind, period, limit, offset)
            total = rows[0]["total"] if rows else 0
            items = [_standing(r) for r in rows]
            page = Board(
                campaign_id=campaign_id, kind=kind, period=period, items=items, total=total, limit=limit, offset=offset
            )
            return page.model_dump_json().encode()

        body = await boards.body(db, (campaign_id, kind, period, limit, offset), render)
        return Response(body, media_type="application/json")

    @router.get("/campaigns/{campaign_id}/leaderboard.csv", response_class=StreamingResponse)
    async def leaderboard_csv(
        campaign_id: str, period: PeriodQuery, db: Pool, kind: Kind = "unit"
    ) -> StreamingResponse:
        """The whole board as CSV."""
        rows = [_standing(r) for r in await standings.board(db, campaign_id, kind, period, None, 0)]
        body = ([getattr(s, c) for c in BOARD_CSV] for s in rows)
        return csv_response(f"leaderboard-{campaign_id}-{kind}-{period}.csv", BOARD_CSV, body)

    @router.get("/campaigns/{campaign_id}/units/{unit_id}/ledger", response_model=Ledger)
    async def unit_ledger(
        campaign_id: str,
        unit_id: str,
        db: Pool,
        period: PeriodQuery | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Ledger:
        """A unit's adjustments line by line (public, like the board)."""
        filters = {"campaign_id": campaign_id, "subject_kind": "unit", "subject_id": unit_id, "period": period}
        return await _ledger(db, filters, limit, offset)

    @router.get("/ledger", response_model=Ledger, dependencies=[Depends(admin)])
    async def ledger(
        db: Pool,
        campaign_id: str | None = None,
        subject_kind: Kind | None = None,
        subject_id: str | None = None,
        kind: AdjustmentKind | None = None,
        period: PeriodQuery | None = None,
        cause_event_id: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Ledger:
        """Every adjustment (a member's too) with its cause; admin token required."""
        filters = {
            "campaign_id": campaign_id, "subject_kind": subject_kind, "subject_id": subject_id, "kind": kind,
            "period": period, "cause_event_id": cause_event_id,
        }  # fmt: skip
        return await _ledger(db, filters, limit, offset)

    @router.get("/ledger.csv", response_class=StreamingResponse, dependencies=[Depends(admin)])
    async def ledger_csv(
        db: Pool,
        campaign_id: str | None = None,
        subject_kind: Kind | None = None,
        subject_id: str | None = None,
        period: PeriodQuery | None = None,
    ) -> StreamingResponse:
        """The ledger as CSV; admin token required."""
        filters = {"campaign_id": campaign_id, "subject_kind": subject_kind, "subject_id": subject_id, "period": period}
        rows = await standings.ledger(db, **_filters(filters), limit=None, offset=0)
        body = ([getattr(e, c) for c in LEDGER_CSV] for e in map(_entry, rows))
        return csv_response("score-ledger.csv", LEDGER_CSV, body)

    return router


Filters = Annotated[dict[str, Any], "ledger filters"]


def _filters(given: Filters) -> dict[str, Any]:
    keys = ("campaign_id", "subject_kind", "subject_id", "kind", "period", "cause_event_id")
    return {k: given.get(k) for k in keys}


async def _ledger(db: asyncpg.Pool, given: Filters, limit: int, offset: int) -> Ledger:
    rows = await standings.ledger(db, **_filters(given), limit=limit, offset=offset)
    total = rows[0]["total_rows"] if rows else 0
    points = _num(rows[0]["total_points"]) if rows else 0.0
    items = [_entry(r) for r in rows]
    return Ledger(items=items, total=total, total_points=points or 0.0, limit=limit, offset=offset)
