"""Lag per projection: its checkpoint against the log's last sequence, with its runner's state and last error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from pydantic import BaseModel, Field

STATUS = """
select c.projection, c.last_seq, s.state, s.error, s.seq, s.subject
from checkpoints c left join projection_status s using (projection)
order by c.projection
"""


class ProjectionInfo(BaseModel):
    name: str
    state: str = Field(description="this process's runner state, else the state recorded in the schema")
    checkpoint: int = Field(description="last stream sequence applied")
    log_end: int | None = Field(description="the stream's last sequence now")
    lag: int | None = Field(description="log_end - checkpoint")
    error: str | None = Field(description="why the projection stopped, if it did")
    stopped_at: int | None = Field(description="the sequence it stopped at")
    stopped_subject: str | None


async def projection_infos(
    db: asyncpg.Pool, states: Mapping[str, str], log_end: Callable[[], Awaitable[int]] | None
) -> list[ProjectionInfo]:
    """One entry per projection with a checkpoint in this schema (none before the first runner started)."""
    try:
        rows = await db.fetch(STATUS)
    except asyncpg.UndefinedTableError:
        rows = []
    end = await log_end() if log_end is not None else None
    return [
        ProjectionInfo(
            name=r["projection"],
            state=states.get(r["projection"]) or r["state"] or "unknown",
            checkpoint=r["last_seq"],
            log_end=end,
            lag=max(end - r["last_seq"], 0) if end is not None else None,
            error=r["error"],
            stopped_at=r["seq"] if r["state"] == "stopped" else None,
            stopped_subject=r["subject"] if r["state"] == "stopped" else None,
        )
        for r in rows
    ]
