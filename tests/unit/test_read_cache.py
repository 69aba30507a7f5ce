"""CheckpointCache's bookkeeping with a stand-in checkpoint table and clock (the real one: test_leaderboard_cache)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from services.projections.read_cache import MAX_ENTRIES, CheckpointCache

T0 = datetime(2026, 6, 1, tzinfo=UTC)


class Checkpoints:
    """Answers the checkpoint query with `seq`; holds each answer while `gate` is clear."""

    def __init__(self, seq: int | None = 1) -> None:
        self.seq, self.reads = seq, 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def fetchrow(self, _query: str, _projection: str) -> dict[str, Any] | None:
        self.reads += 1
        await self.gate.wait()
        return None if self.seq is None else {"last_seq": self.seq, "updated_at": T0}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Renders:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> bytes:
        self.count += 1
        return f"page {self.count}".encode()


async def test_a_page_is_rendered_once_per_checkpoint() -> None:
    db, render = Checkpoints(), Renders()
    cache = CheckpointCache("scores_board", ttl_s=0)

    first = [await cache.body(db, "k", render) for _ in range(3)]
    db.seq = 2
    moved = await cache.body(db, "k", render)

    assert (first, moved, render.count, db.reads) == ([b"page 1"] * 3, b"page 2", 2, 4)


async def test_the_checkpoint_is_read_again_only_after_the_ttl() -> None:
    db, render, clock = Checkpoints(), Renders(), Clock()
    cache = CheckpointCache("scores_board", ttl_s=0.02, clock=clock)

    await cache.body(db, "k", render)
    db.seq = 2
    clock.now += 0.019
    within = await cache.body(db, "k", render)
    clock.now += 0.001
    after = await cache.body(db, "k", render)

    assert (within, after, db.reads) == (b"page 1", b"page 2", 2)


async def test_requests_during_a_read_share_it_and_one_going_away_does_not_cancel_it() -> None:
    db, render = Checkpoints(), Renders()
    cache = CheckpointCache("scores_board", ttl_s=0)
    db.gate.clear()
    waiting = [asyncio.create_task(cache.body(db, "k", render)) for _ in range(5)]
    await asyncio.sleep(0)
    waiting[0].cancel()
    db.gate.set()

    bodies = await asyncio.gather(*waiting[1:])

    assert (bodies, db.reads, render.count) == ([b"page 1"] * 4, 1, 1)
    with pytest.raises(asyncio.CancelledError):
        await waiting[0]


async def test_without_a_checkpoint_every_request_renders() -> None:
    db, render = Checkpoints(seq=None), Renders()
    cache = CheckpointCache("scores_board", ttl_s=0)

    bodies = [await cache.body(db, "k", render) for _ in range(2)]

    assert bodies == [b"page 1", b"page 2"]


async def test_pages_beyond_the_bound_are_served_but_not_kept() -> None:
    db, render = Checkpoints(), Renders()
    cache = CheckpointCache("scores_board", ttl_s=0)
    for key in range(MAX_ENTRIES):
        await cache.body(db, key, render)

    extra = [await cache.body(db, "one too many", render) for _ in range(2)]

    assert extra == [f"page {MAX_ENTRIES + 1}".encode(), f"page {MAX_ENTRIES + 2}".encode()]
