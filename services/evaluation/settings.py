"""The evaluation service's settings: the shared ones plus the ballot secret that keys secret rounds."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr

from shared.settings import Settings

MIN_SECRET_CHARS = 32


class WeakBallotSecret(ValueError):
    """BALLOT_SECRET is set but too short to key pseudonyms."""


class EvaluationSettings(Settings):
    """BALLOT_SECRET keys voters' pseudonyms in secret rounds; every replica must use the same one.

    Unset, the service generates one into `<data_dir>/evaluation/ballot_secret` (mode 0600) on its first
    start and reuses it afterwards. Lose or change it while a secret round is open and the round's
    ballots refuse to be cast (`round_key_unchanged`) rather than let anyone vote twice.
    """

    ballot_secret: SecretStr | None = Field(default=None, description="at least 32 characters; never committed")

    @property
    def ballot_secret_file(self) -> Path:
        return self.data_dir / "evaluation" / "ballot_secret"


def load_ballot_secret(settings: EvaluationSettings) -> bytes:
    """The configured secret, else the one in the data folder, created there on first use."""
    if settings.ballot_secret is not None:
        value = settings.ballot_secret.get_secret_value()
        if len(value) < MIN_SECRET_CHARS:
            raise WeakBallotSecret(f"BALLOT_SECRET must have at least {MIN_SECRET_CHARS} characters")
        return value.encode()
    path = settings.ballot_secret_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):  # another replica won the race: use its secret
            os.link(tmp, path)
        tmp.unlink()
    return path.read_text().strip().encode()
