"""The command shell on the real log: decide-append, idempotency by command id, conflicts between replicas."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from services.pledges.domain import PledgeAlreadyExists, pledge_decider
from shared.errors import CommandIdTaken
from shared.events import Actor, Role
from shared.eventstore import EventStore, StoredEvent
from shared.runtime.embedded import EmbeddedNats
from shared.shell import CommandShell, _pending
from shared.subjects import Boundary
from tests.support.builders import ledger_line, make_pledge
from tests.support.pledges import PLEDGE, approve, entry, report, revise, submit


def shell(store: EventStore) -> CommandShell:  # type: ignore[type-arg]
    return CommandShell(store, "pledges", pledge_decider)


async def test_a_command_appends_its_events(store: EventStore) -> None:
    cmd = make_pledge()

    reply = await shell(store).execute(cmd.pledge_id, cmd)

    assert reply.ok and not reply.duplicate
    loaded = await store.load(Boundary("pledges", cmd.pledge_id))
    assert [(r.seq, r.envelope.command_id) for r in loaded] == [(reply.events[0].seq, cmd.command_id)]
    assert loaded[0].envelope.actor == cmd.actor
    assert loaded[0].envelope.correlation_id == cmd.command_id


async def test_a_retried_command_replies_its_original_events_and_appends_nothing(store: EventStore) -> None:
    cmd = make_pledge()
    first = await shell(store).execute(cmd.pledge_id, cmd)

    again = await shell(store).execute(cmd.pledge_id, cmd)  # a fresh replica: no cache, reads the log

    assert again.duplicate and again.events == first.events
    assert len(await store.load(Boundary("pledges", cmd.pledge_id))) == 1


async def test_another_member_cannot_retry_a_command_id_it_did_not_send(store: EventStore) -> None:
    cmd = make_pledge()
    warm = shell(store)
    await warm.execute(cmd.pledge_id, cmd)
    other = Actor(member_id="m-someone-else", role=Role.office, unit_id=None)
    borrowed = cmd.model_copy(update={"actor": other})

    for replica in (warm, shell(store)):  # the one that appended it, and a fresh one reading the log
        with pytest.raises(CommandIdTaken) as refused:
            await replica.execute(cmd.pledge_id, borrowed)
        assert refused.value.rule == "command_id_taken"
    assert len(await store.load(Boundary("pledges", cmd.pledge_id))) == 1


async def test_a_command_id_reused_for_another_boundary_is_another_command_with_its_own_event_ids(
    store: EventStore,
) -> None:
    """A command id names a command on its boundary; event ids derive from both, so none is taken twice."""
    first = make_pledge()
    reused = make_pledge(command_id=first.command_id)

    replies = [await shell(store).execute(c.pledge_id, c) for c in (first, reused)]

    assert [(r.ok, r.duplicate) for r in replies] == [(True, False), (True, False)]
    made = [(await store.load(Boundary("pledges", c.pledge_id)))[0].envelope for c in (first, reused)]
    assert [e.command_id for e in made] == [first.command_id] * 2
    assert made[0].event_id != made[1].event_id


async def test_a_retry_after_a_lost_ack_is_recognised_by_its_command_id(store: EventStore) -> None:
    """The first attempt was stored but its reply never came back; the retry must not fail or double."""
    cmd = make_pledge()
    event = pledge_decider.decide(cmd, pledge_decider.initial)[0]
    boundary = Boundary("pledges", cmd.pledge_id)
    stored = await store.append(boundary, [_pending(cmd, event, 0, boundary)], expected=0)

    reply = await shell(store).execute(cmd.pledge_id, cmd)

    assert reply.ok and reply.duplicate
    assert [e.seq for e in reply.events] == [stored[0].seq]


async def test_a_replica_with_a_stale_cache_decides_on_the_latest_state(store: EventStore) -> None:
    a, b = shell(store), shell(store)
    cmd = make_pledge()
    await b.execute(cmd.pledge_id, make_pledge(cmd.pledge_id, title="别的承诺"))
    assert (await a.view.state(cmd.pledge_id)).status == "draft"  # a has it cached now

    with pytest.raises(PledgeAlreadyExists):
        await a.execute(cmd.pledge_id, cmd)


async def test_racing_replicas_let_exactly_one_command_create_a_boundary(store: EventStore) -> None:
    replicas = [shell(store) for _ in range(3)]
    pledge_id = make_pledge().pledge_id
    commands = [make_pledge(pledge_id) for _ in range(12)]

    results = await asyncio.gather(
        *(replicas[i % 3].execute(pledge_id, c) for i, c in enumerate(commands)), return_exceptions=True
    )

    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, PledgeAlreadyExists)]
    assert len(accepted) == 1 and len(refused) == 11
    assert len(await store.load(Boundary("pledges", pledge_id))) == 1


async def test_idempotency_outlives_the_duplicate_window(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    url = server.start()
    try:
        nc = await nats.connect(url)
        store = EventStore(nc, "SHORTWINDOW")
        await store.ensure_stream(duplicate_window_s=0.5)
        cmd = make_pledge()
        first = await shell(store).execute(cmd.pledge_id, cmd)
        await asyncio.sleep(1.0)  # let the server forget the msg ids

        again = await shell(store).execute(cmd.pledge_id, cmd)

        assert again.duplicate and again.events == first.events
        assert len(await store.load(Boundary("pledges", cmd.pledge_id))) == 1
        await nc.close()
    finally:
        server.stop()


async def test_replicas_taking_turns_reload_each_others_events_without_scanning_the_log(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make_pledge().pledge_id
    steps = [make_pledge(PLEDGE), submit(), approve(), *(report(entry(current_value=i)) for i in range(1, 6))]
    commands = [c.model_copy(update={"pledge_id": pid}) for c in steps]
    replicas = [shell(store), shell(store)]

    async def no_scan(*_: object) -> list[object]:
        raise AssertionError("a stale cache was reloaded by a subject scan")

    monkeypatch.setattr(store, "_direct_batch", no_scan)  # every reload must follow the back-pointers
    replies = [await replicas[i % 2].execute(pid, c) for i, c in enumerate(commands)]

    assert all(r.ok and not r.duplicate for r in replies)
    monkeypatch.undo()
    logged = [(r.seq, r.envelope.type) for r in await store.load(Boundary("pledges", pid))]
    assert logged == [(e.seq, e.type) for r in replies for e in r.events]
    assert (await replicas[0].view.state(pid)) == (await replicas[1].view.state(pid))


async def test_a_command_on_a_boundary_this_replica_knows_is_one_append_without_a_lookup(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = shell(store)
    cmd = make_pledge()
    await a.execute(cmd.pledge_id, cmd)
    lookups: list[Boundary] = []
    real = store.last_event

    async def counted(boundary: Boundary) -> StoredEvent | None:
        lookups.append(boundary)
        return await real(boundary)

    monkeypatch.setattr(store, "last_event", counted)

    reply = await a.execute(cmd.pledge_id, revise(pledge_id=cmd.pledge_id))

    assert reply.ok and lookups == []


async def test_a_stale_replica_decides_again_after_the_events_it_missed(store: EventStore) -> None:
    a, b = shell(store), shell(store)
    cmd = make_pledge()
    await a.execute(cmd.pledge_id, cmd)
    missed = await b.execute(cmd.pledge_id, revise(pledge_id=cmd.pledge_id))

    reply = await a.execute(cmd.pledge_id, revise(pledge_id=cmd.pledge_id, lines=[ledger_line(target_value=36)]))

    assert reply.ok and reply.events[0].seq > missed.events[0].seq
    loaded = await store.load(Boundary("pledges", cmd.pledge_id))
    assert [r.envelope.type for r in loaded] == ["PledgeMade", "PledgeRevised", "PledgeRevised"]
    assert (await a.view.current(cmd.pledge_id)).seq == reply.events[0].seq
