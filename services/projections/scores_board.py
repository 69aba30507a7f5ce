"""The score ledger and the leaderboard's totals (排行榜), from ScoreAdjusted; names and benchmark pairs beside.

`score_ledger` has one row per adjustment (the line-by-line explanation of a total); `score_totals` the sum
per (campaign, period kind, period, subject) for the month, quarter, half-year and year the adjustment
`counts_on`. Ranks are computed when read (`standings.py`), so they never go stale.
"""

from __future__ import annotations

from datetime import date

import asyncpg

from services.projections.projection import Applied, On, Projection
from services.scores.periods import labels
from shared.events.organisation import BenchmarkPairNamed, MemberEnrolled, MemberTransferred, UnitRegistered
from shared.events.scores import ScoreAdjusted

DDL = """
create table if not exists score_ledger (
  adjustment_id   text primary key,
  seq             bigint not null,
  event_id        text not null,
  campaign_id     text not null,
  subject_kind    text not null,
  subject_id      text not null,
  subject_unit_id text,
  points          numeric not null,
  kind            text not null,
  year            int not null,
  period          text not null,
  counts_on       date not null,
  rule_id         text,
  rule_trigger    text not null,
  rule_version    int not null,
  cause_event_id  text not null,
  cause_type      text not null,
  causation_id    text,
  reason          text not null,
  recorded_at     timestamptz not null
);
create table if not exists score_totals (
  campaign_id  text not null,
  period_kind  text not null,
  period       text not null,
  subject_kind text not null,
  subject_id   text not null,
  points       numeric not null,
  adjustments  int not null,
  primary key (campaign_id, period_kind, period, subject_kind, subject_id)
);
create table if not exists score_names (
  campaign_id text not null, kind text not null, id text not null, name text not null, unit_id text,
  primary key (campaign_id, kind, id)
);
create table if not exists benchmark_pairs (
  campaign_id text not null, unit_id text not null, internal_unit_id text not null, external_benchmark text not null,
  primary key (campaign_id, unit_id)
);
"""
INDEXES = """
create index if not exists score_ledger_by_subject on score_ledger (campaign_id, subject_kind, subject_id, seq);
create index if not exists score_ledger_by_cause on score_ledger (cause_event_id);
"""
# a plain insert: one adjustment per boundary, so a second row for one id means the log is wrong (stop loudly)
INSERT_LEDGER = """
insert into score_ledger (adjustment_id, seq, event_id, campaign_id, subject_kind, subject_id, subject_unit_id, points,
  kind, year, period, counts_on, rule_id, rule_trigger, rule_version, cause_event_id, cause_type, causation_id, reason,
  recorded_at)
select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
  $8::float8[]::numeric[], $9::text[], $10::int[], $11::text[], $12::date[], $13::text[], $14::text[], $15::int[],
  $16::text[], $17::text[], $18::text[], $19::text[], $20::timestamptz[])
"""
ADD_TOTALS = """
insert into score_totals as t (campaign_id, period_kind, period, subject_kind, subject_id, points, adjustments)
select campaign_id, period_kind, period, subject_kind, subject_id, sum(points), count(*)
from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[]::numeric[])
  as a(campaign_id, period_kind, period, subject_kind, subject_id, points)
group by campaign_id, period_kind, period, subject_kind, subject_id
on conflict (campaign_id, period_kind, period, subject_kind, subject_id)
do update set points = t.points + excluded.points, adjustments = t.adjustments + excluded.adjustments
"""
UPSERT_NAME = """
insert into score_names (campaign_id, kind, id, name, unit_id) values ($1, $2, $3, $4, $5)
on conflict (campaign_id, kind, id) do update set name = excluded.name, unit_id = excluded.unit_id
"""
MOVE_MEMBER = "update score_names set unit_id = $3 where campaign_id = $1 and kind = 'member' and id = $2"
UPSERT_PAIR = """
insert into benchmark_pairs (campaign_id, unit_id, internal_unit_id, external_benchmark) values ($1, $2, $3, $4)
on conflict (campaign_id, unit_id) do update
set internal_unit_id = excluded.internal_unit_id, external_benchmark = excluded.external_benchmark
"""


async def score_adjusted(con: asyncpg.Connection, events: Applied[ScoreAdjusted]) -> None:
    ledger: list[list[object]] = [[] for _ in range(20)]
    totals: list[list[object]] = [[] for _ in range(6)]
    for rec, e in events:
        env = rec.envelope
        row = (
            e.adjustment_id, rec.seq, env.event_id, e.campaign_id, e.subject.kind, e.subject.id, e.subject.unit_id,
            e.points, e.kind, e.year, e.period, e.counts_on, e.rule_id, e.rule_trigger, e.rule_version,
            e.cause_event_id, e.cause_type, env.causation_id, e.reason, env.recorded_at,
        )  # fmt: skip
        for column, value in zip(ledger, row, strict=True):
            column.append(value)
        for kind, label in _labels(e.counts_on):
            total: tuple[object, ...] = (e.campaign_id, kind, label, e.subject.kind, e.subject.id, e.points)
            for column, cell in zip(totals, total, strict=True):
                column.append(cell)
    await con.execute(INSERT_LEDGER, *ledger)
    await con.execute(ADD_TOTALS, *totals)


def _labels(day: date) -> list[tuple[str, str]]:
    return [(kind.value, label) for kind, label in labels(day).items()]


async def unit_registered(con: asyncpg.Connection, events: Applied[UnitRegistered]) -> None:
    await con.executemany(UPSERT_NAME, [(e.campaign_id, "unit", e.unit_id, e.name, None) for _, e in events])


async def member_enrolled(con: asyncpg.Connection, events: Applied[MemberEnrolled]) -> None:
    await con.executemany(UPSERT_NAME, [(e.campaign_id, "member", e.member_id, e.name, e.unit_id) for _, e in events])


async def member_transferred(con: asyncpg.Connection, events: Applied[MemberTransferred]) -> None:
    await con.executemany(MOVE_MEMBER, [(e.campaign_id, e.member_id, e.to_unit_id) for _, e in events])


async def pair_named(con: asyncpg.Connection, events: Applied[BenchmarkPairNamed]) -> None:
    rows = [(e.campaign_id, e.unit_id, e.internal_unit_id, e.external_benchmark) for _, e in events]
    await con.executemany(UPSERT_PAIR, rows)


projection = Projection(
    name="scores_board",
    ddl=DDL,
    indexes=INDEXES,
    handlers=[
        On(ScoreAdjusted, score_adjusted),
        On(UnitRegistered, unit_registered),
        On(MemberEnrolled, member_enrolled),
        On(MemberTransferred, member_transferred),
        On(BenchmarkPairNamed, pair_named),
    ],
)
