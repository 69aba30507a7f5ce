"""The audit trail (审计): every event with who, when, what, caused by what and correlated with what, hash-chained.

It reads every event undecoded (only the envelope's fields are read, by PostgreSQL, so an event type this code
does not know is still audited) and chains each one onto the previous row's hash (`audit_chain`).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.projections.audit_chain import GENESIS, link
from services.projections.projection import Projection
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
"""
INDEXES = """
create index if not exists audit_by_actor on audit_trail (actor_id, seq);
create index if not exists audit_by_type on audit_trail (type, seq);
create index if not exists audit_by_boundary on audit_trail (boundary_id, seq);
create index if not exists audit_by_correlation on audit_trail (correlation_id, seq);
create index if not exists audit_by_causation on audit_trail (causation_id);
create index if not exists audit_by_time on audit_trail (recorded_at, seq);
"""
LAST_HASH = "select hash from audit_trail order by seq desc limit 1"
# PostgreSQL reads the envelope's fields from the raw JSON (parsed once, as jsonb): parsing it in Python and
# serialising `data` again was most of the trail's cost. A message that is not JSON, or lacks a field the
# trail needs, fails here and stops the trail at that event.
INSERT = """
insert into audit_trail (seq, event_id, type, schema_version, subject, context, boundary_id, actor_id, actor_role,
  actor_unit_id, occurred_at, recorded_at, campaign_id, command_id, correlation_id, causation_id, data, prev_hash,
  hash)
select r.seq, e->>'event_id', e->>'type', (e->>'schema_version')::int, r.subject, r.context, r.boundary_id,
  e->'actor'->>'member_id', e->'actor'->>'role', e->'actor'->>'unit_id', (e->>'occurred_at')::timestamptz,
  (e->>'recorded_at')::timestamptz, e->>'campaign_id', e->>'command_id', e->>'correlation_id', e->>'causation_id',
  e->'data', r.prev_hash, r.hash
from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bytea[], $7::bytea[])
  as r(seq, subject, context, boundary_id, e, prev_hash, hash)
"""


async def audit_events(con: asyncpg.Connection, raws: Sequence[RawEvent]) -> None:
    prev: bytes = await con.fetchval(LAST_HASH) or GENESIS
    seqs, subjects, contexts, boundaries, envelopes, prevs, hashes = [], [], [], [], [], [], []
    for raw in raws:
        context, _, boundary_id, _ = parse_event_subject(raw.subject)
        digest = link(prev, raw.seq, raw.subject, raw.data)
        seqs.append(raw.seq)
        subjects.append(raw.subject)
        contexts.append(context)
        boundaries.append(boundary_id)
        envelopes.append(raw.data.decode())
        prevs.append(prev)
        hashes.append(digest)
        prev = digest
    await con.execute(INSERT, seqs, subjects, contexts, boundaries, envelopes, prevs, hashes)


projection = Projection(name="audit_trail", ddl=DDL, handlers=[], every=audit_events, indexes=INDEXES)
