"""The subject scheme: ps.evt.<context>.<organisation>.<boundary>.<EventType> and
ps.cmd.<context>.<organisation>.<CommandName>.

The organisation (the tenant: one organiser's deployment share) is a subject token so that the broker can
scope an integration user to its own commands and events; see docs/security.md. A boundary's identity is
(context, id) across organisations: its filter has a wildcard for the organisation, so an id is taken once in
the whole deployment and two organisations can never write one boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from shared.ids import TOKEN

EVENTS_ROOT = "ps.evt"
COMMANDS_ROOT = "ps.cmd"
HEALTH_ROOT = "ps.sys.health"
DEFAULT_ORGANISATION = "default"
_TOKEN = re.compile(rf"^{TOKEN}$")


class BadOrganisation(ValueError):
    """An organisation that cannot be a subject token."""


def check_organisation(organisation: str) -> str:
    """The organisation, if it is a valid subject token (letters, digits, '_' and '-', at most 64)."""
    if not _TOKEN.match(organisation):
        raise BadOrganisation(f"organisation {organisation!r} must match {_TOKEN.pattern}")
    return organisation


@dataclass(frozen=True, slots=True)
class Boundary:
    """One consistency boundary: the events under ps.evt.<context>.*.<id>.*, written by one organisation."""

    context: str
    id: str
    organisation: str = DEFAULT_ORGANISATION

    @property
    def filter(self) -> str:
        """Every event of the boundary whatever the organisation: the OCC guard and the load use it."""
        return f"{EVENTS_ROOT}.{self.context}.*.{self.id}.*"

    def subject(self, event_type: str) -> str:
        return f"{EVENTS_ROOT}.{self.context}.{self.organisation}.{self.id}.{event_type}"


class EventSubject(NamedTuple):
    """The tokens of an event's subject."""

    context: str
    organisation: str
    boundary_id: str
    type: str


def command_subject(context: str, command_name: str, organisation: str = DEFAULT_ORGANISATION) -> str:
    return f"{COMMANDS_ROOT}.{context}.{organisation}.{command_name}"


def command_pattern(context: str, command_name: str) -> str:
    """What a service subscribes to: the command for every organisation (FastStream path parameter)."""
    return f"{COMMANDS_ROOT}.{context}.{{organisation}}.{command_name}"


def organisation_of_command(subject: str) -> str:
    """The organisation token of a command subject (BadOrganisation if it has none)."""
    tokens = subject.split(".")
    if len(tokens) != 5:
        raise BadOrganisation(f"{subject!r} is not {COMMANDS_ROOT}.<context>.<organisation>.<Command>")
    return tokens[3]


def organisation_events(organisation: str) -> str:
    """Every event of one organisation (an integration user's read permission and filter)."""
    return f"{EVENTS_ROOT}.*.{organisation}.>"


def health_subject(service: str) -> str:
    return f"{HEALTH_ROOT}.{service}"


class BadSubject(ValueError):
    """A subject that is not an event subject of this scheme."""


def parse_event_subject(subject: str) -> EventSubject:
    """The context, organisation, boundary id and event type of an event subject (BadSubject if it is not one)."""
    tokens = subject.split(".")
    if len(tokens) != 6 or f"{tokens[0]}.{tokens[1]}" != EVENTS_ROOT or not all(tokens):
        raise BadSubject(f"{subject!r} is not {EVENTS_ROOT}.<context>.<organisation>.<boundary>.<Type>")
    return EventSubject(tokens[2], tokens[3], tokens[4], tokens[5])


def subject_matches(subject_filter: str, subject: str) -> bool:
    """Whether `subject` is in `subject_filter` by NATS's rules ('*' one token, '>' the rest)."""
    want, have = subject_filter.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(want) == len(have)
