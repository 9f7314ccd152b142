"""``manage.py runserver`` (daphne) serves HTTP and websockets, out of the box."""

from __future__ import annotations

import httpx
import pytest

from tests.client import SocketClient
from tests.e2e.servers import deployment

pytestmark = pytest.mark.e2e


async def test_runserver_serves_http_and_websockets() -> None:
    with deployment("inmemory", "sqlite") as deployed:
        server = deployed.start("runserver")
        client = await SocketClient.connect(server.ws)
        try:
            await client.auth(deployed.tokens["alice"])
            await client.subscribe("feed", "/api/articles/")
            async with httpx.AsyncClient(
                base_url=server.http,
                headers={"Authorization": f"Token {deployed.tokens['alice']}"},
            ) as http:
                created = (
                    await http.post("/api/articles/", json={"title": "via runserver"})
                ).json()
            event = await client.expect("event", event="created", pk=created["id"])
            assert event["data"]["title"] == "via runserver"
        finally:
            await client.close()
        assert "Starting ASGI/Daphne" in server.output()  # the runserver of daphne, not Django's
