"""`pacesetter secrets`: generate the credentials kept out of the repository (files mode 0600)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared import organiser_tokens
from shared.runtime.authconf import OrganisationClash, render
from shared.runtime.secure import init_deploy_env, init_secrets, secrets_file
from shared.settings import get_settings, organisations_of
from shared.subjects import BadOrganisation, check_organisation

err = Console(stderr=True)

Organisations = Annotated[
    list[str] | None,
    typer.Option(
        "--organisation",
        "-o",
        help="An organisation served (repeat for several); default ORGANISATIONS, else 'default'.",
        show_default=False,
    ),
]


def _organisations(given: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(given)) if given else organisations_of(get_settings())


app = typer.Typer(help="Generate broker passwords and tokens (never stored in the repository).", no_args_is_help=True)


@app.command("init")
def init(
    data_dir: Annotated[Path | None, typer.Option(help="data folder (default: DATA_DIR)")] = None,
    replace: Annotated[bool, typer.Option(help="generate new passwords even if some exist")] = False,
    organisation: Organisations = None,
) -> None:
    """Passwords for every NATS user of the embedded secure stack, in <DATA_DIR>/secrets/nats.env."""
    folder = data_dir or get_settings().data_dir
    try:
        secrets = init_secrets(folder, replace=replace, organisations=_organisations(organisation))
    except (BadOrganisation, OrganisationClash) as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"{len(secrets.passwords)} NATS users; passwords in {secrets_file(folder)} (mode 0600)")


@app.command("deploy-env")
def deploy_env(
    folder: Annotated[Path, typer.Argument(help="where to write deploy.env, e.g. deploy/secrets")],
    replace: Annotated[bool, typer.Option(help="overwrite an existing deploy.env")] = False,
    organisation: Organisations = None,
) -> None:
    """Every secret of a Compose or Kubernetes deployment, in <folder>/deploy.env."""
    try:
        path = init_deploy_env(folder, replace=replace, organisations=_organisations(organisation))
    except (BadOrganisation, OrganisationClash) as exc:
        raise typer.BadParameter(str(exc)) from None
    except FileExistsError:
        raise typer.BadParameter(f"{folder / 'deploy.env'} exists; pass --replace to rotate every secret") from None
    typer.echo(f"wrote {path} (mode 0600); use it with `docker compose --env-file {path}`")


@app.command("nats-config")
def nats_config(organisation: Organisations = None) -> None:
    """Print the broker's auth.conf for the organisations served: each gets a scoped integration user.

    deploy/nats/auth.conf is this for the single organisation "default"; a deployment serving several
    organisers writes its own: `pacesetter secrets nats-config -o bureau-a -o bureau-b > auth.conf`.
    """
    try:
        typer.echo(render(_organisations(organisation)), nl=False)
    except (BadOrganisation, OrganisationClash) as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("organiser-token")
def organiser_token(
    organisation: Annotated[str, typer.Argument(help="The organisation whose campaigns the token may read.")],
    data_dir: Annotated[Path | None, typer.Option(help="data folder (default: DATA_DIR)")] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="remove every token of the organisation instead")] = False,
) -> None:
    """Issue a read-API token for one organiser: with it the read API shows only its organisation's campaigns.

    The token is printed once; only its SHA-256 is kept, in <DATA_DIR>/secrets/organiser_tokens (mode 0600).
    The projections process reads the file when it starts: restart it after issuing or revoking.
    """
    folder = data_dir or get_settings().data_dir
    try:
        if revoke:
            removed = organiser_tokens.revoke(folder, check_organisation(organisation))
            typer.echo(f"revoked {removed} token(s) of {organisation}")
            return
        token = organiser_tokens.issue(folder, organisation)
    except BadOrganisation as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(token)
    err.print(f"organiser token for {organisation} (shown once; restart the projections process to use it)")
