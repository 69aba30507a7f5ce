"""Leaderboard and ledger queries: parameters only, competition ranking computed when read.

Ranking: standard competition ranking ("1224", SQL `rank()`): equal points share a rank and the next rank
skips. Rows of one rank are listed by subject id, so a page is the same every time. The roster of a board
is every unit (or member) registered in the campaign or scored in it; a subject without points in the
period has 0. Movement is the previous period's rank (same kind, ranked over the same roster) minus this
one: positive moved up. `gap_to_next` is the points needed to reach the nearest higher total;
`gap_to_benchmark` the benchmark unit's points minus the unit's own (positive: behind its pair).
"""

from __future__ import annotations

from datetime import date

import asyncpg

from services.scores.periods import first_day, kind_of, last_day, previous

BOARD = """
with roster as (
  select id as subject_id from score_names where campaign_id = $1 and kind = $2
  union
  select subject_id from score_totals where campaign_id = $1 and subject_kind = $2
),
scored as (
  select r.subject_id, coalesce(cur.points, 0) as points, coalesce(prev.points, 0) as previous_points
  from roster r
  left join score_totals cur on cur.campaign_id = $1 and cur.subject_kind = $2 and cur.period_kind = $3
    and cur.period = $4 and cur.subject_id = r.subject_id
  left join score_totals prev on prev.campaign_id = $1 and prev.subject_kind = $2 and prev.period_kind = $3
    and prev.period = $5 and prev.subject_id = r.subject_id
),
ranked as (
  select subject_id, points, rank() over (order by points desc) as rank,
         rank() over (order by previous_points desc) as previous_rank, previous_points
  from scored
),
had_previous as (
  select exists (select 1 from score_totals p where p.campaign_id = $1 and p.subject_kind = $2
                 and p.period_kind = $3 and p.period = $5) as yes
)
select r.subject_id, n.name, n.unit_id, r.points, r.rank,
       case when (select yes from had_previous) then r.previous_rank end as previous_rank,
       case when (select yes from had_previous) then r.previous_rank - r.rank end as movement,
       (select min(o.points) from ranked o where o.points > r.points) - r.points as gap_to_next,
       bp.internal_unit_id as benchmark_unit_id, bp.external_benchmark, b.points as benchmark_points,
       b.points - r.points as gap_to_benchmark,
       count(*) over () as total
from ranked r
left join score_names n on n.campaign_id = $1 and n.kind = $2 and n.id = r.subject_id
left join benchmark_pairs bp on $2 = 'unit' and bp.campaign_id = $1 and bp.unit_id = r.subject_id
left join ranked b on b.subject_id = bp.internal_unit_id
order by r.rank, r.subject_id
limit $6 offset $7
"""
LEDGER = """
select adjustment_id, seq, event_id, campaign_id, subject_kind, subject_id, subject_unit_id, points, kind, year,
       period, counts_on, rule_id, rule_trigger, rule_version, cause_event_id, cause_type, causation_id, reason,
       recorded_at,
       sum(points) over (partition by campaign_id, subject_kind, subject_id order by seq) as running_total,
       count(*) over () as total_rows, sum(points) over () as total_points
from score_ledger
where ($1::text is null or campaign_id = $1) and ($2::text is null or subject_kind = $2)
  and ($3::text is null or subject_id = $3) and ($4::text is null or kind = $4)
  and ($5::date is null or counts_on >= $5) and ($6::date is null or counts_on <= $6)
  and ($7::text is null or cause_event_id = $7)
order by seq
limit $8 offset $9
"""


async def board(
    db: asyncpg.Pool, campaign_id: str, kind: str, period: str, limit: int | None, offset: int
) -> list[asyncpg.Record]:
    """The ranked rows of one board page (limit None: all); each row carries `total`, the roster size."""
    before = previous(period)
    return list(await db.fetch(BOARD, campaign_id, kind, kind_of(period).value, period, before, limit, offset))


async def ledger(
    db: asyncpg.Pool,
    *,
    campaign_id: str | None,
    subject_kind: str | None,
    subject_id: str | None,
    kind: str | None,
    period: str | None,
    cause_event_id: str | None,
    limit: int | None,
    offset: int,
) -> list[asyncpg.Record]:
    start: date | None = first_day(period) if period else None
    end: date | None = last_day(period) if period else None
    args = (campaign_id, subject_kind, subject_id, kind, start, end, cause_event_id, limit, offset)
    return list(await db.fetch(LEDGER, *args))
