"""Who reads, and what they may see: the public or the admin see every campaign, an organiser (by its token)
only its own organisation's. A campaign of another organisation answers exactly as an unknown one (404), so a
token tells nothing about other organisers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.projections.http import Pool, Problem
from shared.http_auth import is_token, unauthorised
from shared.organiser_tokens import digest

_bearer = HTTPBearer(auto_error=False, description="an organiser token or ADMIN_TOKEN (see docs/security.md)")
CAMPAIGN_ORGANISATION = "select organisation from campaigns where campaign_id = $1"
PLEDGE_ORGANISATION = """
select c.organisation from pledges p join campaigns c on c.campaign_id = p.campaign_id where p.pledge_id = $1
"""


@dataclass(frozen=True)
class Viewer:
    """`organisation` None: every organisation (public reads of a single-organiser deployment, or the admin)."""

    organisation: str | None = None


GetViewer = Callable[[HTTPAuthorizationCredentials | None], Awaitable[Viewer]]


def viewer_of(admin_token: str | None, organisers: Mapping[str, str], public: bool) -> GetViewer:
    """The FastAPI dependency naming the viewer of a request; 401 for an unknown token, or for none when the
    API is not public."""

    async def viewer(credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]) -> Viewer:
        if credentials is None:
            if public:
                return Viewer()
            raise unauthorised("a token is required: an organiser token or the admin token")
        given = credentials.credentials
        if admin_token and is_token(given, admin_token):
            return Viewer()
        organisation = organisers.get(digest(given))
        if organisation is None:
            raise unauthorised("unknown token")
        return Viewer(organisation)

    return viewer


def in_scope(get_viewer: GetViewer) -> Callable[..., Awaitable[Viewer]]:
    """A router dependency: the request's `campaign_id` or `pledge_id` (path or query) must be the viewer's
    organisation's; otherwise 404 as if it did not exist. Returns the viewer for routes that filter lists."""

    # a default, not Annotated[...]: string annotations cannot name this function's locals
    named = Depends(get_viewer)

    async def check(request: Request, db: Pool, viewer: Viewer = named) -> Viewer:
        if viewer.organisation is None:
            return viewer
        params = {**request.query_params, **request.path_params}
        campaign_id, pledge_id = params.get("campaign_id"), params.get("pledge_id")
        if campaign_id is not None and await _campaign_owner(request, db, campaign_id) != viewer.organisation:
            raise Problem(404, "not_found", f"no campaign {campaign_id}")
        if pledge_id is not None and await db.fetchval(PLEDGE_ORGANISATION, pledge_id) != viewer.organisation:
            raise Problem(404, "not_found", f"no pledge {pledge_id}")
        return viewer

    return check


async def _campaign_owner(request: Request, db: Pool, campaign_id: str) -> str | None:
    # a campaign's organisation never changes once launched, and campaigns are few: cached for the process's
    # life (pledges are many: each is one indexed lookup)
    cache: dict[str, str] = request.app.state.campaign_owners
    owner = cache.get(campaign_id)
    if owner is None:
        owner = await db.fetchval(CAMPAIGN_ORGANISATION, campaign_id)
        if owner is not None:
            cache[campaign_id] = owner
    return owner
