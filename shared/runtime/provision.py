"""Create the log's stream as the operator, before any service starts (services may not create streams).

Run once per deployment (Compose: the `nats-init` service; Kubernetes: the `pacesetter-provision` Job):
`python -m shared.runtime.provision` with NATS_URL, NATS_USER=operator, NATS_PASSWORD, STREAM_REPLICAS.
"""

from __future__ import annotations

import asyncio

import nats

from shared.eventstore import EventStore
from shared.natsauth import client_options
from shared.settings import Settings


async def provision(settings: Settings) -> None:
    """Create the stream with its locks if missing; raises StreamConfigDrift or ServerTooOld otherwise."""
    nc = await nats.connect(settings.nats_url or "nats://127.0.0.1:4222", **client_options(settings))
    try:
        await EventStore(nc, settings.stream_name).ensure_stream(settings.stream_replicas, settings.duplicate_window_s)
    finally:
        await nc.close()


def main() -> None:
    asyncio.run(provision(Settings()))


if __name__ == "__main__":
    main()
