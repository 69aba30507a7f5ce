"""The servers under a stack: NATS and PostgreSQL at the configured URLs, or embedded under the data folder."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.runtime.embedded import EmbeddedNats, EmbeddedPostgres
from shared.runtime.secure import init_secrets, secrets_file, start_secure_nats
from shared.settings import Settings, organisations_of


@dataclass
class Servers:
    """Starts only what the settings leave unset: NATS under `<data_dir>/nats`, PostgreSQL under `<data_dir>/pg`."""

    settings: Settings
    nats: EmbeddedNats | None = field(default=None, init=False)
    postgres: EmbeddedPostgres | None = field(default=None, init=False)
    nats_url: str = field(default="", init=False)
    database_url: str = field(default="", init=False)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def start(self, note: Callable[[str], None]) -> None:
        """Start the embedded servers that are needed; an existing data folder is reused, not reset."""
        if self.settings.nats_url:
            self.nats_url = self.settings.nats_url
        else:
            note(f"starting embedded nats-server (data in {self.data_dir / 'nats'})")
            if self.settings.nats_secure:
                orgs = organisations_of(self.settings)
                note(f"secure: broker users for {', '.join(orgs)}; passwords in {secrets_file(self.data_dir)}")
                secrets = init_secrets(self.data_dir, organisations=orgs)
                self.nats = start_secure_nats(
                    self.data_dir / "nats", secrets, self.settings.nats_port, organisations=orgs
                )
                self.nats_url = self.nats.url
            else:
                self.nats = EmbeddedNats(self.data_dir / "nats", port=self.settings.nats_port)
                self.nats_url = self.nats.start()
        if self.settings.database_url:
            self.database_url = self.settings.database_url
        else:
            note(f"starting embedded PostgreSQL (data in {self.data_dir / 'pg'})")
            self.postgres = EmbeddedPostgres(self.data_dir / "pg")
            with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set", harmless here
                warnings.simplefilter("ignore")
                self.database_url = self.postgres.start()

    def stop(self) -> None:
        """Stop the embedded servers this object started (never servers given by URL)."""
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def pids(self) -> dict[str, int]:
        """Process ids of the embedded servers (PostgreSQL's from its postmaster.pid)."""
        pids: dict[str, int] = {}
        if self.nats is not None and self.nats.process is not None:
            pids["nats"] = self.nats.process.pid
        if self.postgres is not None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                pids["postgres"] = int((self.postgres.root / "postmaster.pid").read_text().split()[0])
        return pids
