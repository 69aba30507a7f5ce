"""Which errors provisioning waits out: only those a forming cluster gives."""

from __future__ import annotations

import pytest
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import BadRequestError, NotFoundError, ServiceUnavailableError

from shared.eventstore import StreamConfigDrift
from shared.runtime.provision import cluster_forming


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError(code=400, err_code=10005, description="no suitable peers for placement, peer offline"),
        ServiceUnavailableError(code=503, err_code=10008, description="JetStream system temporarily unavailable"),
        NatsTimeout(),
        NoRespondersError(),
    ],
)
def test_a_forming_cluster_is_waited_out(error: Exception) -> None:
    assert cluster_forming(error)


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError(code=404, err_code=10059, description="stream not found"),
        BadRequestError(code=400, err_code=10058, description="stream name already in use"),
        StreamConfigDrift("stream PACESETTER lacks deny_delete"),
        PermissionError("nats: permissions violation"),
    ],
)
def test_anything_else_fails_at_once(error: Exception) -> None:
    assert not cluster_forming(error)
