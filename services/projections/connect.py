"""Where the projections find NATS and PostgreSQL (from the settings)."""

from __future__ import annotations

import nats
from nats.aio.client import Client as NATS

from shared.natsauth import client_options
from shared.settings import Settings


def database_url(settings: Settings) -> str:
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set: `pacesetter up` passes the embedded server's URL")
    return settings.database_url


async def connect_nats(settings: Settings) -> NATS:
    return await nats.connect(
        settings.nats_url or "nats://127.0.0.1:4222", max_reconnect_attempts=-1, **client_options(settings)
    )
