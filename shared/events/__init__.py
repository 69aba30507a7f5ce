"""The public contract: every event type, importable from here so the registry is complete."""

from shared.events import awards, campaigns, evaluation, organisation, pledges, scores
from shared.events.envelope import Actor, Envelope, Role, typed_envelope
from shared.events.registry import Event, EventRegistry, UnknownEventType, event, registry

__all__ = [
    "Actor",
    "Envelope",
    "Event",
    "EventRegistry",
    "Role",
    "UnknownEventType",
    "awards",
    "campaigns",
    "evaluation",
    "event",
    "organisation",
    "pledges",
    "registry",
    "scores",
    "typed_envelope",
]
