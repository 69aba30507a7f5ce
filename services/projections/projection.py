"""What a projection is: a name, its DDL, and one set-based handler per event type it reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg

from shared.events import Event
from shared.records import RawEvent, RecordedEvent, UndecodableEvent

E = TypeVar("E", bound=Event)

Applied = Sequence[tuple[RecordedEvent, E]]
EveryEvent = Callable[[asyncpg.Connection, Sequence[RawEvent]], Awaitable[None]]


@dataclass(frozen=True)
class On(Generic[E]):
    """How a run of consecutive `event` events changes the tables: one set-based `apply` call.

    `apply` gets the connection (search_path = the target schema, inside the batch's transaction)
    and the run as (recorded event, typed payload) pairs in log order.
    """

    event: type[E]
    apply: Callable[[asyncpg.Connection, Applied[E]], Awaitable[None]]

    @property
    def type_name(self) -> str:
        return self.event.type_name

    async def run(self, con: asyncpg.Connection, run: Sequence[RecordedEvent]) -> None:
        """Apply the run; raises UndecodableEvent if an envelope's type disagrees with its subject."""
        typed: list[tuple[RecordedEvent, E]] = []
        for rec in run:
            # the exact type first: isinstance on a pydantic model goes through ABCMeta, slow per event
            if type(rec.event) is not self.event and not isinstance(rec.event, self.event):
                reason = f"subject says {self.type_name}, envelope says {type(rec.event).__name__}"
                raise UndecodableEvent(rec.seq, rec.subject, reason)
            typed.append((rec, rec.event))
        await self.apply(con, typed)


@dataclass(frozen=True)
class Projection:
    """A read model: tables created by `ddl` (unqualified names, idempotent) and fed by `handlers`.

    The runner sets the connection's search_path to the target schema, so the same projection
    builds into the live schema, a blue/green side schema or a point-in-time schema.
    A projection of every event (the audit trail) gives `every` instead of handlers: it gets each batch's
    raw events, undecoded, in log order.
    `indexes` is the idempotent DDL of the secondary indexes: a runner following the log creates them with the
    tables, a build (`until`) once it is done, since loading unindexed tables and indexing them after costs
    PostgreSQL a fraction of maintaining every index row by row.
    """

    name: str
    ddl: str
    handlers: Sequence[On[Any]]
    every: EveryEvent | None = None
    indexes: str = ""
    _by_type: dict[str, On[Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_type = {h.type_name: h for h in self.handlers}
        if len(by_type) != len(self.handlers):
            raise ValueError(f"projection {self.name}: two handlers for one event type")
        if self.every is not None and self.handlers:
            raise ValueError(f"projection {self.name}: `every` or handlers, not both")
        object.__setattr__(self, "_by_type", by_type)

    def handler(self, type_name: str) -> On[Any] | None:
        return self._by_type.get(type_name)
