"""The event log on JetStream: the locked stream, appends with optimistic concurrency, boundary loads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError

from shared.events import Envelope
from shared.records import AppendedEvent, RawEvent, RecordedEvent, decode
from shared.subjects import EVENTS_ROOT, Boundary

MIN_SERVER = (2, 12)
# Every appended event carries its boundary's previous sequence (the expected one, which the server checked), or
# IN_BATCH for the events after the first of an atomic batch (stored contiguously, so the previous one is seq - 1).
# A view whose cached boundary is a few events behind walks these back-pointers with direct gets by sequence
# instead of asking the server for the boundary's newer events, which it answers by scanning the log's tail.
PREVIOUS_HEADER = "Ps-Previous-Seq"
IN_BATCH = "-"
MAX_HOPS = 64
# JetStream error codes seen on appends (nats-server 2.15)
EXPECTED = "Nats-Expected-Last-Subject-Sequence"
WRONG_LAST_SEQUENCE = 10071
BATCH_DUPLICATE_MSG_ID = 10201


class ServerTooOld(RuntimeError):
    """The NATS server lacks the expected-sequence-subject header (2.11) or atomic batches (2.12)."""


class StreamConfigDrift(RuntimeError):
    """The stream exists but without the locks the log of record needs."""


class AppendRejected(Exception):
    """The log refused an append (raises WrongExpectedSequence if the boundary moved)."""

    def __init__(self, err_code: int | None, description: str) -> None:
        super().__init__(f"append rejected ({err_code}): {description}")
        self.err_code, self.description = err_code, description


class WrongExpectedSequence(AppendRejected):
    """The boundary moved since it was read, or this exact append was already stored."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event read back by a direct get, with its boundary's previous sequence (None: not recorded)."""

    raw: RawEvent
    previous: int | None


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event ready to append: its envelope, encoded once."""

    envelope: Envelope

    def encode(self) -> bytes:
        return self.envelope.model_dump_json().encode()


def stream_config(name: str, replicas: int, duplicate_window_s: float) -> StreamConfig:
    """The locked configuration of the log of record."""
    return StreamConfig(
        name=name,
        subjects=[f"{EVENTS_ROOT}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        duplicate_window=duplicate_window_s,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        allow_atomic=True,
        num_replicas=replicas,
    )


class EventStore:
    """Appends to and reads consistency boundaries of one JetStream stream."""

    def __init__(self, nc: NATS, stream: str, timeout: float = 5.0) -> None:
        self.nc, self.stream, self.timeout = nc, stream, timeout
        self.js = nc.jetstream(timeout=timeout)

    def check_server(self) -> None:
        """Raises ServerTooOld unless the connected server is 2.12 or newer."""
        v = self.nc.connected_server_version
        if (v.major, v.minor) < MIN_SERVER:
            raise ServerTooOld(
                f"nats-server {v} is too old: Pacesetter needs 2.12 or newer "
                "(expected-last-subject-sequence-subject and atomic batch publish)"
            )

    async def ensure_stream(self, replicas: int = 1, duplicate_window_s: float = 120.0) -> None:
        """Create the stream if missing; raises StreamConfigDrift if it exists without its locks."""
        self.check_server()
        try:
            info = await self.js.stream_info(self.stream)
        except NotFoundError:
            await self.js.add_stream(stream_config(self.stream, replicas, duplicate_window_s))
            return
        c = info.config
        if not (c.deny_delete and c.deny_purge and c.allow_direct and c.allow_atomic):
            raise StreamConfigDrift(f"stream {self.stream} lacks deny_delete/deny_purge/allow_direct/atomic")

    async def append(self, boundary: Boundary, events: Sequence[PendingEvent], expected: int) -> list[AppendedEvent]:
        """Append atomically if the boundary's last sequence is `expected` (0: the boundary is new).

        Raises WrongExpectedSequence if the boundary moved or the events were already stored.
        """
        if not events:
            return []
        guard = {
            EXPECTED: str(expected),
            "Nats-Expected-Last-Subject-Sequence-Subject": boundary.filter,
        }
        if len(events) == 1:
            last = await self._publish_one(boundary, events[0], guard)
        else:
            last = await self._publish_batch(boundary, events, guard)
        first = last - len(events) + 1
        return [
            AppendedEvent(
                event_id=e.envelope.event_id,
                type=e.envelope.type,
                subject=boundary.subject(e.envelope.type),
                seq=first + i,
            )
            for i, e in enumerate(events)
        ]

    async def _publish_one(self, boundary: Boundary, ev: PendingEvent, guard: dict[str, str]) -> int:
        # A plain request and the ack's JSON: what js.publish does, without its per-call objects (profiled hot).
        headers = {**guard, "Nats-Msg-Id": ev.envelope.event_id, PREVIOUS_HEADER: guard[EXPECTED]}
        reply = await self.nc.request(boundary.subject(ev.envelope.type), ev.encode(), self.timeout, headers=headers)
        return _ack_seq(reply)

    async def _publish_batch(self, boundary: Boundary, events: Sequence[PendingEvent], guard: dict[str, str]) -> int:
        # JetStream atomic batch (ADR-50): the guard rides on the first message, the last commits.
        batch_id = events[0].envelope.event_id
        n = len(events)
        for i, ev in enumerate(events, start=1):
            headers = {
                "Nats-Batch-Id": batch_id,
                "Nats-Batch-Sequence": str(i),
                "Nats-Msg-Id": ev.envelope.event_id,
                PREVIOUS_HEADER: guard[EXPECTED] if i == 1 else IN_BATCH,
                **(guard if i == 1 else {}),
            }
            subject = boundary.subject(ev.envelope.type)
            if i < n:
                await self.nc.publish(subject, ev.encode(), headers=headers)
                continue
            headers["Nats-Batch-Commit"] = "1"
            reply = await self.nc.request(subject, ev.encode(), headers=headers, timeout=self.timeout)
        return _ack_seq(reply)

    async def last_sequence(self, boundary: Boundary) -> int:
        """The stream sequence of the boundary's last event, 0 if it has none (subject-indexed lookup)."""
        last = await self.last_event(boundary)
        return last.raw.seq if last is not None else 0

    async def last_event(self, boundary: Boundary) -> StoredEvent | None:
        """The boundary's last event, None if it has none: one subject-indexed direct get.

        What js.get_last_msg(direct=True) does without building the message object (profiled hot: once per
        command).
        """
        reply = await self.nc.request(f"$JS.API.DIRECT.GET.{self.stream}.{boundary.filter}", b"", self.timeout)
        return _stored(reply)

    async def event_at(self, seq: int) -> StoredEvent | None:
        """The event at a stream sequence (a direct get by sequence), None if there is none."""
        reply = await self.nc.request(f"$JS.API.DIRECT.GET.{self.stream}", b'{"seq": %d}' % seq, self.timeout)
        return _stored(reply)

    async def newer(self, boundary: Boundary, after: int, last: StoredEvent) -> list[RecordedEvent]:
        """The boundary's events above `after` up to its `last` one, in order.

        Follows the back-pointers from `last` (one direct get by sequence per event) when they lead to `after`
        within MAX_HOPS; otherwise (events appended without them, or a long way behind) loads by subject filter.
        """
        if last.raw.seq <= after:
            return []
        chain = [last.raw]
        previous = last.previous
        while previous is not None and previous > after and len(chain) < MAX_HOPS:
            stored = await self.event_at(previous)
            if stored is None:
                break
            chain.append(stored.raw)
            previous = stored.previous
        if previous != after:
            return await self.load(boundary, after)
        return [decode(r) for r in reversed(chain)]

    async def load(self, boundary: Boundary, after: int = 0, page: int = 1000) -> list[RecordedEvent]:
        """Every event of the boundary with a sequence above `after`, in order (batch direct get)."""
        out: list[RecordedEvent] = []
        start = after + 1
        while True:
            raws = await self._direct_batch(boundary.filter, start, page)
            out.extend(decode(r) for r in raws)
            if len(raws) < page:
                return out
            start = raws[-1].seq + 1

    async def _direct_batch(self, subject_filter: str, start: int, batch: int) -> list[RawEvent]:
        inbox = self.nc.new_inbox()
        queue: asyncio.Queue[Msg] = asyncio.Queue()
        sub = await self.nc.subscribe(inbox, cb=queue.put)
        out: list[RawEvent] = []
        try:
            req = {"seq": start, "next_by_subj": subject_filter, "batch": batch}
            await self.nc.publish(f"$JS.API.DIRECT.GET.{self.stream}", json.dumps(req).encode(), reply=inbox)
            while True:
                msg = await asyncio.wait_for(queue.get(), self.timeout)
                headers = msg.headers or {}
                status = headers.get("Status")
                if status in ("204", "404"):  # end of batch / nothing matched
                    return out
                if status:
                    raise RuntimeError(f"direct get failed: {status} {headers.get('Description', '')}")
                out.append(RawEvent(int(headers["Nats-Sequence"]), headers["Nats-Subject"], msg.data))
                if len(out) == batch:
                    return out
        finally:
            await sub.unsubscribe()


def _stored(reply: Msg) -> StoredEvent | None:
    headers = reply.headers or {}
    status = headers.get("Status")
    if status == "404":
        return None
    if status:
        raise APIError(code=int(status), description=headers.get("Description", ""))
    seq = int(headers["Nats-Sequence"])
    pointer = headers.get(PREVIOUS_HEADER)
    previous = seq - 1 if pointer == IN_BATCH else int(pointer) if pointer and pointer.isdigit() else None
    return StoredEvent(RawEvent(seq, headers["Nats-Subject"], reply.data), previous)


def _ack_seq(reply: Msg) -> int:
    """The sequence in a JetStream publish ack; raises the rejection an error ack carries."""
    body = json.loads(reply.data)
    if "error" in body:
        err = body["error"]
        raise _rejection(err.get("err_code"), str(err.get("description")))
    if body.get("duplicate"):
        # a replicated stream acks a retried msg id as a duplicate of the stored event, ignoring a stale guard:
        # nothing was appended, and the caller must read the boundary before it counts the command as new
        raise WrongExpectedSequence(None, f"already stored at seq {body.get('seq')}")
    return int(body["seq"])


def _rejection(err_code: int | None, description: str) -> AppendRejected:
    if err_code in (WRONG_LAST_SEQUENCE, BATCH_DUPLICATE_MSG_ID):
        return WrongExpectedSequence(err_code, description)
    return AppendRejected(err_code, description)
