from __future__ import annotations

from collections.abc import Iterator

import pytest

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
