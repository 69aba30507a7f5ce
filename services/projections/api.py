"""The HTTP read API over the read schema (FastAPI, OpenAPI at /docs and /openapi.json)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.projections.api_audit import audit_router
from services.projections.api_boards import boards_router
from services.projections.api_scores import scores_router
from services.projections.board import board_router
from services.projections.http import ApiError, ErrorResponse, Pool, Problem
from services.projections.lag import ProjectionInfo, projection_infos
from services.projections.scope import Viewer, in_scope, viewer_of
from shared.errors import ErrorCode
from shared.events.pledges import LedgerLine, Pledger
from shared.http_auth import require_admin

PLEDGE_COLUMNS = (
    "pledge_id, campaign_id, pledger_kind, pledger_id, pledger_unit_id, year, title, status, lines, recorded_by,"
    " made_at, last_seq"
)
ONE_PLEDGE = f"select {PLEDGE_COLUMNS} from pledges where pledge_id = $1"
PLEDGE_PAGE = f"""
select {PLEDGE_COLUMNS} from pledges where ($1::text is null or campaign_id = $1)
order by made_at, pledge_id limit $2 offset $3
"""
PLEDGE_COUNT = "select count(*) from pledges where ($1::text is null or campaign_id = $1)"
# an organiser's lists: only the campaigns its organisation launched (boards' `campaigns` table)
ORGANISATION_PLEDGE_PAGE = f"""
select {PLEDGE_COLUMNS} from pledges where ($1::text is null or campaign_id = $1)
  and campaign_id in (select campaign_id from campaigns where organisation = $4)
order by made_at, pledge_id limit $2 offset $3
"""
ORGANISATION_PLEDGE_COUNT = """
select count(*) from pledges where ($1::text is null or campaign_id = $1)
  and campaign_id in (select campaign_id from campaigns where organisation = $2)
"""
CAMPAIGNS = """
select campaign_id, organisation, theme, organiser_unit_id, organiser_name, year, launched_at from campaigns
where ($1::text is null or organisation = $1) order by year desc, campaign_id
"""


class CampaignView(BaseModel):
    campaign_id: str
    organisation: str = Field(description="the organisation that launched it (the token of its subjects)")
    theme: str
    organiser_unit_id: str
    organiser_name: str
    year: int
    launched_at: datetime


class PledgeView(BaseModel):
    pledge_id: str
    campaign_id: str
    pledger: Pledger
    year: int
    title: str
    status: str = Field(description="draft until submitted for review")
    lines: list[LedgerLine] = Field(description="the ledger lines (台账)")
    recorded_by: str | None = Field(description="the officer who recorded an oral pledge")
    made_at: datetime
    last_seq: int = Field(description="stream sequence of the last event applied to this pledge")


class PledgePage(BaseModel):
    items: list[PledgeView]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    ok: bool
    database: str = Field(description="'ok' or why PostgreSQL did not answer")
    projections: dict[str, str] = Field(default_factory=dict, description="runner state per projection")
    lag: dict[str, int] = Field(default_factory=dict, description="events between the log's end and each checkpoint")


def _pledge(row: asyncpg.Record) -> PledgeView:
    return PledgeView(
        pledge_id=row["pledge_id"],
        campaign_id=row["campaign_id"],
        pledger=Pledger(kind=row["pledger_kind"], id=row["pledger_id"], unit_id=row["pledger_unit_id"]),
        year=row["year"],
        title=row["title"],
        status=row["status"],
        lines=json.loads(row["lines"]),
        recorded_by=row["recorded_by"],
        made_at=row["made_at"],
        last_seq=row["last_seq"],
    )


def _error(status: int, code: ErrorCode, message: str, details: list[dict[str, Any]] | None = None) -> JSONResponse:
    body = ErrorResponse(error=ApiError(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=status)


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "no such pledge"}}


def create_api(
    database_url: str,
    schema: str,
    runner_states: Callable[[], Mapping[str, str]] | None = None,
    *,
    admin_token: str | None = None,
    log_end: Callable[[], Awaitable[int]] | None = None,
    organisers: Mapping[str, str] | None = None,
    public: bool = True,
    read_cache_ttl_s: float = 0.0,
) -> FastAPI:
    """The read API over `schema`; its lifespan opens and closes the connection pool.

    The audit trail and the full ledger need `Authorization: Bearer <admin_token>` (no token: always 401).
    `organisers` maps organiser token digests to organisations (`shared.organiser_tokens`): such a token sees
    only its organisation's campaigns. `public` False: every read needs an organiser or the admin token.
    `log_end` gives the stream's last sequence for the lag figures (None: lag is not reported).
    A leaderboard page may be up to `read_cache_ttl_s` staler than its projection's checkpoint (`read_cache`).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            database_url, min_size=1, max_size=5, server_settings={"search_path": schema}
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(title="Pacesetter read API", version="0.1.0", lifespan=lifespan)
    app.state.campaign_owners = {}
    scoped = Depends(in_scope(viewer_of(admin_token, organisers or {}, public)))
    # a public API without organiser tokens shows everyone everything: its hot routes skip the scope check, which
    # cost 0.1-0.15 ms of FastAPI dependency handling per read (the lists still name their viewer)
    checks = [scoped] if organisers or not public else []

    @app.exception_handler(Problem)
    async def problem(_: Request, exc: Problem) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": ".".join(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
        return _error(422, "validation_error", "invalid request", details)

    @app.exception_handler(HTTPException)
    async def refused(_: Request, exc: HTTPException) -> JSONResponse:
        code: ErrorCode = "forbidden" if exc.status_code in (401, 403) else "not_found"
        reply = _error(exc.status_code, code, str(exc.detail))
        reply.headers.update(exc.headers or {})
        return reply

    @app.exception_handler(asyncpg.UndefinedTableError)
    async def not_ready(_: Request, exc: asyncpg.UndefinedTableError) -> JSONResponse:
        return _error(503, "unavailable", "the read model is not built yet; retry shortly")

    # PostgreSQL text cannot hold NUL: such a parameter can match nothing, so it is the request that is wrong
    @app.exception_handler(asyncpg.CharacterNotInRepertoireError)
    async def unstorable(_: Request, exc: asyncpg.CharacterNotInRepertoireError) -> JSONResponse:
        return _error(422, "validation_error", "invalid request: a parameter holds a NUL character")

    @app.get("/health", response_model=Health, responses={503: {"model": Health}})
    async def health(db: Pool) -> JSONResponse:
        """PostgreSQL answers, and the state of each projection runner in this process."""
        states = dict(runner_states()) if runner_states else {}
        try:
            await db.fetchval("select 1")
            infos = await projection_infos(db, states, log_end)
        except Exception as exc:
            body = Health(ok=False, database=f"{type(exc).__name__}: {exc}", projections=states)
            return JSONResponse(body.model_dump(), status_code=503)
        lag = {i.name: i.lag for i in infos if i.lag is not None}
        return JSONResponse(Health(ok=True, database="ok", projections=states, lag=lag).model_dump())

    @app.get("/asyncapi.json", tags=["contract"])
    async def asyncapi() -> dict[str, Any]:
        """The AsyncAPI 3.0 document of every command and event (the integration contract)."""
        from services.asyncapi import document

        return document()

    @app.get("/projections", response_model=list[ProjectionInfo])
    async def projections(db: Pool) -> list[ProjectionInfo]:
        """Per projection: its runner's state, checkpoint, the log's last sequence, the lag and any error."""
        return await projection_infos(db, dict(runner_states()) if runner_states else {}, log_end)

    @app.get("/campaigns", response_model=list[CampaignView])
    async def list_campaigns(db: Pool, viewer: Viewer = scoped) -> list[CampaignView]:
        """The campaigns the viewer may see (an organiser token: its organisation's), newest year first."""
        return [CampaignView(**dict(r)) for r in await db.fetch(CAMPAIGNS, viewer.organisation)]

    @app.get("/pledges/{pledge_id}", response_model=PledgeView, responses=NOT_FOUND, dependencies=checks)
    async def get_pledge(pledge_id: str, db: Pool) -> PledgeView:
        """One pledge with its ledger lines."""
        row = await db.fetchrow(ONE_PLEDGE, pledge_id)
        if row is None:
            raise Problem(404, "not_found", f"no pledge {pledge_id}")
        return _pledge(row)

    @app.get("/pledges", response_model=PledgePage)
    async def list_pledges(
        db: Pool,
        viewer: Viewer = scoped,
        campaign_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    ) -> PledgePage:
        """Pledges in the order they were made, optionally of one campaign."""
        if viewer.organisation is None:
            rows = await db.fetch(PLEDGE_PAGE, campaign_id, limit, offset)
            total = await db.fetchval(PLEDGE_COUNT, campaign_id)
        else:
            rows = await db.fetch(ORGANISATION_PLEDGE_PAGE, campaign_id, limit, offset, viewer.organisation)
            total = await db.fetchval(ORGANISATION_PLEDGE_COUNT, campaign_id, viewer.organisation)
        return PledgePage(items=[_pledge(r) for r in rows], total=total, limit=limit, offset=offset)

    admin = require_admin(admin_token) if admin_token else _refuse_all
    app.include_router(scores_router(admin, read_cache_ttl_s), dependencies=checks)
    app.include_router(audit_router(admin))
    app.include_router(boards_router(), dependencies=checks)
    app.include_router(board_router(scoped), dependencies=checks)
    return app


async def _refuse_all() -> None:
    raise HTTPException(401, "admin endpoints are disabled: no admin token is configured")
