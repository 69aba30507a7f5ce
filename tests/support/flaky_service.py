"""A stand-in service for supervision tests: answers its first health request, then dies FLAKY_LIFETIME_S later.

Run as `python -m tests.support.flaky_service` with NATS_URL and FLAKY_NAME (its health subject's last token).
"""

from __future__ import annotations

import asyncio
import json
import os

import nats
from nats.aio.msg import Msg

from shared.subjects import health_subject


async def main() -> None:
    nc = await nats.connect(os.environ["NATS_URL"])
    answered = asyncio.Event()

    async def health(msg: Msg) -> None:
        await nc.publish(msg.reply, json.dumps({"ok": True, "pid": os.getpid()}).encode())
        answered.set()

    await nc.subscribe(health_subject(os.environ["FLAKY_NAME"]), cb=health)
    await answered.wait()
    await asyncio.sleep(float(os.environ.get("FLAKY_LIFETIME_S", "0.5")))
    await nc.close()
    raise SystemExit(3)


if __name__ == "__main__":
    asyncio.run(main())
