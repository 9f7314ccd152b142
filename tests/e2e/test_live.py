"""End to end: a server process, websocket clients and REST writes over real sockets."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import websockets

from tests.client import SocketClient
from tests.e2e.servers import Deployment

pytestmark = pytest.mark.e2e


def rest(deployed: Deployment, user: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Token {deployed.tokens[user]}"} if user else {}
    return httpx.AsyncClient(base_url=deployed.servers[0].http, headers=headers, timeout=10)


async def test_events_follow_rest_writes_per_user(deployed: Deployment, clients: Any) -> None:
    alice, bob, anonymous = await clients(), await clients(), await clients()
    await alice.auth(deployed.tokens["alice"])
    await bob.auth(deployed.tokens["bob"])
    await alice.subscribe("all", "/api/articles/")
    await bob.subscribe("all", "/api/articles/")
    await anonymous.subscribe("published", "/api/articles/?status=published")

    async with rest(deployed, "alice") as http:
        draft = (await http.post("/api/articles/", json={"title": "e2e draft"})).json()
        path = f"/api/articles/{draft['id']}/"
        await alice.expect("event", event="created", pk=draft["id"], path=path)
        await alice.subscribe("one", path)

        await http.patch(path, json={"status": "published"})
        # Order is defined within a subscription, not across two of them.
        both = {e["id"]: e for e in [await alice.expect("event", event="updated") for _ in "12"]}
        assert both["one"]["data"] == both["all"]["data"]
        alice_sees = both["all"]
        bob_sees = await bob.expect("event", event="created", pk=draft["id"])
        anonymous_sees = await anonymous.expect("event", event="created", pk=draft["id"])
        # Each gets exactly what their own detail GET returns, hyperlinks included.
        assert alice_sees["data"] == (await http.get(path)).json()
        async with rest(deployed, "bob") as bob_http:
            assert bob_sees["data"] == (await bob_http.get(path)).json()
        async with rest(deployed, None) as anonymous_http:
            assert anonymous_sees["data"] == (await anonymous_http.get(path)).json()
        assert alice_sees["data"]["is_mine"]
        assert not bob_sees["data"]["is_mine"]
        assert alice_sees["data"]["url"] == deployed.servers[0].http + path

        assert (await http.delete(path)).status_code == 204
    for client, sub in ((bob, "all"), (anonymous, "published")):
        await client.expect("event", id=sub, event="deleted", pk=draft["id"], data=None)
    alice_frames = [await alice.receive() for _ in range(3)]
    assert {(f["id"], f["type"], f.get("event")) for f in alice_frames} == {
        ("all", "event", "deleted"),
        ("one", "event", "deleted"),
        ("one", "unsubscribed", None),
    }
    one = [(f["type"], f.get("reason")) for f in alice_frames if f["id"] == "one"]
    assert one == [("event", None), ("unsubscribed", "deleted")]
    for client in (alice, bob, anonymous):
        await client.silent()


async def test_bad_frames_and_paths_over_a_real_socket(deployed: Deployment, clients: Any) -> None:
    client = await clients()
    await client.send_raw("{not json")
    await client.expect("error", code="parse_error")
    await client.send_raw(data=b"\x00\x01")
    await client.expect("error", code="parse_error")
    await client.send(type="subscribe", id="x" * 65, path="/api/articles/")
    await client.expect("error", code="invalid_message")
    await client.send(type="subscribe", id="a", path="/api/nope/")
    await client.expect("error", id="a", code="not_found", status=404)
    await client.send(type="ping", data=[1, 2, 3])
    await client.expect("pong", data=[1, 2, 3])


async def test_a_foreign_origin_cannot_connect(deployed: Deployment) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await SocketClient.connect(deployed.servers[0].ws, origin="http://evil.example")
    assert refused.value.response.status_code == 403


async def login(http: httpx.AsyncClient, user: str, password: str) -> str:
    """Log in through the browsable API's form; the session cookie."""
    page = await http.get("/api-auth/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf
    response = await http.post(
        "/api-auth/login/",
        data={
            "username": user,
            "password": password,
            "csrfmiddlewaretoken": csrf.group(1),
            "next": "/api/",
        },
        headers={"Referer": str(http.base_url) + "/api-auth/login/"},
    )
    assert response.status_code == 302, response.text
    return str(http.cookies["sessionid"])


async def test_session_login_then_websocket(deployed: Deployment, clients: Any) -> None:
    async with httpx.AsyncClient(base_url=deployed.servers[0].http, timeout=10) as http:
        session = await login(http, "bob", deployed.passwords["bob"])
    client = await clients(cookie=f"sessionid={session}")
    await client.subscribe("mine", "/api/articles/?author=bob&status=draft")
    async with rest(deployed, "bob") as bob_http:
        draft = (await bob_http.post("/api/articles/", json={"title": "bob's secret"})).json()
    event = await client.expect("event", event="created", pk=draft["id"])
    assert event["data"]["is_mine"] is True


async def test_the_demo_page_is_served(deployed: Deployment) -> None:
    async with httpx.AsyncClient(base_url=deployed.servers[0].http) as http:
        page = await http.get("/")
    assert page.status_code == 200
    assert "django-realtime demo" in page.text
    assert 'const endpoint = "/ws/";' in page.text
