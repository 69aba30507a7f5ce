"""A projection's bookkeeping in its schema: the checkpoint (fenced) and its status when it stopped."""

from __future__ import annotations

import re

import asyncpg

from services.projections.projection import Projection

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

TABLES = """
create table if not exists checkpoints (
  projection text primary key,
  last_seq   bigint not null default 0,
  updated_at timestamptz not null default now()
);
create table if not exists projection_status (
  projection text primary key,
  state      text not null,
  error      text,
  seq        bigint,
  subject    text,
  updated_at timestamptz not null default now()
);
"""
CREATE_SCHEMA = "select format('create schema if not exists %I', $1::text)"
# DDL of concurrent runners would race on the catalog (`create ... if not exists` is not atomic)
DDL_LOCK = "select pg_advisory_xact_lock(hashtextextended('pacesetter.projections.ddl', 0))"
INDEX_BUILD_MEMORY = "256MB"
ADD_CHECKPOINT = "insert into checkpoints (projection) values ($1) on conflict do nothing"
READ_CHECKPOINT = "select last_seq from checkpoints where projection = $1"
ADVANCE = "update checkpoints set last_seq = $3, updated_at = now() where projection = $1 and last_seq = $2"
SET_STATUS = """
insert into projection_status (projection, state, error, seq, subject) values ($1, $2, $3, $4, $5)
on conflict (projection) do update set state = excluded.state, error = excluded.error, seq = excluded.seq,
  subject = excluded.subject, updated_at = now()
"""


class CheckpointMoved(RuntimeError):
    """The checkpoint is not where this runner left it: another runner is (or was) active."""


def check_schema_name(schema: str) -> str:
    """The name itself, or ValueError: schemas are plain lower-case identifiers."""
    if not SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"schema name {schema!r} must match {SCHEMA_NAME.pattern}")
    return schema


async def prepare(con: asyncpg.Connection, schema: str, projection: Projection, *, indexes: bool = True) -> None:
    """Create the schema, the bookkeeping tables, the projection's tables (with their secondary indexes unless
    `indexes` is False) and its checkpoint row."""
    async with con.transaction():
        await con.execute(DDL_LOCK)
        await con.execute(await con.fetchval(CREATE_SCHEMA, check_schema_name(schema)))
        await con.execute(TABLES)
        await con.execute(projection.ddl)
        if indexes and projection.indexes:
            await con.execute(projection.indexes)
        await con.execute(ADD_CHECKPOINT, projection.name)


async def add_indexes(con: asyncpg.Connection, projection: Projection) -> None:
    """Create the projection's secondary indexes that are missing (after a build loaded its tables)."""
    if projection.indexes:
        async with con.transaction():
            # the default 64MB sorts a million audit rows on disk: building its indexes took about half again as long
            await con.execute(f"set local maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
            await con.execute(projection.indexes)


async def read_checkpoint(con: asyncpg.Connection, projection: str) -> int:
    return int(await con.fetchval(READ_CHECKPOINT, projection))


async def advance(con: asyncpg.Connection, projection: str, from_seq: int, to_seq: int) -> None:
    """Move the checkpoint from `from_seq` to `to_seq`; raises CheckpointMoved if it was not at `from_seq`."""
    if await con.execute(ADVANCE, projection, from_seq, to_seq) != "UPDATE 1":
        raise CheckpointMoved(f"checkpoint of {projection} is no longer at {from_seq}: another runner moved it")


async def mark_running(con: asyncpg.Connection, projection: str) -> None:
    await con.execute(SET_STATUS, projection, "running", None, None, None)


async def mark_stopped(con: asyncpg.Connection, projection: str, seq: int, subject: str, error: str) -> None:
    await con.execute(SET_STATUS, projection, "stopped", error, seq, subject)
