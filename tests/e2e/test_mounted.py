"""End to end, below the root of a domain: ``uvicorn --root-path /app`` behind a proxy that
strips /app, as docs/deployment.md describes it. The client connects to the server's own
paths; the paths it subscribes to, and those events carry, are the ones a browser sees."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.client import SocketClient
from tests.e2e.servers import Deployment, deployment

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mounted() -> Iterator[Deployment]:
    with deployment("inmemory", "sqlite") as deployed:
        deployed.start("uvicorn", args=["--root-path", "/app"])
        yield deployed


@pytest.fixture
async def client(mounted: Deployment) -> AsyncIterator[SocketClient]:
    connected = await SocketClient.connect(mounted.servers[0].ws)  # what the proxy forwards
    yield connected
    await connected.close()


async def test_events_carry_the_paths_and_urls_a_get_below_the_mount_shows(
    mounted: Deployment, client: SocketClient
) -> None:
    server = mounted.servers[0]
    headers = {"Authorization": f"Token {mounted.tokens['alice']}"}
    await client.subscribe("feed", "/app/api/articles/?status=published")
    async with httpx.AsyncClient(base_url=server.http, headers=headers, timeout=10) as http:
        created = await http.post(
            "/api/articles/", json={"title": "mounted", "status": "published"}
        )
        assert created.status_code == 201, created.text
        article = created.json()
        path = f"/app/api/articles/{article['id']}/"
        assert article["url"] == server.http + path  # Django builds URLs under the mount

        event = await client.expect("event", id="feed", event="created", pk=article["id"])
        assert event["path"] == path
        async with httpx.AsyncClient(base_url=server.http, timeout=10) as anonymous:
            assert event["data"] == (await anonymous.get(f"/api/articles/{article['id']}/")).json()

        await client.subscribe("one", path)
        await http.patch(f"/api/articles/{article['id']}/", json={"title": "mounted, renamed"})
        events = {(await client.receive())["id"] for _ in range(2)}
        assert events == {"feed", "one"}


async def test_a_path_outside_the_mount_is_not_found_and_says_where_the_site_is(
    client: SocketClient,
) -> None:
    await client.send(type="subscribe", id="s", path="/api/articles/")
    error = await client.expect("error", id="s", code="not_found", status=404)
    assert "mounted at '/app'" in error["detail"]
    await client.subscribe("ok", "/app/api/articles/")  # the connection serves on
