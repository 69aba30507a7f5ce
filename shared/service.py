"""One service process: a FastStream app, a broker, the event store connection and a health reply."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import nats
import structlog
from faststream import FastStream
from faststream.nats import NatsRouter
from nats.aio.client import Client as NATS

from shared import gcpolicy
from shared.commands import Command
from shared.commandserver import CommandRoute, CommandServer
from shared.eventstore import EventStore
from shared.logging import configure_logging
from shared.messaging import make_broker
from shared.natsauth import broker_options, client_options
from shared.settings import Settings, get_settings
from shared.shell import CommandShell, Decider
from shared.subjects import command_pattern, health_subject

C = TypeVar("C", bound=Command)
S = TypeVar("S")
F = TypeVar("F", bound=Callable[..., Any])


class ServiceNotStarted(RuntimeError):
    """A handler ran before the service connected to the log."""


class Service:
    """The shell of one write service; handlers reach the log through `shell()`."""

    def __init__(self, name: str, settings: Settings | None = None) -> None:
        self.name = name
        self.settings = settings or get_settings()
        self.broker = make_broker(self.settings.nats_url, **broker_options(self.settings))
        self.app = FastStream(self.broker, lifespan=self._lifespan)
        # the command subscribers: the contract (AsyncAPI) and what TestNatsBroker runs; a running process
        # serves the same routes below FastStream (shared/commandserver.py says why)
        self.contract = NatsRouter()
        self.broker.include_router(self.contract)
        self._routes: list[CommandRoute] = []
        self._nc: NATS | None = None
        self._store: EventStore | None = None
        self._commands: CommandServer | None = None
        self._shells: dict[str, CommandShell[Any, Any]] = {}
        self.broker.subscriber(health_subject(name))(self._health)

    def command(self, command_name: str) -> Callable[[F], F]:
        """Subscribe a handler to ps.cmd.<service>.<organisation>.<command_name> in the service's queue group.

        Every organisation's commands come to the same handler, which runs for the subject's organisation.

        Handlers run concurrently (max_workers): each waits on the log twice per command, so a
        one-at-a-time subscriber would cap a replica near 1/RTT commands per second.
        """

        def register(handler: F) -> F:
            subject = command_pattern(self.name, command_name)
            self.contract.subscriber(subject, queue=self.name, max_workers=self.settings.command_concurrency)(handler)
            self._routes.append(CommandRoute.of(subject, handler))
            return handler

        return register

    @property
    def store(self) -> EventStore:
        if self._store is None:
            raise ServiceNotStarted(f"{self.name} is not connected to the log yet")
        return self._store

    def shell(self, context: str, decider: Decider[C, S]) -> CommandShell[C, S]:
        """The (cached) command shell for one kind of boundary of this service."""
        key = f"{context}:{id(decider)}"
        if key not in self._shells:
            self._shells[key] = CommandShell(self.store, context, decider, self.settings.occ_max_attempts)
        return self._shells[key]

    async def _health(self) -> dict[str, Any]:
        return {"service": self.name, "ok": self._store is not None, "pid": os.getpid(), "gc_frozen": gcpolicy.frozen()}

    @asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        configure_logging(self.settings.log_level, self.settings.log_json)
        structlog.contextvars.bind_contextvars(service=self.name)
        self._nc = await nats.connect(
            self.settings.nats_url or "nats://127.0.0.1:4222",
            max_reconnect_attempts=-1,
            **client_options(self.settings),
        )
        store = EventStore(self._nc, self.settings.stream_name, self.settings.command_timeout_s)
        await store.ensure_stream(self.settings.stream_replicas, self.settings.duplicate_window_s)
        self._store = store
        if self.contract in self.broker.routers:  # the broker starts after this: it must not take commands too
            self.broker.routers.remove(self.contract)
        self._commands = CommandServer(self._nc, self.name, self.settings.command_concurrency)
        await self._commands.start(self._routes)
        gcpolicy.install(self.settings.gc_sweep_s)
        structlog.get_logger(self.name).info("service ready", stream=self.settings.stream_name)
        try:
            yield
        finally:
            await self._commands.stop(self.settings.command_timeout_s)
            self._store = None
            await self._nc.drain()
