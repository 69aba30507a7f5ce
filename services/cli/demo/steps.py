"""What the demo sends: steps in order; a step's chains run concurrently, a chain's commands in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.cli.demo.roster import demo_id
from shared.commands import Command
from shared.events import Actor

Chain = list[tuple[str, Command]]


@dataclass(frozen=True)
class Step:
    """`label` for the progress bar; `await_evaluated`: award rounds whose nominee results must be recorded
    (by the awards results policy) before the next step starts."""

    label: str
    chains: list[Chain]
    await_evaluated: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.chains)


def cmd(context: str, command: type[Command], key: str, actor: Actor, /, **fields: Any) -> tuple[str, Command]:
    """A command whose id derives from `key`, so a second demo run is a retry of the first."""
    return context, command(command_id=demo_id(key), actor=actor, **fields)


def each(commands: list[tuple[str, Command]]) -> list[Chain]:
    """Every command its own chain (all concurrent)."""
    return [[c] for c in commands]
