"""What the store returns: raw messages off the log and decoded, recorded events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events import Envelope, Event, UnknownEventType, registry, typed_envelope
from shared.subjects import parse_event_subject


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One message of the log, not yet decoded (projections skip most of them by type)."""

    seq: int
    subject: str
    data: bytes

    @property
    def type(self) -> str:
        return self.subject.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """A decoded event with its envelope and its place in the log."""

    seq: int
    subject: str
    envelope: Envelope
    event: Event

    @property
    def boundary_id(self) -> str:
        return parse_event_subject(self.subject).boundary_id

    @property
    def organisation(self) -> str:
        """The organisation that wrote the event (a token of its subject)."""
        return parse_event_subject(self.subject).organisation

    @property
    def recorded_at(self) -> datetime:
        return self.envelope.recorded_at


class AppendedEvent(BaseModel):
    """An event the log accepted: its id, type, subject and stream sequence."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    type: str
    subject: str
    seq: int


class UndecodableEvent(ValueError):
    """A message on the log that this code cannot read; a projection must stop, never skip it."""

    def __init__(self, seq: int, subject: str, reason: str) -> None:
        super().__init__(f"event at seq {seq} ({subject}) cannot be decoded: {reason}")
        self.seq, self.subject, self.reason = seq, subject, reason


def _envelope(data: bytes) -> Envelope:
    """One pass in pydantic-core (a third faster than json.loads + validate, profiled in replays); a message that
    fails goes the old way, so the reason a projection stops with stays what it was (JSONDecodeError, ...)."""
    try:
        return Envelope.model_validate_json(data)
    except ValidationError:
        return Envelope.model_validate(json.loads(data))


def _current(raw: RawEvent) -> RecordedEvent | None:
    """An event of its type's current version, in one typed JSON pass (envelope and payload together: no dict in
    between, half the cost of the general way in replays); None sends it the general way (an old version to
    upcast, a type its subject does not name, a message that fails and must say why)."""
    try:
        model = registry.model(raw.type)
        envelope = typed_envelope(model).model_validate_json(raw.data)
    except (UnknownEventType, ValidationError):
        return None
    if envelope.type != raw.type or envelope.schema_version != model.schema_version:
        return None
    return RecordedEvent(raw.seq, raw.subject, envelope, envelope.data)  # type: ignore[arg-type]


def decode(raw: RawEvent) -> RecordedEvent:
    """Envelope and typed event (upcast to the current version); raises UndecodableEvent.

    The envelope's `data` is not to be read: it is the event (`.event`) or its raw dict, depending on the way.
    """
    fast = _current(raw)
    if fast is not None:
        return fast
    try:
        envelope = _envelope(raw.data)
        payload = registry.decode(envelope.type, envelope.schema_version, envelope.data)
    except Exception as exc:
        raise UndecodableEvent(raw.seq, raw.subject, f"{type(exc).__name__}: {exc}") from exc
    return RecordedEvent(raw.seq, raw.subject, envelope, payload)
