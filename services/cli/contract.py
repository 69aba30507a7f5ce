"""`pacesetter contract …`: the integration contract (AsyncAPI document, event schemas) as files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared import contract

app = typer.Typer(help="The integration contract: the AsyncAPI document and the event schemas.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("asyncapi")
def asyncapi(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Print (or write) the AsyncAPI 3.0 document of every command and event."""
    from services.asyncapi import document

    text = json.dumps(document(), ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n")
    console.print(f"wrote {output}")


@app.command("export")
def export(
    folder: Annotated[Path, typer.Option(help="where the schemas go")] = contract.CONTRACT_DIR,
) -> None:
    """Write the JSON Schema of every event type's current version (old versions stay)."""
    written = contract.export(folder)
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"{len(written)} schema(s) changed in {folder}")


@app.command("check")
def check(
    folder: Annotated[Path, typer.Option(help="the exported schemas")] = contract.CONTRACT_DIR,
) -> None:
    """Compare the code's event schemas with the exported ones; exit 1 on any difference."""
    problems = contract.check(folder)
    for p in problems:
        note = " (breaking: needs a new schema_version and an upcaster)" if p.breaking else ""
        console.print(f"[red]{p.file}[/red]: {p.change}{note}")
    if problems:
        raise typer.Exit(1)
    console.print("the event schemas match the exported contract")
