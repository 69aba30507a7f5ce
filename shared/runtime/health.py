"""Health over NATS: a request on ps.sys.health.<service>, answered by every running instance."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from shared.natsauth import client_options
from shared.settings import Settings
from shared.subjects import health_subject

HealthReply = dict[str, Any]


async def _quiet(*_: object) -> None:
    """Connection errors surface as exceptions at the call site, not as nats-py's printed tracebacks."""


async def connect(url: str, settings: Settings, *, keep_trying: bool = False) -> NATS:
    """A NATS connection with the settings' credentials; fails within about a second if nobody listens, unless
    `keep_trying` (then it reconnects forever)."""
    attempts = -1 if keep_trying else 1
    if keep_trying:
        await (await connect(url, settings)).close()  # fail fast if the URL is wrong, then connect for the long run
    return await nats.connect(
        url,
        connect_timeout=2,
        max_reconnect_attempts=attempts,
        reconnect_time_wait=0.5,
        error_cb=_quiet,
        disconnected_cb=_quiet,
        reconnected_cb=_quiet,
        closed_cb=_quiet,
        **client_options(settings),
    )


def _decode(data: bytes) -> HealthReply:
    try:
        body = json.loads(data)
    except ValueError:
        return {"ok": False, "error": f"undecodable health reply: {data[:100]!r}"}
    return body if isinstance(body, dict) else {"ok": False, "error": f"health reply is not an object: {body!r}"}


async def ask_health(
    nc: NATS, service: str, wait: float = 0.5, done: Callable[[HealthReply], bool] | None = None
) -> list[HealthReply]:
    """Every reply to one health request within `wait` seconds; returns early when `done(reply)` holds or when
    the server says nobody subscribes."""
    replies: list[HealthReply] = []
    finished = asyncio.Event()

    async def collect(msg: Msg) -> None:
        if not msg.data:  # the server's "no responders" status: nobody will answer
            finished.set()
            return
        reply = _decode(msg.data)
        replies.append(reply)
        if done is not None and done(reply):
            finished.set()

    sub = await nc.subscribe(nc.new_inbox(), cb=collect)
    try:
        await nc.publish(health_subject(service), b"", reply=sub.subject)
        await nc.flush()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), wait)
    finally:
        await sub.unsubscribe()
    return replies


def healthy(pid: int | None) -> Callable[[HealthReply], bool]:
    """A reply that says ok, from process `pid` when the reply names its pid (and `pid` is given)."""

    def check(reply: HealthReply) -> bool:
        return reply.get("ok") is True and (pid is None or reply.get("pid", pid) == pid)

    return check
