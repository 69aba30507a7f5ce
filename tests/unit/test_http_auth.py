"""Admin endpoints behind a bearer token: refused without it or with a wrong one, token never defaulted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from shared.http_auth import WeakAdminToken, admin_token, admin_token_file, require_admin
from shared.settings import Settings

TOKEN = "t" * 40


def client(token: str = TOKEN) -> TestClient:
    app = FastAPI()
    admin = APIRouter(prefix="/admin", dependencies=[Depends(require_admin(token))])

    @admin.get("/audit")
    async def audit() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/board")
    async def board() -> dict[str, bool]:
        return {"public": True}

    app.include_router(admin)
    return TestClient(app)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer"}],
    ids=["missing", "wrong", "not bearer", "empty"],
)
def test_admin_endpoint_refuses_without_the_token(headers: dict[str, str]) -> None:
    response = client().get("/admin/audit", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_admin_endpoint_answers_with_the_token_and_public_routes_need_none() -> None:
    c = client()
    assert c.get("/admin/audit", headers={"Authorization": f"Bearer {TOKEN}"}).json() == {"ok": True}
    assert c.get("/board").json() == {"public": True}


def test_token_from_settings_wins(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, admin_token=SecretStr(TOKEN))
    assert admin_token(settings) == TOKEN
    assert not admin_token_file(tmp_path).exists()


def test_unset_token_is_generated_once_into_the_data_folder_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, admin_token=None)
    first = admin_token(settings)
    assert admin_token(settings) == first and len(first) >= 40
    mode = stat.S_IMODE(admin_token_file(tmp_path).stat().st_mode)
    assert mode == 0o600
    assert admin_token(Settings(data_dir=tmp_path / "other", admin_token=None)) != first


def test_a_short_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WeakAdminToken):
        admin_token(Settings(data_dir=tmp_path, admin_token=SecretStr("secret")))
