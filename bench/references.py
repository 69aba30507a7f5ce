"""The raw references, measured on the same servers in the same run.

- raw append: nats-py publish_async with 256 acks in flight, no service in between (limits/b2).
- raw loop: JetStream → PostgreSQL with raw pull requests, one batch prefetched, json.loads per event, a fold
  per boundary and one unnest upsert plus a checkpoint per transaction (limits/b7, raw-overlap).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence

import asyncpg
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

RAW_STREAM = "BENCHRAW"


async def raw_append(nc: NATS, payload: bytes, count: int, in_flight: int = 256) -> float:
    """Appends/s into a separate file-storage stream on the same server."""
    js = nc.jetstream(publish_async_max_pending=in_flight)
    await js.add_stream(StreamConfig(name=RAW_STREAM, subjects=["benchraw.>"], storage=StorageType.FILE))
    try:
        t0 = time.perf_counter()
        for k in range(count):
            await js.publish_async(f"benchraw.agg.{k % 10_000}.Evt", payload)
        await js.publish_async_completed()
        return count / (time.perf_counter() - t0)
    finally:
        await js.delete_stream(RAW_STREAM)


DDL = """
create schema if not exists bench_raw;
drop table if exists bench_raw.counts, bench_raw.checkpoint;
create table bench_raw.counts (boundary text primary key, events bigint not null, last_seq bigint not null);
create table bench_raw.checkpoint (name text primary key, last_seq bigint not null);
insert into bench_raw.checkpoint values ('raw', 0);
"""
UPSERT = """
insert into bench_raw.counts as c (boundary, events, last_seq)
select * from unnest($1::text[], $2::bigint[], $3::bigint[])
on conflict (boundary) do update set events = c.events + excluded.events, last_seq = excluded.last_seq
"""
CHECKPOINT = "update bench_raw.checkpoint set last_seq = $1 where name = 'raw'"


async def _apply(con: asyncpg.Connection, msgs: Sequence[Msg]) -> None:
    fold: dict[str, list[int]] = {}
    for m in msgs:
        env = json.loads(m.data)
        # the raw loop's "boundary": the subject's boundary token (ps.evt.<context>.<org>.<boundary>.<Type>)
        key = m.subject.split(".", 5)[4] if env["type"] else ""
        seq = m.metadata.sequence.stream
        a = fold.get(key)
        if a is None:
            fold[key] = [1, seq]
        else:
            a[0] += 1
            a[1] = seq
    keys = list(fold)
    async with con.transaction():
        await con.execute(UPSERT, keys, [fold[k][0] for k in keys], [fold[k][1] for k in keys])
        await con.execute(CHECKPOINT, msgs[-1].metadata.sequence.stream)


async def raw_loop(nc: NATS, dsn: str, stream: str, count: int, batch: int = 1000) -> float:
    """Events/s of the bare loop over the first `count` events of `stream`."""
    con = await asyncpg.connect(dsn)
    await con.execute(DDL)
    js = nc.jetstream()
    cfg = ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=1,
        max_ack_pending=-1,
        inactive_threshold=30.0,
        mem_storage=True,
    )
    queue: asyncio.Queue[list[Msg]] = asyncio.Queue()
    cur: list[Msg] = []
    received = 0

    async def collect(m: Msg) -> None:
        nonlocal cur, received
        if m.headers and m.headers.get("Status"):
            return
        cur.append(m)
        received += 1
        if len(cur) == batch or received >= count:
            queue.put_nowait(cur)
            cur = []

    t0 = time.perf_counter()
    info = await js._jsm.add_consumer(stream, config=cfg)
    nxt = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{info.name}"
    req = json.dumps({"batch": batch, "expires": 5_000_000_000}).encode()
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, cb=collect, pending_msgs_limit=-1, pending_bytes_limit=-1)
    try:
        for _ in range(2):
            await nc.publish(nxt, req, reply=inbox)
        requested, applied = 2 * batch, 0
        while applied < count:
            msgs = await asyncio.wait_for(queue.get(), 30)
            if requested < count:
                await nc.publish(nxt, req, reply=inbox)
                requested += batch
            await _apply(con, msgs)
            applied += len(msgs)
        rate = count / (time.perf_counter() - t0)
        total = await con.fetchval("select sum(events) from bench_raw.counts")
        assert total == count, (total, count)
        return rate
    finally:
        await sub.unsubscribe()
        await js._jsm.delete_consumer(stream, info.name)
        await con.execute("drop schema bench_raw cascade")
        await con.close()
