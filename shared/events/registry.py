"""Event types by name and schema version, and the upcasters that lift old versions on read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class Event(BaseModel):
    """A fact that happened; frozen, named in the past tense, part of the public contract."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type_name: ClassVar[str]
    schema_version: ClassVar[int] = 1


E = TypeVar("E", bound=type[Event])


class UnknownEventType(LookupError):
    """The log holds a type or version this code does not know."""


class EventRegistry:
    """Maps a type name to its current model, and (type, old version) to an upcaster."""

    def __init__(self) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: E) -> E:
        cls.type_name = cls.__name__
        if cls.type_name in self._types:
            raise ValueError(f"event type {cls.type_name} registered twice")
        self._types[cls.type_name] = cls
        return cls

    def upcaster(self, type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function that turns version `from_version` data into `from_version + 1`."""

        def add(fn: Upcaster) -> Upcaster:
            self._upcasters[(type_name, from_version)] = fn
            return fn

        return add

    def model(self, type_name: str) -> type[Event]:
        try:
            return self._types[type_name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {type_name!r}") from None

    def decode(self, type_name: str, version: int, data: dict[str, Any]) -> Event:
        """The current model of an event stored at any version."""
        cls = self.model(type_name)
        while version < cls.schema_version:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {type_name} v{version}")
            data, version = step(data), version + 1
        if version != cls.schema_version:
            raise UnknownEventType(f"{type_name} v{version} is newer than this code (v{cls.schema_version})")
        return cls.model_validate(data)

    def has_upcaster(self, type_name: str, from_version: int) -> bool:
        return (type_name, from_version) in self._upcasters

    def types(self) -> dict[str, type[Event]]:
        return dict(self._types)


registry = EventRegistry()
event = registry.register
