"""What every command carries, and the reply every command gets."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import ErrorCode
from shared.events import Actor
from shared.ids import Id
from shared.records import AppendedEvent


class Command(BaseModel):
    """Base of every command: an id for idempotency, the actor, and the correlation chain."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_max_length=10_000)

    command_id: Id = Field(description="chosen by the sender; a retry with the same id is applied once")
    actor: Actor
    correlation_id: Id | None = Field(default=None, description="defaults to the command id")
    causation_id: Id | None = None


class ErrorBody(BaseModel):
    """Why a command was refused: a stable code, the rule's name where one applies, and a message."""

    code: ErrorCode
    message: str
    rule: str | None = None
    details: list[dict[str, Any]] | None = None


class Reply(BaseModel):
    """The answer to every command: the accepted events, or an error; `duplicate` marks a retry."""

    ok: bool
    events: list[AppendedEvent] = Field(default_factory=list)
    duplicate: bool = False
    error: ErrorBody | None = None

    @classmethod
    def accepted(cls, events: list[AppendedEvent], duplicate: bool = False) -> Reply:
        return cls(ok=True, events=events, duplicate=duplicate)

    @classmethod
    def refused(
        cls,
        code: ErrorCode,
        message: str,
        rule: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> Reply:
        return cls(ok=False, error=ErrorBody(code=code, message=message, rule=rule, details=details))
