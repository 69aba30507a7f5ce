"""Blue/green switch: a projection built in a staging schema replaces its tables in the live schema atomically.

How it works (one transaction): lock the live tables (ACCESS EXCLUSIVE: readers wait a moment, never fail),
move them to a retired schema, move the staging tables into the live schema, and set the live checkpoint
to the staging one. The read API and the live runner address tables by name through their search_path,
so after the commit both use the new tables: no configuration, no restart. The live runner's next batch
finds the checkpoint moved (its fenced update touches no row), rolls back and resumes from the new
checkpoint. Other projections in the live schema, and the score policy's state, are not touched.
"""

from __future__ import annotations

import asyncpg

from services.projections.bookkeeping import TABLES, check_schema_name

BOOKKEEPING = ("checkpoints", "projection_status")
TABLES_IN = "select tablename from pg_tables where schemaname = $1 and tablename <> all($2::text[]) order by 1"
SET_CHECKPOINT = """
insert into {live}.checkpoints (projection, last_seq) values ($1, $2)
on conflict (projection) do update set last_seq = excluded.last_seq, updated_at = now()
"""


def staging_schema(live: str, projection: str) -> str:
    return check_schema_name(f"{live}_next_{projection}"[:63])


def retired_schema(live: str, projection: str) -> str:
    return check_schema_name(f"{live}_old_{projection}"[:63])


async def staged_checkpoint(con: asyncpg.Connection, staging: str, projection: str) -> int:
    q = f"select last_seq from {staging}.checkpoints where projection = $1"
    return int(await con.fetchval(q, projection) or 0)


async def switch(con: asyncpg.Connection, live: str, staging: str, projection: str, *, keep_old: bool = False) -> int:
    """Swap `projection`'s tables from `staging` into `live` in one transaction; returns the live checkpoint now.

    The replaced tables end in `<live>_old_<projection>` when keep_old, else are dropped after the commit.
    """
    retired = retired_schema(live, projection)
    for name in (live, staging):
        check_schema_name(name)
    await con.execute(f"drop schema if exists {retired} cascade")
    tables = [r["tablename"] for r in await con.fetch(TABLES_IN, staging, list(BOOKKEEPING))]
    async with con.transaction():
        await con.execute("set local lock_timeout = '30s'")
        await con.execute(f"create schema if not exists {live}")
        await con.execute(f"set local search_path = {live}")
        await con.execute(TABLES)
        present = {r["tablename"] for r in await con.fetch(TABLES_IN, live, list(BOOKKEEPING))}
        old = [t for t in tables if t in present]
        if old:
            await con.execute(f"lock table {', '.join(f'{live}.{t}' for t in old)} in access exclusive mode")
        await con.execute(f"select 1 from {live}.checkpoints where projection = $1 for update", projection)
        await con.execute(f"create schema {retired}")
        for t in old:
            await con.execute(f"alter table {live}.{t} set schema {retired}")
        for t in tables:
            await con.execute(f"alter table {staging}.{t} set schema {live}")
        seq = await staged_checkpoint(con, staging, projection)
        await con.execute(SET_CHECKPOINT.format(live=live), projection, seq)
        await con.execute(f"delete from {live}.projection_status where projection = $1", projection)
    await con.execute(f"drop schema {staging} cascade")
    if not keep_old:
        await con.execute(f"drop schema {retired} cascade")
    return seq
