"""Read API: the audit trail (审计), filtered by actor, boundary, type, correlation and time; admin token required."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.projections.http import Limit, Offset, Pool

AUDIT = """
select seq, event_id, type, schema_version, subject, context, boundary_id, actor_id, actor_role, actor_unit_id,
       occurred_at, recorded_at, campaign_id, command_id, correlation_id, causation_id, data,
       encode(prev_hash, 'hex') as prev_hash, encode(hash, 'hex') as hash, count(*) over () as total
from audit_trail
where ($1::text is null or actor_id = $1) and ($2::text is null or boundary_id = $2)
  and ($3::text is null or context = $3) and ($4::text is null or type = $4)
  and ($5::text is null or correlation_id = $5) and ($6::text is null or causation_id = $6)
  and ($7::text is null or campaign_id = $7)
  and ($8::timestamptz is null or recorded_at >= $8) and ($9::timestamptz is null or recorded_at < $9)
order by seq
limit $10 offset $11
"""


class AuditEntry(BaseModel):
    seq: int = Field(description="stream sequence")
    event_id: str
    type: str
    schema_version: int
    subject: str
    context: str
    boundary_id: str
    actor_id: str = Field(description="who")
    actor_role: str
    actor_unit_id: str | None
    occurred_at: datetime
    recorded_at: datetime
    campaign_id: str | None
    command_id: str
    correlation_id: str
    causation_id: str | None = Field(description="the event that caused this one")
    data: dict[str, Any]
    prev_hash: str = Field(description="hex sha256 of the previous link")
    hash: str = Field(description="hex sha256(prev_hash || seq || subject || 0x00 || raw bytes)")


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


def _entry(row: asyncpg.Record) -> AuditEntry:
    fields = {k: row[k] for k in AuditEntry.model_fields}
    fields["data"] = json.loads(row["data"])
    return AuditEntry(**fields)


def audit_router(admin: Callable[..., Awaitable[None]]) -> APIRouter:
    router = APIRouter(tags=["audit"], dependencies=[Depends(admin)])

    @router.get("/audit", response_model=AuditPage)
    async def audit(
        db: Pool,
        actor_id: str | None = None,
        boundary_id: str | None = None,
        context: str | None = None,
        type: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        campaign_id: str | None = None,
        recorded_from: datetime | None = None,
        recorded_before: datetime | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        """Every event in log order with who, when, what, caused by what; admin token required."""
        args = (actor_id, boundary_id, context, type, correlation_id, causation_id, campaign_id)
        rows = await db.fetch(AUDIT, *args, recorded_from, recorded_before, limit, offset)
        total = rows[0]["total"] if rows else 0
        return AuditPage(items=[_entry(r) for r in rows], total=total, limit=limit, offset=offset)

    return router
