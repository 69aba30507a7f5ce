"""Create the log's stream as the operator, before any service starts (services may not create streams).

Run once per deployment (Compose: the `nats-init` service; Kubernetes: the `pacesetter-provision` Job):
`python -m shared.runtime.provision` with NATS_URL, NATS_USER=operator, NATS_PASSWORD, STREAM_REPLICAS.
"""

from __future__ import annotations

import asyncio

import nats
import structlog
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import APIError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_delay, wait_exponential_jitter

from shared.eventstore import EventStore
from shared.logging import configure_logging
from shared.natsauth import client_options
from shared.settings import Settings

# JetStream answers these while a cluster is still forming: 10005 "no suitable peers for placement" until the
# meta leader has heard from enough peers, 10008 "JetStream system temporarily unavailable" during an election.
CLUSTER_FORMING = frozenset({10005, 10008})

log = structlog.get_logger("provision")


def cluster_forming(error: BaseException) -> bool:
    """Whether `error` is one a forming cluster gives, which goes away by itself."""
    if isinstance(error, APIError):
        return error.err_code in CLUSTER_FORMING
    return isinstance(error, NoRespondersError | NatsTimeout)


def _waiting(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("cluster forming, will retry", attempt=state.attempt_number, error=str(error))


async def provision(settings: Settings) -> None:
    """Create the stream with its locks if missing; raises StreamConfigDrift or ServerTooOld otherwise.

    A cluster whose nodes are up but whose peers are not all known yet refuses placement for a few seconds,
    so that is waited out for up to `provision_wait_s`; any other error is raised at once.
    """
    nc = await nats.connect(settings.nats_url or "nats://127.0.0.1:4222", **client_options(settings))
    store = EventStore(nc, settings.stream_name)
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(cluster_forming),
            stop=stop_after_delay(settings.provision_wait_s),
            wait=wait_exponential_jitter(multiplier=0.2, max=2.0),
            before_sleep=_waiting,
            reraise=True,
        ):
            with attempt:
                await store.ensure_stream(settings.stream_replicas, settings.duplicate_window_s)
    finally:
        await nc.close()
    log.info("stream ready", stream=settings.stream_name, replicas=settings.stream_replicas)


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(provision(settings))


if __name__ == "__main__":
    main()
