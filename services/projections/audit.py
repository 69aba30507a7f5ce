"""The audit trail (审计): every event with who, when, what, caused by what and correlated with what, hash-chained.

It reads every event undecoded (only the envelope is parsed, so an event type this code does not know
is still audited) and chains each one onto the previous row's hash (`audit_chain`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from services.projections.audit_chain import GENESIS, link
from services.projections.projection import Projection
from shared.events import Envelope
from shared.records import RawEvent
from shared.subjects import parse_event_subject

DDL = """
create table if not exists audit_trail (
  seq            bigint primary key,
  event_id       text not null,
  type           text not null,
  schema_version int not null,
  subject        text not null,
  context        text not null,
  boundary_id    text not null,
  actor_id       text not null,
  actor_role     text not null,
  actor_unit_id  text,
  occurred_at    timestamptz not null,
  recorded_at    timestamptz not null,
  campaign_id    text,
  command_id     text not null,
  correlation_id text not null,
  causation_id   text,
  data           jsonb not null,
  prev_hash      bytea not null,
  hash           bytea not null
);
create index if not exists audit_by_actor on audit_trail (actor_id, seq);
create index if not exists audit_by_type on audit_trail (type, seq);
create index if not exists audit_by_boundary on audit_trail (boundary_id, seq);
create index if not exists audit_by_correlation on audit_trail (correlation_id, seq);
create index if not exists audit_by_causation on audit_trail (causation_id);
create index if not exists audit_by_time on audit_trail (recorded_at, seq);
"""
LAST_HASH = "select hash from audit_trail order by seq desc limit 1"
INSERT = """
insert into audit_trail (seq, event_id, type, schema_version, subject, context, boundary_id, actor_id, actor_role,
  actor_unit_id, occurred_at, recorded_at, campaign_id, command_id, correlation_id, causation_id, data, prev_hash,
  hash)
select * from unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::text[],
  $15::text[], $16::text[], $17::jsonb[], $18::bytea[], $19::bytea[])
"""


async def audit_events(con: asyncpg.Connection, raws: Sequence[RawEvent]) -> None:
    prev: bytes = await con.fetchval(LAST_HASH) or GENESIS
    columns: list[list[object]] = [[] for _ in range(19)]
    for raw in raws:
        env = Envelope.model_validate_json(raw.data)
        context, _, boundary_id, _ = parse_event_subject(raw.subject)
        digest = link(prev, raw.seq, raw.subject, raw.data)
        a = env.actor
        row = (
            raw.seq, env.event_id, env.type, env.schema_version, raw.subject, context, boundary_id, a.member_id,
            a.role.value, a.unit_id, env.occurred_at, env.recorded_at, env.campaign_id, env.command_id,
            env.correlation_id, env.causation_id, json.dumps(env.data, ensure_ascii=False), prev, digest,
        )  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
        prev = digest
    await con.execute(INSERT, *columns)


projection = Projection(name="audit_trail", ddl=DDL, handlers=[], every=audit_events)
