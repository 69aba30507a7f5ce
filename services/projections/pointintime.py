"""Point-in-time: the last sequence the log stored at or before a moment (by the stream's own clock).

The stream stamps every message when it stores it, and those stamps never go backwards, so a binary search
with direct lookups by sequence finds the boundary in ~log2(n) requests, whatever the log's size.
"""

from __future__ import annotations

from datetime import datetime

from nats.js import JetStreamContext


async def stored_at(js: JetStreamContext, stream: str, seq: int) -> datetime:
    msg = await js.get_msg(stream, seq=seq)
    if msg.time is None:  # pragma: no cover - the server always sends it
        raise LookupError(f"the stream gave no time for seq {seq}")
    return msg.time


async def seq_at(js: JetStreamContext, stream: str, when: datetime) -> int:
    """The last sequence stored at or before `when` (0: the log was empty then); `when` must be aware."""
    if when.tzinfo is None:
        raise ValueError("a point in time needs a time zone (e.g. 2026-06-30T23:59:59+08:00)")
    state = (await js.stream_info(stream)).state
    low, high = int(state.first_seq), int(state.last_seq)
    if high == 0 or await stored_at(js, stream, low) > when:
        return 0
    while low < high:  # invariant: stored_at(low) <= when
        mid = (low + high + 1) // 2
        if await stored_at(js, stream, mid) <= when:
            low = mid
        else:
            high = mid - 1
    return low
