"""How a projection fails: transiently (back off, resume from the checkpoint) or at an event (stop, never skip)."""

from __future__ import annotations

import asyncpg
import nats.errors

from services.projections.bookkeeping import CheckpointMoved
from shared.logreader import LogGap


class LeadershipLost(RuntimeError):
    """The advisory lock's connection closed: stop writing and contend for the lock again."""


class ProjectionStopped(Exception):
    """An event this projection cannot apply: it stops right before it, and never skips it."""

    def __init__(self, seq: int, subject: str, reason: str) -> None:
        super().__init__(f"cannot apply seq {seq} ({subject}): {reason}")
        self.seq, self.subject, self.reason = seq, subject, reason


TRANSIENT: tuple[type[BaseException], ...] = (
    LogGap,
    LeadershipLost,
    CheckpointMoved,  # another runner got ahead: back to standby
    OSError,  # includes TimeoutError and ConnectionError
    nats.errors.Error,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now
    asyncpg.exceptions.TransactionRollbackError,  # serialization failure, deadlock
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.InterfaceError,  # the connection is closed
    asyncpg.InternalClientError,  # a connection left mid-operation by a server restart ("cannot switch to state")
)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT)


def describe(exc: BaseException | None) -> str:
    return f"{type(exc).__name__}: {exc}" if exc is not None else "unknown"
