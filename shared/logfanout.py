"""One read of the log shared by the readers of a process: the projections at one place read it once together.

Each projection runner reads the whole log from its own checkpoint. Read separately, five runners pay five
times for the same messages (the read was a third of a rebuild's CPU). A `SharedLog` hands each reader the
same batches as `LogReader.batches` would, but readers whose next event lies in the window of a running read
(a *tap*) take their batches from it instead of reading again: a tap keeps the last `lookback` events it
read, and reads ahead of its slowest reader by at most `ahead` events, so a reader never falls out of it.

A reader that starts elsewhere (a runner behind after a restart, one whose checkpoint a blue/green switch
moved) opens a tap of its own, and moves to the oldest tap covering its place as soon as there is one: taps
converge where the readers meet (at the log's end when following). A tap nobody reads is closed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncGenerator
from typing import Protocol

from nats.aio.client import Client as NATS

from shared.logreader import LogGap, LogReader
from shared.records import RawEvent


class LogSource(Protocol):
    """Where a runner gets the log: contiguous batches after a sequence (`LogReader` or `SharedLog`)."""

    def batches(self, after: int, until: int | None = None) -> AsyncGenerator[list[RawEvent], None]: ...


class _Tap:
    """One LogReader running ahead of the readers that joined it, with the last `lookback` events kept."""

    def __init__(self, reader: LogReader, after: int, until: int | None, lookback: int, ahead: int) -> None:
        self.until, self.lookback, self.ahead = until, lookback, ahead
        self.chunks: collections.deque[list[RawEvent]] = collections.deque()
        self.next = after + 1  # the first sequence not read yet
        self.positions: dict[object, int] = {}  # reader → the last sequence it was handed
        self.idle_ticks = 0
        self.error: Exception | None = None
        self.done = False
        self._changed = asyncio.Event()
        self.task = asyncio.create_task(self._read(reader, after))

    @property
    def first(self) -> int:
        """The oldest sequence still kept."""
        return self.chunks[0][0].seq if self.chunks else self.next

    def covers(self, after: int, until: int | None) -> bool:
        """Whether a reader that has applied `after` (and stops at `until`) can read on from here."""
        if self.error is not None or (self.until is not None and (until is None or until > self.until)):
            return False
        return self.first <= after + 1 <= self.next

    def moved(self, reader: object, seq: int) -> None:
        self.positions[reader] = seq
        self._notify()

    def leave(self, reader: object) -> bool:
        """Forget `reader`; whether anyone still reads here."""
        self.positions.pop(reader, None)
        self._notify()
        return bool(self.positions)

    async def after(self, seq: int) -> list[RawEvent]:
        """The kept events from `seq + 1` (up to a chunk); [] when the log was idle; raises the read's error."""
        ticks = self.idle_ticks
        while True:
            if seq + 1 < self.next:
                for chunk in self.chunks:
                    if chunk[-1].seq > seq:
                        return chunk[seq + 1 - chunk[0].seq :]
            if self.error is not None:
                raise self.error
            if self.done:
                raise LogGap(f"the shared read ended at {self.next - 1}, before {seq + 1}")
            if self.idle_ticks != ticks:
                return []
            await self._wait()

    async def _read(self, reader: LogReader, after: int) -> None:
        batches = reader.batches(after, self.until)
        try:
            async with contextlib.aclosing(batches):
                async for chunk in batches:
                    if chunk:
                        self.chunks.append(chunk)
                        self.next = chunk[-1].seq + 1
                        self._trim()
                    else:
                        self.idle_ticks += 1
                    self._notify()
                    while self.positions and self.next - 1 - min(self.positions.values()) >= self.ahead:
                        await self._wait()
        except Exception as exc:  # the readers get it and back off; a new tap starts from their checkpoints
            self.error = exc
        finally:
            self.done = True
            self._notify()

    def _trim(self) -> None:
        slowest = min(self.positions.values(), default=self.next - 1)
        while self.chunks and self.chunks[0][-1].seq <= min(slowest, self.next - 1 - self.lookback):
            self.chunks.popleft()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self) -> None:
        await self._changed.wait()


class SharedLog:
    """`batches(after, until)` as `LogReader` has it, read once for all the readers at one place."""

    def __init__(
        self,
        nc: NATS,
        stream: str,
        batch: int = 500,
        *,
        ahead: int | None = None,
        lookback: int | None = None,
        idle_wait_s: float = 0.5,
        max_delay_s: float = 0.02,
    ) -> None:
        self.nc, self.stream, self.batch = nc, stream, batch
        self.idle_wait_s, self.max_delay_s = idle_wait_s, max_delay_s
        # a runner starts reading a few hundred milliseconds after another (lock, DDL): the lookback lets it join
        self.ahead = ahead if ahead is not None else 4 * batch
        self.lookback = max(lookback if lookback is not None else 8 * batch, self.ahead + batch)
        self.taps: list[_Tap] = []

    async def batches(self, after: int, until: int | None = None) -> AsyncGenerator[list[RawEvent], None]:
        """Batches of events with sequences after `after`, contiguous; empty batches when idle.

        Stops after `until` if given; otherwise follows the log forever. Raises LogGap (and NATS errors).
        """
        me, seq = object(), after
        tap: _Tap | None = None
        try:
            while until is None or seq < until:
                best = self._tap_for(seq, until)
                if best is not tap:
                    if tap is not None:
                        self._leave(tap, me)
                    tap = best
                tap.moved(me, seq)
                chunk = await tap.after(seq)
                if until is not None and chunk and chunk[-1].seq > until:
                    chunk = [r for r in chunk if r.seq <= until]
                if chunk:
                    seq = chunk[-1].seq
                    tap.moved(me, seq)
                yield chunk
        finally:
            if tap is not None:
                self._leave(tap, me)

    def _tap_for(self, seq: int, until: int | None) -> _Tap:
        """The oldest tap covering `seq + 1`, or a new one starting there."""
        for tap in self.taps:
            if tap.covers(seq, until):
                return tap
        reader = LogReader(self.nc, self.stream, self.batch, self.idle_wait_s, self.max_delay_s)
        tap = _Tap(reader, seq, until, self.lookback, self.ahead)
        self.taps.append(tap)
        return tap

    def _leave(self, tap: _Tap, reader: object) -> None:
        if not tap.leave(reader):
            tap.task.cancel()  # the LogReader's own clean-up deletes its consumer
            self.taps.remove(tap)
