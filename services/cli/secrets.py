"""`pacesetter secrets`: generate the credentials kept out of the repository (files mode 0600)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shared.runtime.secure import init_deploy_env, init_secrets, secrets_file
from shared.settings import get_settings

app = typer.Typer(help="Generate broker passwords and tokens (never stored in the repository).", no_args_is_help=True)


@app.command("init")
def init(
    data_dir: Annotated[Path | None, typer.Option(help="data folder (default: DATA_DIR)")] = None,
    replace: Annotated[bool, typer.Option(help="generate new passwords even if some exist")] = False,
) -> None:
    """Passwords for every NATS user of the embedded secure stack, in <DATA_DIR>/secrets/nats.env."""
    folder = data_dir or get_settings().data_dir
    secrets = init_secrets(folder, replace=replace)
    typer.echo(f"{len(secrets.passwords)} NATS users; passwords in {secrets_file(folder)} (mode 0600)")


@app.command("deploy-env")
def deploy_env(
    folder: Annotated[Path, typer.Argument(help="where to write deploy.env, e.g. deploy/secrets")],
    replace: Annotated[bool, typer.Option(help="overwrite an existing deploy.env")] = False,
) -> None:
    """Every secret of a Compose or Kubernetes deployment, in <folder>/deploy.env."""
    try:
        path = init_deploy_env(folder, replace=replace)
    except FileExistsError:
        raise typer.BadParameter(f"{folder / 'deploy.env'} exists; pass --replace to rotate every secret") from None
    typer.echo(f"wrote {path} (mode 0600); use it with `docker compose --env-file {path}`")
