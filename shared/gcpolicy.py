"""Garbage collection for long-running processes: a full collection walks what is new, not every cache.

A service keeps what it folded (boundaries, directory views, cached pages) for its lifetime. CPython runs a full
collection whenever the objects promoted since the last one reach a quarter of the old ones, and that walks all
of them: measured in pledges under the command mix, one every ~3 s, 100-630 ms each as the caches grew, freeing
almost nothing (0-101 objects). Those pauses were the command path's p99.

So the survivors of every full collection are frozen (`gc.freeze`): reference counting still frees them the
moment they are dropped; only garbage *cycles* among them wait, for the sweep that unfreezes everything once
every `sweep_s` and lets that one full collection walk it all.
"""

from __future__ import annotations

import gc
import time
from typing import Any

_OLDEST = 2


class FullCollections:
    """The gc callback; one per process (`install`)."""

    def __init__(self, sweep_s: float, clock: Any = time.monotonic) -> None:
        self.sweep_s, self.clock = sweep_s, clock
        self.next_sweep = clock() + sweep_s
        self.sweeps = 0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != _OLDEST:
            return
        if phase == "start":
            now = self.clock()
            if now >= self.next_sweep:
                gc.unfreeze()  # this collection walks everything once: cycles among the frozen are freed now
                self.next_sweep = now + self.sweep_s
                self.sweeps += 1
        else:
            gc.freeze()


def install(sweep_s: float) -> FullCollections | None:
    """Freeze what the process built so far and every full collection's survivors from now on.

    `sweep_s` 0 leaves CPython's collector as it is (None). Idempotent: a second call replaces the first.
    """
    for cb in [c for c in gc.callbacks if isinstance(c, FullCollections)]:
        gc.callbacks.remove(cb)
    if sweep_s <= 0:
        return None
    gc.collect()
    gc.freeze()
    policy = FullCollections(sweep_s)
    gc.callbacks.append(policy)
    return policy


def frozen() -> int:
    """How many objects full collections skip now (health replies report it)."""
    return gc.get_freeze_count()
