"""Reads the whole log from a sequence in batches: raw pull requests, one batch prefetched, no gaps."""

from __future__ import annotations

import asyncio
import collections
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


class _Pulls:
    """The pull requests the server still serves, oldest first, with how many messages each has delivered.

    The server serves a consumer's waiting requests in order: each takes messages until its batch is full or
    it expires (a 408 status; 404 when nothing could be sent), then the next one does.
    """

    def __init__(self, nc: NATS, subject: str, request: bytes, inbox: str, batch: int) -> None:
        self.nc, self.subject, self.request, self.inbox, self.batch = nc, subject, request, inbox, batch
        self.open: collections.deque[int] = collections.deque()

    async def keep(self, n: int) -> None:
        """Ask for more until `n` requests are open, so the server sends while the caller writes."""
        while len(self.open) < n:
            await self.nc.publish(self.subject, self.request, reply=self.inbox)
            self.open.append(0)

    def delivered(self) -> None:
        if self.open:
            self.open[0] += 1
            if self.open[0] >= self.batch:
                self.open.popleft()

    def ended(self) -> None:
        if self.open:
            self.open.popleft()


class LogReader:
    """An ephemeral pull consumer over the whole stream (a narrower filter reads ~5x slower).

    A batch is handed over when it is full, when its request expires, or `max_delay_s` after its first event
    if no more are waiting: a catch-up gets full batches, a live follower sees an event within milliseconds
    rather than when a long-poll request expires.
    """

    def __init__(
        self, nc: NATS, stream: str, batch: int = 500, idle_wait_s: float = 0.5, max_delay_s: float = 0.02
    ) -> None:
        self.nc, self.stream, self.batch, self.idle_wait_s = nc, stream, batch, idle_wait_s
        self.max_delay_s = max_delay_s

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
        pulls = _Pulls(self.nc, next_subject, request, inbox, self.batch)
        last = after
        try:
            while until is None or last < until:
                await pulls.keep(2)  # one request ahead of the one being read
                chunk = await self._collect(queue, until, pulls)
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

    async def _collect(self, queue: asyncio.Queue[Msg], until: int | None, pulls: _Pulls) -> list[RawEvent]:
        out: list[RawEvent] = []
        loop = asyncio.get_running_loop()
        hand_over_at = 0.0
        while len(out) < self.batch and (until is None or not out or out[-1].seq < until):
            try:
                msg = queue.get_nowait()  # a batch arrives faster than it is read: wait only when it has not
            except asyncio.QueueEmpty:
                wait = hand_over_at - loop.time() if out else self.idle_wait_s + 5.0
                if out and wait <= 0:
                    return out
                try:
                    msg = await asyncio.wait_for(queue.get(), wait)
                except TimeoutError:
                    if out:
                        return out
                    raise LogGap("no reply to a pull request: the consumer is gone") from None
            status = msg.headers.get("Status") if msg.headers else None
            if status in ("404", "408"):  # no messages / request expired: this request is done
                pulls.ended()
                return out
            if status:
                raise LogGap(f"pull failed: {status} {msg.headers.get('Description', '') if msg.headers else ''}")
            pulls.delivered()
            if not out:
                hand_over_at = loop.time() + self.max_delay_s
            out.append(RawEvent(stream_seq(msg.reply), msg.subject, msg.data))
        return out


def stream_seq(reply: str) -> int:
    """The stream sequence in a JetStream delivery's reply subject (what `msg.metadata` parses, without the rest:
    building the metadata per message cost more than the rest of the read)."""
    tokens = Msg.Metadata._get_metadata_fields(reply)
    return int(tokens[5] if len(tokens) == _V1_TOKENS else tokens[Msg.Ack.StreamSeq])
