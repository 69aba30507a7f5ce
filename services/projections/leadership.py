"""One active runner per projection: a PostgreSQL session advisory lock held on a dedicated connection."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

TRY_LOCK = "select pg_try_advisory_lock(hashtextextended($1, 0))"


async def hold_lock(database_url: str, key: str, poll_s: float, on_standby: Callable[[], None]) -> asyncpg.Connection:
    """A connection holding the lock `key`; polls every `poll_s` (calling `on_standby`) while another holds it.

    The lock lives as long as the connection: close it, or lose it, and a standby takes over.
    """
    settings = {"application_name": f"projector lock {key}"}
    con = await asyncpg.connect(database_url, timeout=10, server_settings=settings)
    try:
        while not await con.fetchval(TRY_LOCK, key):
            on_standby()
            await asyncio.sleep(poll_s)
    except BaseException:
        await close_quietly(con)
        raise
    return con


async def close_quietly(con: asyncpg.Connection) -> None:
    """Close gracefully if it answers quickly, otherwise drop the socket (the server ends the session)."""
    if con.is_closed():
        return
    try:
        await asyncio.wait_for(con.close(), 2.0)
    except Exception:
        con.terminate()
