"""`audit verify`, the work: recompute the hash chain from the stream and compare it, row by row, with the table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from nats.aio.client import Client as NATS

from services.projections.audit_chain import GENESIS, link
from shared.logreader import LogReader
from shared.records import RawEvent

ROWS = """
select seq, subject, event_id, type, actor_id, actor_role, occurred_at, recorded_at, data::text as data, prev_hash, hash
from audit_trail where seq between $1 and $2 order by seq
"""
CHECKPOINT = "select last_seq from checkpoints where projection = 'audit_trail'"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The first row that disagrees with the log: which field, what the log implies, what the table holds."""

    seq: int
    subject: str
    field: str
    expected: str
    stored: str


@dataclass(frozen=True, slots=True)
class Verdict:
    checked: int
    until: int
    mismatch: Mismatch | None


def _expected(raw: RawEvent, prev: bytes) -> dict[str, object]:
    """The row the trail holds for `raw`: the envelope's fields read from its raw JSON, as the trail reads them
    (not validated as an Envelope: the trail records envelopes this code's model would refuse)."""
    env = json.loads(raw.data)
    actor = env["actor"]
    return {
        "subject": raw.subject, "event_id": env["event_id"], "type": env["type"], "actor_id": actor["member_id"],
        "actor_role": actor["role"], "occurred_at": datetime.fromisoformat(env["occurred_at"]),
        "recorded_at": datetime.fromisoformat(env["recorded_at"]), "data": env["data"], "prev_hash": prev,
        "hash": link(prev, raw.seq, raw.subject, raw.data),
    }  # fmt: skip


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def compare(raw: RawEvent, row: asyncpg.Record | None, prev: bytes) -> Mismatch | None:
    want = _expected(raw, prev)
    if row is None:
        return Mismatch(raw.seq, raw.subject, "row", "a row for this event", "no row")
    for name, value in want.items():
        held = json.loads(row[name]) if name == "data" else row[name]
        if held != value:
            return Mismatch(raw.seq, raw.subject, name, _show(value), _show(held))
    return None


async def verify(nc: NATS, stream: str, db: asyncpg.Connection, batch: int = 1000) -> Verdict:
    """Every event up to the audit trail's checkpoint: the first mismatch, or None with the count checked."""
    until = int(await db.fetchval(CHECKPOINT) or 0)
    prev, checked = GENESIS, 0
    if until == 0:
        return Verdict(0, 0, None)
    async for raws in LogReader(nc, stream, batch).batches(0, until):
        if not raws:
            continue
        rows = {r["seq"]: r for r in await db.fetch(ROWS, raws[0].seq, raws[-1].seq)}
        for raw in raws:
            found = compare(raw, rows.get(raw.seq), prev)
            if found is not None:
                return Verdict(checked, until, found)
            prev, checked = link(prev, raw.seq, raw.subject, raw.data), checked + 1
    extra = await db.fetchval("select min(seq) from audit_trail where seq > $1", until)
    if extra is not None:
        return Verdict(checked, until, Mismatch(extra, "?", "row", "no row past the checkpoint", f"row {extra}"))
    return Verdict(checked, until, None)
