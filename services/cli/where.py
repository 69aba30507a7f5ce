"""Settings pointed at the running stack: NATS_URL / DATABASE_URL if set, else what `up` wrote to stack.json."""

from __future__ import annotations

from services.cli.status import Target, target
from shared.runtime.stackfile import NoRunningStack
from shared.settings import Settings


def stack_settings(settings: Settings | None = None) -> tuple[Settings, Target]:
    """(settings with nats_url, database_url and stream_name filled in, where the stack is); raises NoRunningStack."""
    settings = settings or Settings()
    where = target(settings)
    if where.database_url is None:
        raise NoRunningStack("DATABASE_URL is not set and no running stack names one")
    filled = settings.model_copy(
        update={"nats_url": where.nats_url, "database_url": where.database_url, "stream_name": where.stream}
    )
    return filled, where
