"""The envelope every event travels in, and the actor who caused it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from shared.ids import Id


class Role(StrEnum):
    """Who an actor acts as (see DOMAIN.md, roles)."""

    member = "member"
    unit_head = "unit_head"
    office = "office"
    committee = "committee"
    voter = "voter"
    admin = "admin"
    system = "system"


class Actor(BaseModel):
    """The person (or system) a command acts for, and in which role."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: Id
    role: Role
    unit_id: Id | None = None


class Envelope(BaseModel):
    """What is stored for each event: metadata for audit and correlation, and the payload in `data`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    type: str
    schema_version: int = Field(ge=1)
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    command_id: str
    campaign_id: str | None = None
    correlation_id: str
    causation_id: str | None = None
    data: dict[str, Any]


@cache
def typed_envelope(payload: type[BaseModel]) -> type[Envelope]:
    """The envelope with `data` typed as `payload`: one JSON pass validates both (and documents both).

    Its `data` is the payload model, not a dict, so code that reads it gets the event itself.
    """
    fields: Any = {"data": (payload, ...)}
    model: type[Envelope] = create_model(f"{payload.__name__}Envelope", __base__=Envelope, **fields)
    model.__doc__ = payload.__doc__
    return model
