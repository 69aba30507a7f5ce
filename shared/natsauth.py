"""How a process authenticates to NATS: options for nats-py and for FastStream, empty without credentials."""

from __future__ import annotations

from typing import Any

from faststream.security import SASLPlaintext

from shared.settings import Settings

INBOX_ROOT = "_INBOX"


def inbox_prefix(settings: Settings) -> str | None:
    """Reply inboxes of this process: `_INBOX.<user>` so the broker can keep users off each other's replies."""
    if settings.nats_inbox_prefix:
        return settings.nats_inbox_prefix
    return f"{INBOX_ROOT}.{settings.nats_user}" if settings.nats_user else None


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `nats.connect`: user and password or a creds file, and the inbox prefix."""
    options: dict[str, Any] = {}
    if settings.nats_creds_file is not None:
        options["user_credentials"] = str(settings.nats_creds_file)
    if settings.nats_user:
        options["user"] = settings.nats_user
        if settings.nats_password is not None:
            options["password"] = settings.nats_password.get_secret_value()
    prefix = inbox_prefix(settings)
    if prefix:
        options["inbox_prefix"] = prefix
    return options


def broker_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for FastStream's `NatsBroker`, equivalent to `client_options`."""
    options = client_options(settings)
    broker: dict[str, Any] = {k: options[k] for k in ("user_credentials", "inbox_prefix") if k in options}
    if "user" in options:
        broker["security"] = SASLPlaintext(username=options["user"], password=options.get("password", ""))
    return broker
