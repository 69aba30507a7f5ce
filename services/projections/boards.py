"""Boards: the campaigns with their organisation, evaluation results (only once published) and award winners,
revocations and flag holders."""

from __future__ import annotations

import asyncpg

from services.projections.projection import Applied, On, Projection
from shared.events.awards import AwardGranted, AwardRevoked
from shared.events.campaigns import CampaignLaunched
from shared.events.evaluation import ResultsPublished

DDL = """
create table if not exists campaigns (
  campaign_id       text primary key,
  organisation      text not null,
  theme             text not null,
  organiser_unit_id text not null,
  organiser_name    text not null,
  year              int not null,
  launched_at       timestamptz not null,
  seq               bigint not null
);
create index if not exists campaigns_by_organisation on campaigns (organisation, year);
create table if not exists evaluation_results (
  round_id     text not null,
  campaign_id  text not null,
  subject_kind text not null,
  subject_id   text not null,
  overall      double precision,
  grade        text,
  warning_talk_required boolean not null,
  published_at timestamptz not null,
  seq          bigint not null,
  primary key (round_id, subject_kind, subject_id)
);
create table if not exists awards (
  award_id      text primary key,
  round_id      text not null,
  campaign_id   text not null,
  category_id   text not null,
  category_name text not null,
  period        text not null,
  winner_kind   text not null,
  winner_id     text not null,
  winner_unit_id text,
  points        double precision not null,
  flag_no       int,
  granted_at    timestamptz not null,
  revoked_at    timestamptz,
  revoked_reason text,
  seq           bigint not null
);
"""
INDEXES = """
create index if not exists evaluation_results_by_campaign on evaluation_results (campaign_id, round_id);
create index if not exists awards_by_campaign on awards (campaign_id, period, category_id, seq);
"""
# the organisation is the token of the launch's subject: the read API scopes an organiser's token by it
LAUNCHED = """
insert into campaigns (campaign_id, organisation, theme, organiser_unit_id, organiser_name, year, launched_at, seq)
values ($1, $2, $3, $4, $5, $6, $7, $8)
"""
# a newer publication of the same round replaces its results
RESULTS = """
insert into evaluation_results (round_id, campaign_id, subject_kind, subject_id, overall, grade,
  warning_talk_required, published_at, seq)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
on conflict (round_id, subject_kind, subject_id) do update set overall = excluded.overall, grade = excluded.grade,
  warning_talk_required = excluded.warning_talk_required, published_at = excluded.published_at, seq = excluded.seq
"""
GRANTED = """
insert into awards (award_id, round_id, campaign_id, category_id, category_name, period, winner_kind, winner_id,
  winner_unit_id, points, flag_no, granted_at, seq)
select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::float8[], $11::int[], $12::timestamptz[], $13::bigint[])
"""
REVOKED = "update awards set revoked_at = $2, revoked_reason = $3 where award_id = $1"


async def campaign_launched(con: asyncpg.Connection, events: Applied[CampaignLaunched]) -> None:
    rows = [
        (e.campaign_id, r.organisation, e.theme, e.organiser_unit_id, e.organiser_name, e.year,
         r.envelope.occurred_at, r.seq)
        for r, e in events
    ]  # fmt: skip
    await con.executemany(LAUNCHED, rows)


async def results_published(con: asyncpg.Connection, events: Applied[ResultsPublished]) -> None:
    rows = [
        (e.round_id, e.campaign_id, s.subject.kind, s.subject.id, s.overall, s.grade, s.warning_talk_required,
         r.envelope.occurred_at, r.seq)
        for r, e in events
        for s in e.tally.subjects
    ]  # fmt: skip
    await con.executemany(RESULTS, rows)


async def award_granted(con: asyncpg.Connection, events: Applied[AwardGranted]) -> None:
    columns: list[list[object]] = [[] for _ in range(13)]
    for r, e in events:
        w = e.winner
        row = (
            e.award_id, e.round_id, e.campaign_id, e.category_id, e.category_name, e.period, w.kind, w.id, w.unit_id,
            e.points, e.flag_no, r.envelope.occurred_at, r.seq,
        )  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    await con.execute(GRANTED, *columns)


async def award_revoked(con: asyncpg.Connection, events: Applied[AwardRevoked]) -> None:
    await con.executemany(REVOKED, [(e.award_id, r.envelope.occurred_at, e.reason) for r, e in events])


projection = Projection(
    name="boards",
    ddl=DDL,
    indexes=INDEXES,
    handlers=[
        On(CampaignLaunched, campaign_launched),
        On(ResultsPublished, results_published),
        On(AwardGranted, award_granted),
        On(AwardRevoked, award_revoked),
    ],
)
