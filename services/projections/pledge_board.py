"""The pledge board (公开承诺): one row per pledge with its ledger lines. Add a handler per new pledge event."""

from __future__ import annotations

import asyncpg

from services.projections import pledge_lifecycle
from services.projections.projection import Applied, On, Projection
from shared.events.pledges import PledgeMade

DDL = """
create table if not exists pledges (
  pledge_id    text primary key,
  campaign_id  text not null,
  pledger_kind text not null,
  pledger_id   text not null,
  pledger_unit_id text,
  year         int not null,
  title        text not null,
  status       text not null,
  lines        jsonb not null,
  recorded_by  text,
  made_at      timestamptz not null,
  last_seq     bigint not null
) with (fillfactor = 50);
"""
INDEXES = """
create index if not exists pledges_by_campaign on pledges (campaign_id, made_at, pledge_id);
"""

# A plain insert: the decider makes a pledge once, so a second insert means the log or the runner is
# wrong, and the projection stops loudly instead of quietly diverging from a rebuild.
INSERT_MADE = """
insert into pledges (pledge_id, campaign_id, pledger_kind, pledger_id, pledger_unit_id, year, title, status, lines,
                     recorded_by, made_at, last_seq)
select pledge_id, campaign_id, pledger_kind, pledger_id, pledger_unit_id, year, title, 'draft', lines::jsonb,
       recorded_by, made_at, seq
from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
            $9::text[], $10::timestamptz[], $11::bigint[])
  as made(pledge_id, campaign_id, pledger_kind, pledger_id, pledger_unit_id, year, title, lines, recorded_by,
          made_at, seq)
"""


async def pledge_made(con: asyncpg.Connection, events: Applied[PledgeMade]) -> None:
    columns: list[list[object]] = [[] for _ in range(11)]
    for rec, e in events:
        lines = pledge_lifecycle.lines_json(e.lines)
        who = (e.pledger.kind, e.pledger.id, e.pledger.unit_id)
        row = (e.pledge_id, e.campaign_id, *who, e.year, e.title, lines, e.recorded_by, rec.envelope.occurred_at)
        for column, value in zip(columns, (*row, rec.seq), strict=True):
            column.append(value)
    await con.execute(INSERT_MADE, *columns)


projection = Projection(
    name="pledge_board",
    ddl=DDL + pledge_lifecycle.DDL,
    handlers=[On(PledgeMade, pledge_made), *pledge_lifecycle.HANDLERS],
    indexes=INDEXES,
)
