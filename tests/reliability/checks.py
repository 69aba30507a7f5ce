"""What must hold after a fault: each acknowledged command in the log exactly once; projections equal a rebuild."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict

import asyncpg
from nats.aio.client import Client as NATS

from services.projections import catalog
from services.projections.build import build
from shared.logreader import LogGap, LogReader
from shared.settings import Settings
from tests.integration.projections_support import drop_schema, eventually, new_schema
from tests.reliability.load import Ledger

BOOKKEEPING = ("checkpoints", "projection_status")


async def last_seq(nc: NATS, stream: str) -> int:
    return int((await nc.jetstream().stream_info(stream)).state.last_seq)


async def events_by_command(nc: NATS, stream: str) -> dict[str, list[tuple[int, str]]]:
    """(sequence, event id) of every event in the log, by the command id in its envelope."""
    end = await last_seq(nc, stream)
    for _ in range(5):  # a consumer lost to a leader change (LogGap) means: read again from the start
        out: dict[str, list[tuple[int, str]]] = defaultdict(list)
        if end == 0:
            return out
        try:
            async for batch in LogReader(nc, stream, batch=1000).batches(after=0, until=end):
                for raw in batch:
                    envelope = json.loads(raw.data)
                    out[envelope["command_id"]].append((raw.seq, envelope["event_id"]))
        except LogGap:
            await asyncio.sleep(1)
            continue
        return out
    raise AssertionError(f"could not read the log of {stream} to seq {end} in 5 attempts")


async def assert_each_acknowledged_command_once(nc: NATS, stream: str, ledger: Ledger) -> int:
    """Every acknowledged command's events are in the log once, at the replied sequences; refused ones append
    nothing; nothing else is in the log. Returns the number of events checked."""
    logged = await events_by_command(nc, stream)
    acked = ledger.acknowledged
    assert acked, "no command was acknowledged: the load did not run"
    missing = [cid for cid, r in acked.items() if r.events and cid not in logged]
    assert not missing, f"{len(missing)} acknowledged command(s) not in the log, e.g. {missing[:3]}"
    twice = {cid: evs for cid, evs in logged.items() if len({e for _, e in evs}) != len(evs)}
    assert not twice, f"event ids stored twice: {list(twice.items())[:3]}"
    for cid, reply in acked.items():
        stored = sorted(seq for seq, _ in logged.get(cid, []))
        replied = sorted(e.seq for e in reply.events)
        assert stored == replied, f"command {cid}: replied seqs {replied}, log has {stored} (applied twice?)"
    refused_but_logged = [cid for cid, r in ledger.replies.items() if not r.ok and cid in logged]
    assert not refused_but_logged, f"refused commands with events in the log: {refused_but_logged[:3]}"
    strays = set(logged) - set(ledger.commands)
    assert not strays, f"events of commands nobody sent: {sorted(strays)[:3]}"
    return sum(len(v) for v in logged.values())


async def checkpoints(pool: asyncpg.Pool, schema: str) -> dict[str, int]:
    try:
        rows = await pool.fetch(f"select projection, last_seq from {schema}.checkpoints")
    except asyncpg.UndefinedTableError:
        return {}
    return {r["projection"]: int(r["last_seq"]) for r in rows}


async def wait_caught_up(pool: asyncpg.Pool, schema: str, seq: int, within_s: float = 60.0) -> None:
    """Until every live projection's checkpoint in `schema` reaches `seq`."""
    names = set(catalog.PROJECTIONS)

    def done(cps: dict[str, int]) -> bool:
        return set(cps) >= names and all(v >= seq for v in cps.values())

    await eventually(lambda: checkpoints(pool, schema), done, f"projections in {schema} at seq {seq}", within_s)


async def tables(pool: asyncpg.Pool, schema: str) -> list[str]:
    rows = await pool.fetch("select table_name from information_schema.tables where table_schema = $1", schema)
    return sorted(r["table_name"] for r in rows if r["table_name"] not in BOOKKEEPING)


async def assert_equal_tables(pool: asyncpg.Pool, live: str, clean: str) -> None:
    """Every table a clean rebuild has (policies' state in `live` aside) holds the same rows in both."""
    names, live_names = await tables(pool, clean), await tables(pool, live)
    assert names and set(names) <= set(live_names), f"tables of a clean rebuild {names}, live {live_names}"
    for t in names:
        for a, b in ((live, clean), (clean, live)):
            diff = await pool.fetch(f"select * from {a}.{t} except all select * from {b}.{t} limit 3")
            assert diff == [], f"{t}: rows in {a} but not in {b}: {diff}"


async def assert_equals_clean_rebuild(pool: asyncpg.Pool, settings: Settings, live: str, until: int) -> None:
    """Build every projection from sequence 1 into a fresh schema and compare every table with `live`."""
    clean = new_schema("clean")
    try:
        built, outcomes = await build(settings, clean, until, 1000)
        assert built == until and set(outcomes.values()) == {"finished"}, outcomes
        clean_cps = await checkpoints(pool, clean)
        live_cps = {k: v for k, v in (await checkpoints(pool, live)).items() if k in clean_cps}
        assert live_cps == clean_cps, f"checkpoints: live {live_cps}, clean rebuild {clean_cps}"
        await assert_equal_tables(pool, live, clean)
    finally:
        await drop_schema(pool, clean)
