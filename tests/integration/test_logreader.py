"""Reading the whole log in batches: contiguous, bounded by `until`, following new events."""

from __future__ import annotations

import asyncio

from nats.aio.client import Client as NATS

from shared.eventstore import EventStore
from shared.logreader import LogReader
from shared.subjects import Boundary
from tests.support.builders import pending, pledge_made


async def append_some(store: EventStore, n: int) -> list[int]:
    seqs = []
    for _ in range(n):
        made = pledge_made()
        seqs.append((await store.append(Boundary("pledges", made.pledge_id), [pending(made)], expected=0))[0].seq)
    return seqs


async def test_batches_cover_a_range_contiguously_and_stop_at_until(store: EventStore, nc: NATS) -> None:
    seqs = await append_some(store, 25)
    start, end = seqs[0] - 1, seqs[-1]

    got: list[int] = []
    async for batch in LogReader(nc, store.stream, batch=7).batches(after=start, until=end):
        assert len(batch) <= 7
        got.extend(r.seq for r in batch)

    assert got == list(range(start + 1, end + 1))


async def test_following_the_log_yields_events_appended_later(store: EventStore, nc: NATS) -> None:
    last = (await nc.jetstream().stream_info(store.stream)).state.last_seq
    reader = LogReader(nc, store.stream, batch=50, idle_wait_s=0.2)
    seen: list[int] = []

    async def follow() -> None:
        async for batch in reader.batches(after=last):
            seen.extend(r.seq for r in batch)
            if len(seen) >= 3:
                return

    task = asyncio.create_task(follow())
    appended = await append_some(store, 3)
    await asyncio.wait_for(task, 20)

    assert seen[:3] == appended == list(range(last + 1, last + 4))
