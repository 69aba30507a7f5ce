"""The web board (排行榜) for people: static HTML + plain JS over the read API, and the two lookups it needs.

GET /board serves the page; its script reads the public JSON routes (leaderboard, awards, flags, bulletin)
and two of its own: the campaigns with their unit and member names, and one unit's history (a public view
of the audit trail: what happened to the unit, when and by whom, with each event's chain hash; no ballots).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from services.projections.http import Limit, Pool
from services.projections.scope import Viewer

STATIC = Path(__file__).with_name("board_static")
CACHE = {"Cache-Control": "public, max-age=300"}
CAMPAIGNS = """
select campaign_id, jsonb_object_agg(kind || ':' || id, name) as names from score_names
group by campaign_id order by campaign_id desc
"""
ORGANISATION_CAMPAIGNS = """
select campaign_id, jsonb_object_agg(kind || ':' || id, name) as names from score_names
where campaign_id in (select campaign_id from campaigns where organisation = $1)
group by campaign_id order by campaign_id desc
"""
HISTORY = """
select seq, recorded_at, type, actor_id, actor_role, encode(hash, 'hex') as hash from audit_trail
where campaign_id = $1 and type not in ('BallotCast', 'BallotBoxCounted')
  and (boundary_id = $2 or actor_unit_id = $2 or data @> jsonb_build_object('unit_id', $2)
       or data @> jsonb_build_object('winner', jsonb_build_object('id', $2))
       or data @> jsonb_build_object('pledger', jsonb_build_object('id', $2))
       or data @> jsonb_build_object('party', jsonb_build_object('id', $2)))
order by seq desc limit $3
"""


class CampaignNames(BaseModel):
    campaign_id: str
    names: dict[str, str]


class HistoryEntry(BaseModel):
    seq: int
    recorded_at: str
    type: str
    actor_id: str
    actor_role: str
    hash: str


def board_router(scoped: Any) -> APIRouter:
    """The board's page and its two reads; `scoped` (a `Depends` of `scope.in_scope`) names the viewer."""
    router = APIRouter(tags=["board"])

    @router.get("/board", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=CACHE)

    @router.get("/board/{name}.{ext}", include_in_schema=False)
    async def asset(name: str, ext: str) -> Response:
        media = {"js": "text/javascript", "css": "text/css"}.get(ext)
        path = STATIC / f"{name}.{ext}"
        if media is None or not path.is_file() or path.parent != STATIC:
            return Response(status_code=404)
        return Response(path.read_bytes(), media_type=f"{media}; charset=utf-8", headers=CACHE)

    @router.get("/board/campaigns", response_model=list[CampaignNames])
    async def campaigns(db: Pool, viewer: Viewer = scoped) -> list[CampaignNames]:
        """Campaigns on the board the viewer may see, newest id first, with their units' and members' names."""
        org = viewer.organisation
        rows = await (db.fetch(CAMPAIGNS) if org is None else db.fetch(ORGANISATION_CAMPAIGNS, org))
        return [CampaignNames(campaign_id=r["campaign_id"], names=json.loads(r["names"])) for r in rows]

    @router.get("/board/campaigns/{campaign_id}/units/{unit_id}/history", response_model=list[HistoryEntry])
    async def history(campaign_id: str, unit_id: str, db: Pool, limit: Limit = 100) -> list[HistoryEntry]:
        """What happened to one unit (newest first): its pledges, reviews, results, awards; never a ballot."""
        rows = await db.fetch(HISTORY, campaign_id, unit_id, limit)
        return [HistoryEntry(**{**dict(r), "recorded_at": r["recorded_at"].isoformat()}) for r in rows]

    return router
