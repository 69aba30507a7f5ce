"""Reads the whole log from a sequence in batches: raw pull requests, one batch prefetched, no gaps."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.records import RawEvent
from shared.subjects import EVENTS_ROOT

_V1_TOKENS = 9  # $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>


class LogGap(RuntimeError):
    """A sequence was skipped or the consumer vanished; restart from the checkpoint."""


class LogReader:
    """An ephemeral pull consumer over the whole stream (a narrower filter reads ~5x slower)."""

    def __init__(self, nc: NATS, stream: str, batch: int = 500, idle_wait_s: float = 0.5) -> None:
        self.nc, self.stream, self.batch, self.idle_wait_s = nc, stream, batch, idle_wait_s

    async def batches(self, after: int, until: int | None = None) -> AsyncGenerator[list[RawEvent], None]:
        """Batches of events with sequences after `after`, contiguous; empty batches when idle.

        Stops after `until` if given; otherwise follows the log forever. Raises LogGap.
        """
        js = self.nc.jetstream()
        info = await js._jsm.add_consumer(  # nats-py has no public raw-pull API; see limits/b7
            self.stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=after + 1,
                filter_subject=f"{EVENTS_ROOT}.>",
                inactive_threshold=30.0,
                mem_storage=True,
                num_replicas=1,
            ),
        )
        inbox = self.nc.new_inbox()
        queue: asyncio.Queue[Msg] = asyncio.Queue()
        sub = await self.nc.subscribe(inbox, cb=queue.put, pending_msgs_limit=-1, pending_bytes_limit=-1)
        next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.{info.name}"
        expires_ns = int(self.idle_wait_s * 1e9)
        request = json.dumps({"batch": self.batch, "expires": expires_ns}).encode()
        last = after
        try:
            await self.nc.publish(next_subject, request, reply=inbox)
            while until is None or last < until:
                # keep one request ahead so the server sends while the caller writes
                await self.nc.publish(next_subject, request, reply=inbox)
                chunk = await self._one_request(queue, until)
                for raw in chunk:
                    if raw.seq != last + 1:
                        raise LogGap(f"expected seq {last + 1}, got {raw.seq}")
                    last = raw.seq
                if until is not None:
                    chunk = [r for r in chunk if r.seq <= until]
                yield chunk
        finally:
            await sub.unsubscribe()
            # best effort: the consumer expires by itself after inactive_threshold anyway
            with contextlib.suppress(Exception):
                await js._jsm.delete_consumer(self.stream, info.name)

    async def _one_request(self, queue: asyncio.Queue[Msg], until: int | None) -> list[RawEvent]:
        out: list[RawEvent] = []
        while len(out) < self.batch and (until is None or not out or out[-1].seq < until):
            try:
                msg = queue.get_nowait()  # a batch arrives faster than it is read: wait only when it has not
            except asyncio.QueueEmpty:
                try:
                    msg = await asyncio.wait_for(queue.get(), self.idle_wait_s + 5.0)
                except TimeoutError:
                    raise LogGap("no reply to a pull request: the consumer is gone") from None
            status = msg.headers.get("Status") if msg.headers else None
            if status in ("404", "408"):  # no messages / request expired: this request is done
                return out
            if status:
                raise LogGap(f"pull failed: {status} {msg.headers.get('Description', '') if msg.headers else ''}")
            out.append(RawEvent(stream_seq(msg.reply), msg.subject, msg.data))
        return out


def stream_seq(reply: str) -> int:
    """The stream sequence in a JetStream delivery's reply subject (what `msg.metadata` parses, without the rest:
    building the metadata per message cost more than the rest of the read)."""
    tokens = Msg.Metadata._get_metadata_fields(reply)
    return int(tokens[5] if len(tokens) == _V1_TOKENS else tokens[Msg.Ack.StreamSeq])
