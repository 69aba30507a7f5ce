"""`pacesetter up --secure` serving two organisations, as an operator runs it: generated broker users, each
organisation's HR system kept to its own commands and events by the broker, and an organiser's read-API token
kept to its own campaigns."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import nats
import pytest
from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeout

from shared import organiser_tokens
from shared.commands import Reply
from shared.ids import new_id
from shared.natsauth import client_options
from shared.runtime.secure import load_secrets
from shared.settings import Settings
from tests.e2e.test_up import env_with, running_up, stop, without_urls
from tests.support.campaigns import launch

ORGANISATIONS = ("default", "bureau-b")
USER = "integration-bureau-b"


async def connect(url: str, password: str, errors: list[str]) -> NATS:
    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    settings = Settings(nats_url=url, nats_user=USER, nats_password=password)
    return await nats.connect(url, error_cb=on_error, **client_options(settings))


async def campaigns_shown(http_url: str, token: str) -> list[str]:
    """The campaign ids the read API shows the token, once the projection has caught up (bounded)."""
    async with httpx.AsyncClient(base_url=http_url, timeout=5) as http:
        for _ in range(300):
            reply = await http.get("/campaigns", headers={"Authorization": f"Bearer {token}"})
            if reply.status_code == 200 and reply.json():
                return [c["campaign_id"] for c in reply.json()]
            assert reply.status_code in (200, 503), reply.text
            await asyncio.sleep(0.2)
    raise AssertionError("the campaign never appeared on the read API")


async def test_up_secure_keeps_each_organisation_to_its_own_commands_events_and_reads(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = env_with(
        data_dir,
        without_urls(dict(os.environ)),
        NATS_SECURE="true",
        ORGANISATIONS=",".join(ORGANISATIONS),
        READ_API_PUBLIC="false",
    )
    token = organiser_tokens.issue(data_dir, "bureau-b")  # before up: the projections process reads it at start
    with running_up(env, data_dir, "campaigns", "projections") as up:
        password = load_secrets(data_dir, ORGANISATIONS).passwords[USER]
        errors: list[str] = []
        nc = await connect(up.info["nats_url"], password, errors)
        try:
            events = await nc.subscribe("ps.evt.*.bureau-b.>")
            campaign_id = f"c-{new_id()}"
            body = launch(campaign_id).model_dump_json().encode()
            reply = Reply.model_validate_json(
                (await nc.request("ps.cmd.campaigns.bureau-b.LaunchCampaign", body, 10)).data
            )
            assert reply.ok, reply.error
            assert (await events.next_msg(timeout=5)).subject.endswith(f".bureau-b.{campaign_id}.CampaignLaunched")

            with pytest.raises(NatsTimeout):  # the default organisation's commands are not this user's to send
                await nc.request("ps.cmd.campaigns.default.LaunchCampaign", body, timeout=1)
            await asyncio.sleep(0.2)
            refusal = 'permissions violation for publish to "ps.cmd.campaigns.default.launchcampaign"'
            assert any(refusal in e.lower() for e in errors), errors  # the server lower-cases it
        finally:
            await nc.close()

        async with httpx.AsyncClient(base_url=up.info["http_url"], timeout=5) as http:
            anonymous = await http.get("/campaigns")
            assert anonymous.status_code == 401, anonymous.text
        assert await campaigns_shown(up.info["http_url"], token) == [campaign_id]
        stop(up)
