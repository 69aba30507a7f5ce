"""Property: for random event sequences, a rebuild from sequence 1 gives the same tables as incremental passes.

Each example gets a private nats-server (its log starts at 1) and two schemas: one built in several runner
passes with varying `until` and batch sizes, one rebuilt in a single pass. The score policy runs first
(and a second instance must append nothing); the leaderboard totals, the ledger and the audit trail
must then be identical, and the audit chain must verify against the raw log.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import nats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.projections import audit, scores_board
from services.projections.audit_chain import verify
from services.projections.runner import ProjectionRunner
from services.scores.runner import score_policy
from shared.events import Event
from shared.events.campaigns import ScoringRule
from shared.eventstore import EventStore
from shared.logreader import LogReader
from shared.runtime.embedded import EmbeddedNats
from tests.conftest import Servers
from tests.integration.projections_support import new_schema
from tests.support.campaigns import launched
from tests.support.scores import STAR_RULE, amended, append, granted, results, revoked

UNITS = ("u-a", "u-b", "u-c")
TABLES = {
    "score_totals": "campaign_id, period_kind, period, subject_kind, subject_id",
    "score_ledger": "seq",
    "audit_trail": "seq",
}
READ_MODELS = (scores_board.projection, audit.projection)

Step = tuple[Event, int]  # an event and the month it occurred in


@st.composite
def histories(draw: st.DrawFn) -> list[Step]:
    steps: list[Step] = [(launched(), 1)]
    grants: list[Any] = []
    for _ in range(draw(st.integers(1, 10))):
        month = draw(st.integers(1, 12))
        match draw(st.sampled_from(("flag", "star", "revoke", "amend", "grade"))):
            case "flag" | "star" as what:
                period = "2026-H1" if month <= 6 else "2026-H2"
                winner = draw(st.sampled_from(UNITS)) if what == "flag" else draw(st.sampled_from(("m-1", "m-2")))
                grant = granted(winner, "vanguard_flag" if what == "flag" else "model_star", period)
                grants.append(grant)
                steps.append((grant, month))
            case "revoke" if grants:
                steps.append((revoked(grants.pop(draw(st.integers(0, len(grants) - 1)))), month))
            case "amend":
                points = draw(st.sampled_from((0.5, 1, 2)))
                rule = ScoringRule(rule_id=f"flag{int(points * 10)}", trigger="award:vanguard_flag", points=points)
                steps.append((amended(date(2026, draw(st.integers(1, 12)), 1), rule, STAR_RULE), month))
            case "grade":
                fail = ScoringRule(rule_id="fail", trigger="grade:不合格", points=-1)
                steps.append((amended(date(2026, 1, 1), STAR_RULE, fail), month))
                steps.append((results((draw(st.sampled_from(UNITS)), "不合格")), month))
    return steps


async def build(nc: Any, database_url: str, stream: str, schema: str, cuts: list[int], batches: list[int]) -> None:
    for until, batch in zip(cuts, batches, strict=True):
        for p in READ_MODELS:
            assert (
                await ProjectionRunner(p, nc, database_url, stream, schema, batch=batch, until=until).run()
                == "finished"
            )


async def dump(con: asyncpg.Connection, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table, order in TABLES.items():
        rows = await con.fetch(f"select * from {schema}.{table} order by {order}")
        out[table] = [tuple(r) for r in rows]
    return out


async def example(
    root: Path, database_url: str, steps: list[Step], cut_fractions: list[float], batches: list[int]
) -> None:
    server = EmbeddedNats(root)
    nc = None
    con = await asyncpg.connect(database_url)
    schemas = [new_schema("inc"), new_schema("full"), new_schema("pol"), new_schema("pol")]
    try:
        nc = await nats.connect(server.start(), max_reconnect_attempts=-1)
        store = EventStore(nc, "PACESETTER")
        await store.ensure_stream()
        for event, month in steps:
            await append(store, [event], datetime(2026, month, 15, tzinfo=UTC))
        end = int((await store.js.stream_info("PACESETTER")).state.last_seq)
        for policy_schema in schemas[2:]:
            runner = ProjectionRunner(score_policy(store), nc, database_url, "PACESETTER", policy_schema, until=end)
            assert await runner.run() == "finished"
        final = int((await store.js.stream_info("PACESETTER")).state.last_seq)
        cuts = sorted({max(1, int(f * final)) for f in cut_fractions} | {final})
        await build(
            nc, database_url, "PACESETTER", schemas[0], cuts, [batches[i % len(batches)] for i in range(len(cuts))]
        )
        await build(nc, database_url, "PACESETTER", schemas[1], [final], [500])
        incremental, rebuilt = await dump(con, schemas[0]), await dump(con, schemas[1])
        assert incremental == rebuilt
        assert len(rebuilt["audit_trail"]) == final
        raws = [r async for batch in LogReader(nc, "PACESETTER").batches(0, final) for r in batch]
        assert verify(raws, {row[0]: bytes(row[-1]) for row in rebuilt["audit_trail"]}) is None
    finally:
        for schema in schemas:
            await con.execute(await con.fetchval("select format('drop schema if exists %I cascade', $1::text)", schema))
        await con.close()
        if nc is not None:
            await nc.close()
        server.stop()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=histories(),
    cut_fractions=st.lists(st.floats(0, 1), min_size=1, max_size=4),
    batches=st.lists(st.sampled_from((1, 2, 3, 50)), min_size=1, max_size=3),
)
def test_a_rebuild_from_sequence_1_equals_the_incremental_build(
    servers: Servers, tmp_path: Path, steps: list[Step], cut_fractions: list[float], batches: list[int]
) -> None:
    root = tmp_path / f"nats-{len(list(tmp_path.iterdir()))}"
    asyncio.run(example(root, servers.database_url, steps, cut_fractions, batches))
