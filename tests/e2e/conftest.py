from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.client import SocketClient
from tests.e2e.servers import Deployment, deployment
from tests.services import require

CONFIGS = [
    (layer, database)
    for database in ("sqlite", "postgres")
    for layer in ("inmemory", "redis", "pubsub")
]


@pytest.fixture(scope="module", params=CONFIGS, ids=[f"{layer}-{db}" for layer, db in CONFIGS])
def deployed(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    """The testproject behind uvicorn, on every layer and database we support."""
    layer, database = request.param
    if layer != "inmemory":
        require("redis")
    if database == "postgres":
        require("postgres")
    with deployment(layer, database) as deployed:
        deployed.start("uvicorn")
        yield deployed


@pytest.fixture
async def clients(deployed: Deployment) -> AsyncIterator[Any]:
    """``await clients(...)``: socket clients of the module's deployment, closed after."""
    opened: list[SocketClient] = []

    async def open_client(**kwargs: Any) -> SocketClient:
        client = await SocketClient.connect(deployed.servers[0].ws, **kwargs)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        await client.close()
