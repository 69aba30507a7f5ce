"""The event store against a real JetStream: appends, optimistic concurrency, idempotency, locks."""

from __future__ import annotations

import json

import pytest
from nats.aio.client import Client as NATS
from nats.js.errors import APIError

from shared.events.pledges import PledgeMade
from shared.eventstore import EventStore, WrongExpectedSequence
from shared.ids import new_id
from shared.subjects import Boundary
from tests.support.builders import pending, pledge_made


def boundary() -> Boundary:
    return Boundary("pledges", new_id())


def another_pledge() -> PledgeMade:
    """A new pledge each time: these tests append several to one boundary, and the session's projections read
    this log too (one pledge made twice would rightly stop the pledge board, and the e2e boards behind it)."""
    return pledge_made()


async def test_append_to_a_new_boundary_then_load_it(store: EventStore) -> None:
    b = boundary()
    made = pledge_made(b.id)

    appended = await store.append(b, [pending(made)], expected=0)

    loaded = await store.load(b)
    assert [r.seq for r in loaded] == [appended[0].seq]
    assert loaded[0].event == made
    assert loaded[0].subject == b.subject("PledgeMade")
    assert await store.last_sequence(b) == appended[0].seq


async def test_an_unknown_boundary_has_last_sequence_zero_and_no_events(store: EventStore) -> None:
    b = boundary()
    assert await store.last_sequence(b) == 0
    assert await store.load(b) == []


async def test_a_stale_expected_sequence_is_refused_and_appends_nothing(store: EventStore) -> None:
    b = boundary()
    first = await store.append(b, [pending(another_pledge())], expected=0)

    with pytest.raises(WrongExpectedSequence):
        await store.append(b, [pending(another_pledge())], expected=0)

    assert [r.seq for r in await store.load(b)] == [first[0].seq]


async def test_expected_zero_covers_every_event_type_of_the_boundary(store: EventStore, nc: NATS) -> None:
    """With only the exact-subject header an event of another type would pass an 'expected 0' check."""
    b = boundary()
    await store.append(b, [pending(another_pledge())], expected=0)
    other_type = pending(another_pledge())
    renamed = other_type.envelope.model_copy(update={"type": "PledgeRevised"})

    with pytest.raises(WrongExpectedSequence):
        await store.append(b, [type(other_type)(renamed)], expected=0)


async def test_retrying_the_same_event_ids_does_not_append_twice(store: EventStore) -> None:
    b = boundary()
    ev = pending(another_pledge(), command_id="cmd-" + b.id)
    await store.append(b, [ev], expected=0)

    with pytest.raises(WrongExpectedSequence):  # 1 replica: a duplicate with a stale guard answers 10071
        await store.append(b, [ev], expected=0)

    assert len(await store.load(b)) == 1


async def test_several_events_are_appended_atomically(store: EventStore) -> None:
    b = boundary()
    cid = new_id()
    events = [pending(another_pledge(), cid, i) for i in range(3)]

    appended = await store.append(b, events, expected=0)

    seqs = [a.seq for a in appended]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert [r.seq for r in await store.load(b)] == seqs


async def test_a_stale_batch_stores_none_of_its_events(store: EventStore) -> None:
    b = boundary()
    await store.append(b, [pending(another_pledge())], expected=0)
    cid = new_id()

    with pytest.raises(WrongExpectedSequence):
        await store.append(b, [pending(another_pledge(), cid, i) for i in range(3)], expected=0)

    assert len(await store.load(b)) == 1


async def test_a_retried_batch_is_refused_and_stored_once(store: EventStore) -> None:
    b = boundary()
    cid = new_id()
    batch = [pending(another_pledge(), cid, i) for i in range(2)]
    appended = await store.append(b, batch, expected=0)

    with pytest.raises(WrongExpectedSequence):
        await store.append(b, batch, expected=appended[-1].seq)

    assert len(await store.load(b)) == 2


async def test_load_after_a_sequence_returns_only_later_events(store: EventStore) -> None:
    b = boundary()
    first = await store.append(b, [pending(another_pledge())], expected=0)
    second = await store.append(b, [pending(another_pledge())], expected=first[0].seq)

    later = await store.load(b, after=first[0].seq)

    assert [r.seq for r in later] == [second[0].seq]


async def test_load_pages_through_long_boundaries(store: EventStore) -> None:
    b = boundary()
    seq = 0
    for _ in range(7):
        seq = (await store.append(b, [pending(another_pledge())], expected=seq))[0].seq

    loaded = await store.load(b, page=3)

    assert len(loaded) == 7
    assert loaded[-1].seq == seq


async def test_the_stream_refuses_purge(store: EventStore, nc: NATS) -> None:
    b = boundary()
    await store.append(b, [pending(another_pledge())], expected=0)
    js = nc.jetstream()

    with pytest.raises(APIError):
        await js.purge_stream(store.stream)
    with pytest.raises(APIError):
        await js.purge_stream(store.stream, subject=b.filter)

    assert len(await store.load(b)) == 1


async def test_the_stream_refuses_message_delete(store: EventStore, nc: NATS) -> None:
    b = boundary()
    seq = (await store.append(b, [pending(another_pledge())], expected=0))[0].seq
    js = nc.jetstream()

    with pytest.raises(APIError):
        await js.delete_msg(store.stream, seq)
    erase = await nc.request(f"$JS.API.STREAM.MSG.DELETE.{store.stream}", json.dumps({"seq": seq}).encode())
    assert "error" in json.loads(erase.data)

    assert len(await store.load(b)) == 1


async def test_the_locks_cannot_be_lifted_by_a_config_update(store: EventStore, nc: NATS) -> None:
    js = nc.jetstream()
    config = (await js.stream_info(store.stream)).config
    config.deny_purge = False

    with pytest.raises(APIError):
        await js.update_stream(config)

    assert (await js.stream_info(store.stream)).config.deny_purge is True


async def _no_scan(*_: object) -> list[object]:
    raise AssertionError("the boundary was loaded by a subject scan, not by its back-pointers")


async def test_newer_events_follow_the_back_pointers_across_single_appends_and_atomic_batches(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    b, other = boundary(), boundary()
    seqs: list[int] = []
    await store.append(other, [pending(another_pledge())], expected=0)
    for size in (1, 3, 1, 2):  # single appends and atomic batches, with another boundary's events between
        cid = new_id()
        appended = await store.append(
            b, [pending(another_pledge(), cid, i) for i in range(size)], expected=max(seqs, default=0)
        )
        seqs += [a.seq for a in appended]
        await store.append(other, [pending(another_pledge())], expected=await store.last_sequence(other))

    last = await store.last_event(b)
    assert last is not None and last.raw.seq == seqs[-1]
    expected = {after: [r.seq for r in await store.load(b, after)] for after in (0, *seqs)}
    monkeypatch.setattr(store, "_direct_batch", _no_scan)
    for after, want in expected.items():
        assert [r.seq for r in await store.newer(b, after, last)] == want, after


async def test_events_without_back_pointers_are_loaded_by_subject(store: EventStore, nc: NATS) -> None:
    b = boundary()
    first = await store.append(b, [pending(another_pledge())], expected=0)
    raw = (await nc.jetstream().publish(b.subject("PledgeMade"), pending(another_pledge()).encode())).seq
    last = await store.last_event(b)
    assert last is not None and (last.raw.seq, last.previous) == (raw, None)
    assert [r.seq for r in await store.newer(b, 0, last)] == [first[0].seq, raw]
