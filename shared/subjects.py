"""The subject scheme: ps.evt.<context>.<boundary>.<EventType> and ps.cmd.<context>.<CommandName>."""

from __future__ import annotations

from dataclasses import dataclass

EVENTS_ROOT = "ps.evt"
COMMANDS_ROOT = "ps.cmd"
HEALTH_ROOT = "ps.sys.health"


@dataclass(frozen=True, slots=True)
class Boundary:
    """One consistency boundary: the events under ps.evt.<context>.<id>.*"""

    context: str
    id: str

    @property
    def filter(self) -> str:
        return f"{EVENTS_ROOT}.{self.context}.{self.id}.*"

    def subject(self, event_type: str) -> str:
        return f"{EVENTS_ROOT}.{self.context}.{self.id}.{event_type}"


def command_subject(context: str, command_name: str) -> str:
    return f"{COMMANDS_ROOT}.{context}.{command_name}"


def health_subject(service: str) -> str:
    return f"{HEALTH_ROOT}.{service}"


def parse_event_subject(subject: str) -> tuple[str, str, str]:
    """(context, boundary id, event type) of an event subject."""
    _, _, context, boundary_id, event_type = subject.split(".", 4)
    return context, boundary_id, event_type
