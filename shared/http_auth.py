"""Bearer-token protection for the read API's admin endpoints (audit trail, exports, a person's ledger).

The token comes from ADMIN_TOKEN or, when unset, from `<DATA_DIR>/secrets/admin_token`, generated there
(mode 0600) on first use. There is no default token in code.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

from fastapi import HTTPException, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.secretfile import read_or_create
from shared.settings import Settings

MIN_TOKEN_LENGTH = 24
_bearer = HTTPBearer(auto_error=False, description="ADMIN_TOKEN (see docs/security.md)")


class WeakAdminToken(ValueError):
    """ADMIN_TOKEN is too short to resist guessing."""


def admin_token_file(data_dir: Path) -> Path:
    return data_dir / "secrets" / "admin_token"


def admin_token(settings: Settings) -> str:
    """The admin token: ADMIN_TOKEN, else the generated one in the data folder; raises WeakAdminToken."""
    if settings.admin_token is not None:
        token = settings.admin_token.get_secret_value()
    else:
        token = read_or_create(admin_token_file(settings.data_dir))
    if len(token) < MIN_TOKEN_LENGTH:
        raise WeakAdminToken(f"ADMIN_TOKEN must be at least {MIN_TOKEN_LENGTH} characters")
    return token


def is_token(given: str, token: str) -> bool:
    """Whether `given` is `token`, compared in constant time."""
    return hmac.compare_digest(given.encode(), token.encode())


def unauthorised(message: str) -> HTTPException:
    """The 401 a request without an acceptable bearer token gets."""
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def require_admin(token: str) -> Callable[[HTTPAuthorizationCredentials | None], Awaitable[None]]:
    """A FastAPI dependency refusing (401) any request without `Authorization: Bearer <token>`."""

    async def check(credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]) -> None:
        if not is_token(credentials.credentials if credentials is not None else "", token):
            raise unauthorised("admin token required")

    return check
