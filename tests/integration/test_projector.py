"""The checkpointed projector runner against real JetStream and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.projections import bookkeeping, pledge_board
from services.projections.projection import Applied, On, Projection
from services.projections.runner import ProjectionRunner
from shared.events.pledges import PledgeMade, ProgressEntry, ProgressReported
from shared.eventstore import EventStore
from shared.runtime.embedded import EmbeddedNats
from shared.subjects import Boundary
from tests.conftest import Servers
from tests.integration.projections_support import (
    append_pledge,
    drop_schema,
    eventually,
    log_end,
    new_schema,
    start_after,
)
from tests.support.builders import make_pledge, pending

# A projection that counts how often each PledgeMade was applied: any double application shows as n = 2.
COUNT_DDL = "create table if not exists applications (pledge_id text primary key, n int not null)"
COUNT = """
insert into applications as a (pledge_id, n) select unnest($1::text[]), 1
on conflict (pledge_id) do update set n = a.n + 1
"""


async def count_made(con: asyncpg.Connection, events: Applied[PledgeMade]) -> None:
    await con.execute(COUNT, [e.pledge_id for _, e in events])


counting = Projection("applications", COUNT_DDL, [On(PledgeMade, count_made)])


@pytest_asyncio.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = new_schema()
    yield name
    await drop_schema(pg_pool, name)


def runner(projection: Projection, nc: NATS, servers: Servers, schema: str, **kw: Any) -> ProjectionRunner:
    kw.setdefault("batch", 200)
    return ProjectionRunner(projection, nc, servers.database_url, servers.stream, schema, **kw)


async def checkpoint(pool: asyncpg.Pool, schema: str, projection: str) -> int | None:
    try:
        return await pool.fetchval(f"select last_seq from {schema}.checkpoints where projection = $1", projection)
    except asyncpg.UndefinedTableError:
        return None


async def applications(pool: asyncpg.Pool, schema: str) -> dict[str, int]:
    try:
        return dict(await pool.fetch(f"select pledge_id, n from {schema}.applications"))
    except asyncpg.UndefinedTableError:
        return {}


async def test_pledges_made_show_up_on_the_pledge_board(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    await start_after(pg_pool, schema, await log_end(store), pledge_board.projection)
    cmds = [make_pledge(campaign_id="c-board"), make_pledge(campaign_id="c-board", title="另一项承诺")]
    seqs = [await append_pledge(store, c) for c in cmds]

    assert await runner(pledge_board.projection, nc, servers, schema, until=seqs[-1]).run() == "finished"

    ids = [c.pledge_id for c in cmds]
    rows = {
        r["pledge_id"]: r for r in await pg_pool.fetch(f"select * from {schema}.pledges where pledge_id = any($1)", ids)
    }
    assert set(rows) == set(ids)
    for cmd, seq in zip(cmds, seqs, strict=True):
        row = rows[cmd.pledge_id]
        assert (row["campaign_id"], row["title"], row["status"]) == (cmd.campaign_id, cmd.title, "draft")
        pledger = (row["pledger_kind"], row["pledger_id"], row["pledger_unit_id"])
        assert pledger == (cmd.pledger.kind, cmd.pledger.id, cmd.pledger.unit_id)
        assert row["year"] == cmd.year
        assert json.loads(row["lines"]) == [line.model_dump(mode="json") for line in cmd.lines]
        assert row["recorded_by"] is None and row["made_at"].tzinfo is not None
        assert row["last_seq"] == seq
    assert await checkpoint(pg_pool, schema, "pledge_board") == seqs[-1]


async def test_a_restarted_runner_resumes_from_its_checkpoint_without_applying_twice(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    await start_after(pg_pool, schema, await log_end(store), counting, pledge_board.projection)
    first = make_pledge()
    first_seq = await append_pledge(store, first)
    for p in (counting, pledge_board.projection):
        assert await runner(p, nc, servers, schema, until=first_seq).run() == "finished"
    second = make_pledge()
    second_seq = await append_pledge(store, second)

    for p in (counting, pledge_board.projection):  # fresh runners, as after a process restart
        assert await runner(p, nc, servers, schema, until=second_seq).run() == "finished"

    counts = await applications(pg_pool, schema)
    assert (counts[first.pledge_id], counts[second.pledge_id]) == (1, 1)
    assert max(counts.values()) == 1, "some event was applied twice"
    board = await pg_pool.fetch(
        f"select pledge_id from {schema}.pledges where pledge_id = any($1)", [first.pledge_id, second.pledge_id]
    )
    assert len(board) == 2
    assert await checkpoint(pg_pool, schema, "applications") == second_seq
    assert await pg_pool.fetchval(f"select count(*) from {schema}.projection_status where state = 'stopped'") == 0


async def test_only_one_runner_of_a_projection_is_active_and_a_standby_takes_over(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    await start_after(pg_pool, schema, await log_end(store), counting)
    first, second = (
        runner(counting, nc, servers, schema, standby_poll_s=0.05),
        runner(counting, nc, servers, schema, standby_poll_s=0.05),
    )
    tasks = [asyncio.create_task(first.run())]
    try:
        await eventually(lambda: _state(first), lambda s: s == "active", "the first runner to be active")
        tasks.append(asyncio.create_task(second.run()))
        await eventually(lambda: _state(second), lambda s: s == "standby", "the second runner to wait as a standby")
        one = make_pledge()
        await append_pledge(store, one)
        await eventually(
            lambda: applications(pg_pool, schema), lambda a: one.pledge_id in a, "the active runner to apply"
        )
        assert (first.state, second.state) == ("active", "standby")

        tasks[0].cancel()  # the active runner's process dies: its lock goes with its connection
        await eventually(lambda: _state(second), lambda s: s == "active", "the standby to take over")
        two = make_pledge()
        await append_pledge(store, two)
        counts = await eventually(
            lambda: applications(pg_pool, schema), lambda a: two.pledge_id in a, "the new active runner to apply"
        )
        assert (counts[one.pledge_id], counts[two.pledge_id]) == (1, 1)
        assert max(counts.values()) == 1, "some event was applied twice"
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _state(r: ProjectionRunner) -> str:
    return r.state


async def test_the_checkpoint_only_moves_from_where_this_runner_left_it(pg_pool: asyncpg.Pool, schema: str) -> None:
    async with pg_pool.acquire() as con:
        await con.execute("select set_config('search_path', $1, false)", schema)
        try:
            await bookkeeping.prepare(con, schema, counting)
            await bookkeeping.advance(con, "applications", 0, 5)
            with pytest.raises(bookkeeping.CheckpointMoved):
                await bookkeeping.advance(con, "applications", 0, 7)  # a runner that still believes it is at 0
            assert await bookkeeping.read_checkpoint(con, "applications") == 5
        finally:
            await con.execute("reset search_path")


# --- faults, on a log of their own: the poison events stay on a log forever --------------------------


class OwnLog:
    def __init__(self, root: Path) -> None:
        self.root, self.server = root, EmbeddedNats(root)
        self.url = self.server.start()
        self.port = int(self.url.rsplit(":", 1)[1])

    def restart(self) -> None:
        self.server.kill()
        self.server = EmbeddedNats(self.root, port=self.port)
        self.server.start()


@pytest_asyncio.fixture
async def own(tmp_path: Path) -> AsyncIterator[tuple[OwnLog, NATS, EventStore]]:
    log = OwnLog(tmp_path / "nats")
    try:
        conn = await nats.connect(log.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        own_store = EventStore(conn, "PACESETTER")
        await own_store.ensure_stream()
        yield log, conn, own_store
        await conn.close()
    finally:
        log.server.stop()


def own_runner(projection: Projection, conn: NATS, servers: Servers, schema: str, **kw: Any) -> ProjectionRunner:
    return ProjectionRunner(projection, conn, servers.database_url, "PACESETTER", schema, max_backoff_s=0.5, **kw)


async def status(pool: asyncpg.Pool, schema: str, projection: str) -> asyncpg.Record | None:
    return await pool.fetchrow(f"select * from {schema}.projection_status where projection = $1", projection)


async def test_an_undecodable_event_stops_the_projection_right_before_it_every_time(
    own: tuple[OwnLog, NATS, EventStore], servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    _, conn, own_store = own
    js = conn.jetstream()
    await js.publish("ps.evt.other.default.x1.SomethingElse", b"not json, but no handler reads it")
    good = make_pledge()
    good_seq = await append_pledge(own_store, good)
    poison = make_pledge()
    poison_subject = f"ps.evt.pledges.default.{poison.pledge_id}.PledgeMade"
    poison_seq = (await js.publish(poison_subject, b'{"event_id": "truncated')).seq
    after = make_pledge()
    last = await append_pledge(own_store, after)

    for attempt in (1, 2):  # a restart meets the same event and stops again: never skipped
        assert await own_runner(pledge_board.projection, conn, servers, schema, until=last).run() == "stopped", attempt
        row = await status(pg_pool, schema, "pledge_board")
        assert row is not None and row["state"] == "stopped"
        assert (row["seq"], row["subject"]) == (poison_seq, poison_subject)
        assert "JSONDecodeError" in row["error"]
        assert await checkpoint(pg_pool, schema, "pledge_board") == poison_seq - 1 == good_seq
        board = await pg_pool.fetch(f"select pledge_id from {schema}.pledges")
        assert [r["pledge_id"] for r in board] == [good.pledge_id]


async def test_a_failing_handler_stops_the_projection_at_the_failing_event(
    own: tuple[OwnLog, NATS, EventStore], servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    _, conn, own_store = own
    cmds = [make_pledge() for _ in range(4)]
    seqs = [await append_pledge(own_store, c) for c in cmds]
    bad = cmds[2].pledge_id

    async def fragile(con: asyncpg.Connection, events: Applied[PledgeMade]) -> None:
        await con.execute(COUNT, [e.pledge_id for _, e in events])
        if any(e.pledge_id == bad for _, e in events):
            raise ValueError(f"cannot handle {bad}")

    projection = Projection("applications", COUNT_DDL, [On(PledgeMade, fragile)])
    assert await own_runner(projection, conn, servers, schema, until=seqs[-1]).run() == "stopped"

    row = await status(pg_pool, schema, "applications")
    assert row is not None and (row["state"], row["seq"]) == ("stopped", seqs[2])
    assert "ValueError" in row["error"] and bad in row["error"]
    assert await checkpoint(pg_pool, schema, "applications") == seqs[1]
    assert await applications(pg_pool, schema) == {cmds[0].pledge_id: 1, cmds[1].pledge_id: 1}


async def test_the_runner_backs_off_and_resumes_when_nats_restarts(
    own: tuple[OwnLog, NATS, EventStore], servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    log, conn, own_store = own
    projection_runner = own_runner(counting, conn, servers, schema)
    task = asyncio.create_task(projection_runner.run())
    try:
        one = make_pledge()
        await append_pledge(own_store, one)
        await eventually(lambda: applications(pg_pool, schema), lambda a: one.pledge_id in a, "the first pledge")

        log.restart()  # SIGKILL and start again on the same port and store
        await eventually(_stream_ready(own_store), bool, "JetStream to be back", within_s=30)
        two = make_pledge()
        await append_pledge(own_store, two)

        counts = await eventually(
            lambda: applications(pg_pool, schema),
            lambda a: two.pledge_id in a,
            "the pledge after the restart",
            within_s=30,
        )
        assert counts == {one.pledge_id: 1, two.pledge_id: 1}
        assert not task.done(), "the runner gave up instead of backing off"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _stream_ready(own_store: EventStore) -> Any:
    async def probe() -> bool:
        try:
            await own_store.js.stream_info(
                own_store.stream,
            )
        except Exception:
            return False
        return True

    return probe


async def test_the_runner_backs_off_and_resumes_when_its_postgres_connections_are_cut(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool, schema: str
) -> None:
    """What a PostgreSQL restart does to a runner: both its connections end with an admin shutdown."""
    await start_after(pg_pool, schema, await log_end(store), counting)
    projection_runner = runner(counting, nc, servers, schema, max_backoff_s=0.5)
    task = asyncio.create_task(projection_runner.run())
    try:
        one = make_pledge()
        await append_pledge(store, one)
        await eventually(lambda: applications(pg_pool, schema), lambda a: one.pledge_id in a, "the first pledge")

        cut = await pg_pool.fetchval(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name like $1",
            f"projector %{schema}.applications",
        )
        assert cut == 2, "the runner should hold two connections: its lock and its writes"
        two = make_pledge()
        await append_pledge(store, two)

        counts = await eventually(
            lambda: applications(pg_pool, schema), lambda a: two.pledge_id in a, "the pledge after the cut"
        )
        assert (counts[one.pledge_id], counts[two.pledge_id]) == (1, 1)
        assert max(counts.values()) == 1, "some event was applied twice"
        assert not task.done(), "the runner gave up instead of backing off"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_progress_reports_in_one_batch_fold_as_one_report_at_a_time_does(
    store: EventStore, nc: NATS, servers: Servers, pg_pool: asyncpg.Pool
) -> None:
    """Two pledges, reports interleaved: a line reported twice, a month reported twice, months out of order."""
    one_by_one, batched = new_schema(), new_schema()
    start = await log_end(store)
    for s in (one_by_one, batched):
        await start_after(pg_pool, s, start, pledge_board.projection)
    ids = [make_pledge().pledge_id for _ in range(2)]
    for pid in ids:
        await append_pledge(store, make_pledge(pid))
    reports = [
        (ids[0], "2026-05", [("l1", 3.0), ("l2", 1.0)]),
        (ids[1], "2026-05", [("l1", 2.0)]),
        (ids[0], "2026-06", [("l1", 5.0)]),
        (ids[0], "2026-05", [("l2", 4.0)]),
        (ids[1], "2026-04", [("l1", 7.0)]),
    ]
    for pid, month, values in reports:
        entries = tuple(ProgressEntry(line_id=line, current_value=v) for line, v in values)
        event = ProgressReported(pledge_id=pid, period=month, reported_by="m-1", entries=entries)
        boundary = Boundary("pledges", pid)
        last = await store.last_event(boundary)
        await store.append(boundary, [pending(event)], expected=last.raw.seq if last else 0)
    end = await log_end(store)
    try:
        assert await runner(pledge_board.projection, nc, servers, one_by_one, batch=1, until=end).run() == "finished"
        assert await runner(pledge_board.projection, nc, servers, batched, until=end).run() == "finished"
        query = "select pledge_id, progress, reported, last_seq, updated_at from {}.pledges order by pledge_id"
        rows = {s: [tuple(r) for r in await pg_pool.fetch(query.format(s))] for s in (one_by_one, batched)}
        assert rows[batched] == rows[one_by_one]
        board = {r[0]: r for r in rows[batched]}
        assert board[ids[0]][2] == ["2026-05", "2026-06"] and board[ids[1]][2] == ["2026-05", "2026-04"]
        assert {k: v["current_value"] for k, v in json.loads(board[ids[0]][1]).items()} == {"l1": 5.0, "l2": 4.0}
        assert board[ids[0]][3] < board[ids[1]][3] == end
    finally:
        for s in (one_by_one, batched):
            await drop_schema(pg_pool, s)
