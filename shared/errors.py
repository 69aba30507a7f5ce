"""Domain errors with stable codes; raised by deciders, turned into error replies by the broker."""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal[
    "validation_error",
    "not_found",
    "forbidden",
    "conflict",
    "rule_violated",
    "unavailable",
    "internal_error",
]


class DomainError(Exception):
    """A command that must not happen; nothing is appended."""

    code: ErrorCode = "rule_violated"

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


class RuleViolated(DomainError):
    """A named business rule forbids the command (`rule` names it)."""

    code: ErrorCode = "rule_violated"

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message, rule=rule)


class NotFound(DomainError):
    code: ErrorCode = "not_found"


class Forbidden(DomainError):
    code: ErrorCode = "forbidden"


class OtherOrganisation(Forbidden):
    """The boundary was written by another organisation: ids are taken once per deployment."""

    def __init__(self, context: str, boundary_id: str) -> None:
        super().__init__(f"{context} {boundary_id} belongs to another organisation", rule="organisation")


class CommandIdTaken(RuleViolated):
    """Another member already sent a command with this id to this boundary; a retry must come from its sender."""

    def __init__(self, command_id: str, context: str, boundary_id: str) -> None:
        super().__init__(
            "command_id_taken",
            f"command id {command_id} was already used on {context} {boundary_id} by another sender:"
            " a new command needs a new id",
        )


class Conflict(DomainError):
    """The boundary kept moving: the bounded decide-append retries ran out."""

    code: ErrorCode = "conflict"
