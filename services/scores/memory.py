"""The scoring policy's state in PostgreSQL, in the policy's schema: loaded per run, saved with the checkpoint."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.scores.state import CampaignScoring, Cause, PledgeOwner, ScoringState
from shared.events import Event
from shared.events.awards import AwardRevoked
from shared.events.campaigns import CampaignRulesAmended
from shared.events.pledges import FulfilmentAssessed

DDL = """
create table if not exists scoring_campaigns (campaign_id text primary key, state jsonb not null);
create table if not exists scoring_pledges (pledge_id text primary key, state jsonb not null);
create table if not exists scoring_causes (
  cause_id text primary key, campaign_id text not null, closed boolean not null, state jsonb not null
);
create index if not exists scoring_causes_open on scoring_causes (campaign_id) where not closed;
"""
CAMPAIGNS = "select state from scoring_campaigns where campaign_id = any($1::text[])"
PLEDGES = "select pledge_id, state from scoring_pledges where pledge_id = any($1::text[])"
CAUSES = """
select state from scoring_causes where cause_id = any($1::text[]) or (campaign_id = any($2::text[]) and not closed)
"""
SAVE_CAMPAIGNS = """
insert into scoring_campaigns (campaign_id, state) select * from unnest($1::text[], $2::jsonb[])
on conflict (campaign_id) do update set state = excluded.state
"""
SAVE_PLEDGES = """
insert into scoring_pledges (pledge_id, state) select * from unnest($1::text[], $2::jsonb[])
on conflict (pledge_id) do update set state = excluded.state
"""
SAVE_CAUSES = """
insert into scoring_causes (cause_id, campaign_id, closed, state)
select * from unnest($1::text[], $2::text[], $3::boolean[], $4::jsonb[])
on conflict (cause_id) do update set closed = excluded.closed, state = excluded.state
"""
_campaign = TypeAdapter(CampaignScoring)
_pledge = TypeAdapter(PledgeOwner)
_cause = TypeAdapter(Cause)


async def load(con: asyncpg.Connection, events: Sequence[Event]) -> ScoringState:
    """What the policy needs to react to `events`: their campaigns, pledges, revoked grants, open causes."""
    pledge_ids = [e.pledge_id for e in events if isinstance(e, FulfilmentAssessed)]
    pledges = {r["pledge_id"]: _pledge.validate_json(r["state"]) for r in await con.fetch(PLEDGES, pledge_ids)}
    campaign_ids = {c for e in events if (c := getattr(e, "campaign_id", None))} | {
        p.campaign_id for p in pledges.values()
    }
    campaigns = [_campaign.validate_json(r["state"]) for r in await con.fetch(CAMPAIGNS, sorted(campaign_ids))]
    award_ids = [e.award_id for e in events if isinstance(e, AwardRevoked)]
    amended = [e.campaign_id for e in events if isinstance(e, CampaignRulesAmended)]
    causes = [_cause.validate_json(r["state"]) for r in await con.fetch(CAUSES, award_ids, amended)]
    return ScoringState(
        campaigns={c.campaign_id: c for c in campaigns},
        pledges=pledges,
        causes={c.cause_id: c for c in causes},
    )


async def save(con: asyncpg.Connection, before: ScoringState, after: ScoringState) -> None:
    """Write what changed between `before` and `after`."""
    campaigns = _changed(before.campaigns, after.campaigns)
    if campaigns:
        await con.execute(SAVE_CAMPAIGNS, [k for k, _ in campaigns], [_json(_campaign, v) for _, v in campaigns])
    pledges = _changed(before.pledges, after.pledges)
    if pledges:
        await con.execute(SAVE_PLEDGES, [k for k, _ in pledges], [_json(_pledge, v) for _, v in pledges])
    causes = [c for _, c in _changed(before.causes, after.causes)]
    if causes:
        columns = ([c.cause_id for c in causes], [c.campaign_id for c in causes], [c.closed for c in causes])
        await con.execute(SAVE_CAUSES, *columns, [_json(_cause, c) for c in causes])


def _changed(before: Any, after: Any) -> list[tuple[str, Any]]:
    keys: Iterable[str] = after.keys()
    return [(k, after[k]) for k in sorted(keys) if before.get(k) != after[k]]


def _json(adapter: TypeAdapter[Any], value: Any) -> str:
    return adapter.dump_json(value).decode()
