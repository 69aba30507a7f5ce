"""The pledge board's lifecycle handlers: revisions, review, publication, progress, fulfilment, withdrawal.

`status` is the latest step (draft, submitted, returned, approved, published, assessed, withdrawn);
`lines_in_force` the published lines progress is reported against; `progress` the latest reported
entry per line (a JSON object by line id); `reported` the months with a report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.projections.projection import Applied, On
from shared.events.pledges import (
    FulfilmentAssessed,
    LedgerLine,
    PledgeApproved,
    PledgePublished,
    PledgeReturned,
    PledgeRevised,
    PledgeSubmitted,
    PledgeWithdrawn,
    ProgressEntry,
    ProgressReported,
)

DDL = """
alter table pledges add column if not exists lines_in_force jsonb;
alter table pledges add column if not exists progress jsonb not null default '{}';
alter table pledges add column if not exists reported text[] not null default '{}';
alter table pledges add column if not exists published_at timestamptz;
alter table pledges add column if not exists outcome text;
alter table pledges add column if not exists percent_assessed double precision;
alter table pledges add column if not exists updated_at timestamptz;
"""
REVISED = """
update pledges set title = $2, lines = $3::jsonb, last_seq = $4, updated_at = $5,
  status = case when published_at is null then 'draft' else status end
where pledge_id = $1
"""
STEP = "update pledges set status = $2, last_seq = $3, updated_at = $4 where pledge_id = $1"
PUBLISHED = """
update pledges set status = 'published', title = $2, lines_in_force = $3::jsonb, last_seq = $4, updated_at = $5,
  published_at = coalesce(published_at, $5)
where pledge_id = $1
"""
# A pledge's reports in a run are folded into one update (`progress`), each an index probe: one statement joining
# the run's rows cost PostgreSQL half as much again (it hashes the whole table each time). `$5` holds the months
# the run reported, first report first; a month already on the board is not added twice.
PROGRESS = """
update pledges set progress = progress || $2::jsonb, last_seq = $3, updated_at = $4,
  reported = case when $5::text[] <@ reported then reported else reported || array(
    select m from unnest($5::text[]) with ordinality as t(m, i) where m <> all(reported) order by i) end
where pledge_id = $1
"""
ASSESSED = """
update pledges set status = 'assessed', outcome = $2, percent_assessed = $3, last_seq = $4, updated_at = $5
where pledge_id = $1
"""


# JSON in one pydantic-core pass: model_dump + json.dumps cost a progress report four times as much
_LINES = TypeAdapter(Sequence[LedgerLine])
_ENTRIES = TypeAdapter(dict[str, ProgressEntry])


def lines_json(lines: Sequence[LedgerLine]) -> str:
    """The ledger lines as the JSON the board stores."""
    return _LINES.dump_json(lines).decode()


async def revised(con: asyncpg.Connection, events: Applied[PledgeRevised]) -> None:
    rows = [(e.pledge_id, e.title, lines_json(e.lines), r.seq, r.envelope.occurred_at) for r, e in events]
    await con.executemany(REVISED, rows)


async def published(con: asyncpg.Connection, events: Applied[PledgePublished]) -> None:
    rows = [(e.pledge_id, e.title, lines_json(e.lines), r.seq, r.envelope.occurred_at) for r, e in events]
    await con.executemany(PUBLISHED, rows)


@dataclass(slots=True)
class _Reports:
    """A pledge's reports in one run, folded as the board applies them one by one: the latest entry per line,
    the months in the order first reported, the last report's sequence and time."""

    entries: dict[str, ProgressEntry]
    months: dict[str, None]
    seq: int
    at: datetime


async def progress(con: asyncpg.Connection, events: Applied[ProgressReported]) -> None:
    folded: dict[str, _Reports] = {}
    for r, e in events:
        f = folded.get(e.pledge_id)
        if f is None:
            f = folded[e.pledge_id] = _Reports({}, {}, r.seq, r.envelope.occurred_at)
        f.entries.update((x.line_id, x) for x in e.entries)
        f.months[e.period] = None
        f.seq, f.at = r.seq, r.envelope.occurred_at
    rows = [
        (pledge_id, _ENTRIES.dump_json(f.entries).decode(), f.seq, f.at, list(f.months))
        for pledge_id, f in folded.items()
    ]
    await con.executemany(PROGRESS, rows)


async def assessed(con: asyncpg.Connection, events: Applied[FulfilmentAssessed]) -> None:
    rows = [(e.pledge_id, e.outcome.value, e.percent_complete, r.seq, r.envelope.occurred_at) for r, e in events]
    await con.executemany(ASSESSED, rows)


def _step(status: str) -> Callable[[asyncpg.Connection, Applied[Any]], Awaitable[None]]:
    async def apply(con: asyncpg.Connection, events: Applied[Any]) -> None:
        await con.executemany(STEP, [(e.pledge_id, status, r.seq, r.envelope.occurred_at) for r, e in events])

    return apply


HANDLERS: list[On[Any]] = [
    On(PledgeRevised, revised),
    On(PledgeSubmitted, _step("submitted")),
    On(PledgeReturned, _step("returned")),
    On(PledgeApproved, _step("approved")),
    On(PledgeWithdrawn, _step("withdrawn")),
    On(PledgePublished, published),
    On(ProgressReported, progress),
    On(FulfilmentAssessed, assessed),
]
