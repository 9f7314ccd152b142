"""The JS client (django_realtime/static/django_realtime/realtime.js) against a real server
process, driven by Node's test runner (tests/js)."""

from __future__ import annotations

import json
import os
import random
import time

import pytest

from tests.e2e.node import environment, node_modules, node_tests
from tests.e2e.servers import deployment
from tests.services import require

pytestmark = [pytest.mark.e2e, pytest.mark.clients]

# Old connections are closed with 4008 during the run, as a deploy or MAX_CONNECTION_AGE does.
SERVER_ENV = {"REALTIME_SETTINGS": json.dumps({"MAX_CONNECTION_AGE": 3})}
DURATION = 20  # seconds of writes and drops


@pytest.mark.timeout(240)
def test_live_lists_converge_through_drops_and_a_server_restart() -> None:
    require("postgres")
    require("redis")
    node_modules()
    seed = int(os.environ.get("REALTIME_SEED", random.randrange(100000)))
    with deployment("redis", "postgres") as deployed:
        server = deployed.start("uvicorn", env=SERVER_ENV)
        env = environment(
            deployed, server, REALTIME_SEED=str(seed), REALTIME_DURATION=str(DURATION * 1000)
        )
        with node_tests(["convergence.test.mjs"], env) as finish:
            time.sleep(random.Random(seed).uniform(4, DURATION - 6))
            server.stop()  # the restart: every client loses its socket, and resumes
            deployed.start("uvicorn", env=SERVER_ENV, port=server.port)
            finish(180)


def test_client_behaviour() -> None:
    """Refusals, credential refresh, live objects: tests/js/client.test.mjs."""
    require("postgres")
    require("redis")
    node_modules()
    with deployment("redis", "postgres") as deployed:
        server = deployed.start("uvicorn")
        limited = deployed.start(
            "uvicorn", env={"REALTIME_SETTINGS": json.dumps({"MAX_CONNECTIONS_PER_CLIENT": 1})}
        )
        env = environment(deployed, server, REALTIME_WS_ONE_PER_CLIENT=limited.ws)
        with node_tests(["client.test.mjs"], env) as finish:
            finish(100)
