"""The services' garbage-collection policy: full collections freeze their survivors; a sweep walks everything."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from shared import gcpolicy


class Node:
    """An object that can sit in a reference cycle (only the cycle collector frees one)."""

    def __init__(self) -> None:
        self.other: Node | None = None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clean_gc() -> Iterator[None]:
    yield
    for cb in [c for c in gc.callbacks if isinstance(c, gcpolicy.FullCollections)]:
        gc.callbacks.remove(cb)
    gc.unfreeze()
    gc.collect()


def cycle() -> tuple[Node, weakref.ref[Node]]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


def test_install_freezes_what_the_process_built_and_every_full_collections_survivors(clean_gc: None) -> None:
    policy = gcpolicy.install(3600)
    assert policy is not None and gc.get_freeze_count() > 0
    kept = [Node() for _ in range(1000)]
    before = gc.get_freeze_count()

    gc.collect()

    assert gc.get_freeze_count() >= before + len(kept)
    assert [c for c in gc.callbacks if isinstance(c, gcpolicy.FullCollections)] == [policy]


def test_a_garbage_cycle_among_frozen_objects_waits_for_the_sweep(clean_gc: None) -> None:
    clock = Clock()
    policy = gcpolicy.FullCollections(60, clock)
    gc.callbacks.append(policy)
    node, alive = cycle()
    gc.collect()  # the cycle survives (still referenced) and is frozen
    del node

    gc.collect()
    assert alive() is not None, "a frozen cycle is left to the sweep"

    clock.now += 61
    gc.collect()
    assert alive() is None and policy.sweeps == 1
    assert policy.next_sweep == clock.now + 60


def test_dropped_frozen_objects_are_still_freed_by_reference_counting(clean_gc: None) -> None:
    gcpolicy.install(3600)
    node = Node()
    gone = weakref.ref(node)
    gc.collect()

    del node

    assert gone() is None


def test_a_sweep_of_zero_leaves_cpythons_collector_alone(clean_gc: None) -> None:
    gcpolicy.install(3600)

    assert gcpolicy.install(0) is None
    assert not [c for c in gc.callbacks if isinstance(c, gcpolicy.FullCollections)]
