"""`pacesetter status`, projections: each one's checkpoint, lag behind the log and state, from GET /projections."""

from __future__ import annotations

import httpx

from services.cli.status import Check


async def projection_checks(http_url: str) -> list[Check]:
    """A line per projection; none when the read API does not answer (its own line says so already)."""
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.get(f"{http_url}/projections")
        infos = response.json() if response.is_success else []
    except (httpx.HTTPError, ValueError):
        return []
    checks = []
    for p in infos:
        lag = p.get("lag")
        detail = f"at seq {p['checkpoint']}" + (f", {lag} behind the log" if lag is not None else "")
        detail += f", {p['state']}" + (f": stopped at seq {p['stopped_at']}: {p['error']}" if p.get("error") else "")
        ok = p["state"] not in ("stopped", "failed")
        checks.append(Check(f"projection {p['name']}", ok, detail))
    return checks
