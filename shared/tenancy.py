"""The organisation a piece of work acts for: set from a command's subject, read where boundaries are named.

A context variable rather than a parameter through every handler and decider: the organisation is the
scope of a whole command (like a request's tenant). Only the command server (`shared.commandserver`) and, on
FastStream's path, the broker middleware (`shared.messaging.OrganisationScope`) set it, from the command's
subject; policies instead name the organisation of the event they react to (in the command subject they send
on, or the boundary they append to). Outside any scope it is the single-organisation default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from shared.subjects import DEFAULT_ORGANISATION, check_organisation

_organisation: ContextVar[str] = ContextVar("organisation", default=DEFAULT_ORGANISATION)


def current() -> str:
    """The organisation the running command acts for."""
    return _organisation.get()


@contextmanager
def acting_for(organisation: str) -> Iterator[str]:
    """Run the block for `organisation` (raises BadOrganisation if it is not a subject token)."""
    token = _organisation.set(check_organisation(organisation))
    try:
        yield organisation
    finally:
        _organisation.reset(token)
