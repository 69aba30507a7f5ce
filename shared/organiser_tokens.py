"""Organiser tokens: one bearer token per organisation for the read API, so an organiser reads only its own
campaigns. Only each token's SHA-256 is stored (`<DATA_DIR>/secrets/organiser_tokens`, mode 0600, one
`<sha256 hex> <organisation>` a line): the file grants nothing if it leaks, and a token is shown once, when issued.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from shared.secretfile import new_secret, write_secret_file
from shared.subjects import check_organisation


def organiser_tokens_file(data_dir: Path) -> Path:
    return data_dir / "secrets" / "organiser_tokens"


def digest(token: str) -> str:
    """What the file keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(data_dir: Path, organisation: str) -> str:
    """A new token for `organisation` (BadOrganisation if it is not a subject token); its digest is stored."""
    org = check_organisation(organisation)
    token = new_secret()
    path = organiser_tokens_file(data_dir)
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    write_secret_file(path, f"{before}{digest(token)} {org}\n", replace=True)
    return token


def load(data_dir: Path) -> dict[str, str]:
    """Digest → organisation of every issued token (empty when none were issued)."""
    path = organiser_tokens_file(data_dir)
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if " " in line)
    return {d: check_organisation(o.strip()) for d, o in pairs}


def revoke(data_dir: Path, organisation: str) -> int:
    """Remove every token of `organisation`; how many there were."""
    issued = load(data_dir)
    kept = {d: o for d, o in issued.items() if o != organisation}
    if len(kept) < len(issued):
        text = "".join(f"{d} {o}\n" for d, o in kept.items())
        write_secret_file(organiser_tokens_file(data_dir), text, replace=True)
    return len(issued) - len(kept)
