"""The asyncio client (django_realtime.client) against a real server process."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from typing import Any

import httpx
import pytest

from django_realtime.client import Client, LiveList, RealtimeError
from tests.client import until
from tests.e2e.servers import Deployment, Server, deployment
from tests.services import require

pytestmark = [pytest.mark.e2e, pytest.mark.clients]

SERVER_ENV = {"REALTIME_SETTINGS": json.dumps({"MAX_CONNECTION_AGE": 3})}
FAST = (0.1, 1.0)


async def rest(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request, retried while the server restarts."""
    for _ in range(200):
        try:
            response = await http.request(method, path, **kwargs)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
            continue
        if response.status_code < 502:
            return response
        await asyncio.sleep(0.1)
    raise AssertionError(f"{method} {path}: the server did not come back")


def login(server: Server, deployed: Deployment, user: str) -> Any:
    """A credentials provider that logs in again each time (as a JWT refresh would)."""
    calls: list[str] = []

    async def provider() -> str:
        async with httpx.AsyncClient(base_url=server.http) as http:
            answer = await rest(
                http,
                "POST",
                "/api/token/",
                json={"username": user, "password": deployed.passwords[user]},
            )
        calls.append(answer.json()["token"])
        return f"Token {calls[-1]}"

    provider.calls = calls  # type: ignore[attr-defined]
    return provider


async def converged(server: Server, lists: dict[str, tuple[str | None, LiveList]]) -> list[str]:
    """The lists that differ from a GET of their URL, as their user."""
    differ = []
    async with httpx.AsyncClient(base_url=server.http) as http:
        for path_key, (token, live) in lists.items():
            headers = {"Authorization": f"Token {token}"} if token else {}
            fresh = (await rest(http, "GET", live.subscription.path, headers=headers)).json()
            if fresh["results"] != live.items:
                differ.append(path_key)
    return differ


async def test_live_lists_converge_through_drops_and_a_server_restart() -> None:
    require("postgres")
    require("redis")
    seed = int(os.environ.get("REALTIME_SEED", random.randrange(100000)))
    rand = random.Random(seed)
    with deployment("redis", "postgres") as deployed:
        server = deployed.start("uvicorn", env=SERVER_ENV)
        tokens = deployed.tokens
        alice = Client(server.ws, auth=login(server, deployed, "alice"), backoff=FAST)
        anonymous = Client(server.ws, backoff=FAST)
        closes: list[int] = []
        out_of_order: list[str] = []
        lists: dict[str, tuple[str | None, LiveList]] = {}
        async with alice, anonymous:
            for client in (alice, anonymous):
                client.on_close = lambda code, reason: closes.append(code)

            def watch(client: Client, token: str | None, path: str) -> None:
                last = [-1]

                def check(items: Any, change: dict[str, Any]) -> None:
                    if change["type"] in ("event", "reset"):
                        at = int(change["frame"]["cursor"].rsplit("-", 1)[1])
                        if at < last[0]:
                            out_of_order.append(f"{path}: {at} after {last[0]}")
                        last[0] = at

                lists[f"{token} {path}"] = (token, client.live_list(path, check))

            watch(alice, tokens["alice"], "/api/articles/")
            watch(alice, tokens["alice"], "/api/articles/?status=draft")
            watch(anonymous, None, "/api/articles/")
            for _, live in lists.values():
                await live.wait_ready(10)

            own: list[int] = []
            stop = time.monotonic() + 12
            restart_at = time.monotonic() + rand.uniform(3, 8)
            headers = {"Authorization": f"Token {tokens['alice']}"}
            async with httpx.AsyncClient(base_url=server.http, headers=headers) as http:
                while time.monotonic() < stop:
                    if restart_at and time.monotonic() > restart_at:
                        restart_at = 0
                        await asyncio.to_thread(server.stop)
                        server = await asyncio.to_thread(
                            deployed.start, "uvicorn", SERVER_ENV, (), server.port
                        )
                    roll = rand.random()
                    if len(own) < 3 or (roll < 0.4 and len(own) < 12):
                        status = rand.choice(["draft", "published"])
                        body = {"title": f"t{roll:.3f}", "status": status}
                        own.append(
                            (await rest(http, "POST", "/api/articles/", json=body)).json()["id"]
                        )
                    elif roll < 0.8:
                        body = {
                            "status": rand.choice(["draft", "published"]),
                            "title": f"e{roll:.3f}",
                        }
                        await rest(http, "PATCH", f"/api/articles/{rand.choice(own)}/", json=body)
                    else:
                        await rest(
                            http, "DELETE", f"/api/articles/{own.pop(rand.randrange(len(own)))}/"
                        )
                    if rand.random() < 0.05:
                        rand.choice([alice, anonymous]).drop()
                    await asyncio.sleep(rand.uniform(0.02, 0.15))

            differ: list[str] = []

            async def settled() -> bool:
                differ[:] = await converged(server, lists)
                return not differ

            deadline = time.monotonic() + 30
            while not await settled():
                states = {
                    key: (live.subscription.ended, live.error) for key, (_, live) in lists.items()
                }
                assert time.monotonic() < deadline, (
                    f"seed {seed}: {differ} did not converge; {alice.state}, {states}"
                )
                await asyncio.sleep(0.2)
        assert out_of_order == [], seed
        assert 4008 in closes, closes  # MAX_CONNECTION_AGE
        assert 1006 in closes, closes  # drops, the restart


@pytest.fixture(scope="module")
def served() -> Any:
    require("postgres")
    require("redis")
    with deployment("redis", "postgres") as deployed:
        yield deployed, deployed.start("uvicorn")


async def test_a_refused_endpoint_stops_the_client(served: Any) -> None:
    _, server = served
    connects: list[str] = []
    client = Client(
        server.ws.replace("/ws/", "/nowhere/"),
        backoff=FAST,
        on_state=lambda state, error: connects.append(state),
    )
    async with client:
        await client.wait_for("failed", 5)
        await asyncio.sleep(1)  # several backoffs' worth
    assert client.error is not None
    assert "4404" in str(client.error)
    assert connects.count("connecting") == 0  # the first came before the callback was set
    assert connects[-2:] == ["failed", "stopped"]


async def test_credentials_are_asked_for_again_when_a_token_is_revoked(served: Any) -> None:
    deployed, server = served
    provider = login(server, deployed, "alice")
    async with Client(server.ws, auth=provider, backoff=FAST) as client:
        drafts = client.live_list("/api/articles/?status=draft")
        await drafts.wait_ready(5)
        await asyncio.to_thread(deployed.manage, "drf_create_token", "-r", "alice")
        await until(lambda: len(provider.calls) == 2, 10)
        assert provider.calls[0] != provider.calls[1]
        headers = {"Authorization": f"Token {provider.calls[1]}"}
        async with httpx.AsyncClient(base_url=server.http, headers=headers) as http:
            body = {"title": "after the refresh", "status": "draft"}
            created = (await http.post("/api/articles/", json=body)).json()
        await until(lambda: any(item["id"] == created["id"] for item in drafts.items), 10)
        assert drafts.subscription.ended is None
        assert drafts.error is None


async def test_a_live_object_ends_when_its_object_is_deleted(served: Any) -> None:
    deployed, server = served
    headers = {"Authorization": f"Token {deployed.tokens['bob']}"}
    async with (
        httpx.AsyncClient(base_url=server.http, headers=headers) as http,
        Client(server.ws, backoff=FAST) as client,
    ):
        created = (
            await http.post("/api/articles/", json={"title": "watched", "status": "published"})
        ).json()
        article = client.live_object(f"/api/articles/{created['id']}/")
        changes = article.changes()
        await article.wait_ready(5)
        assert article.value is not None
        assert article.value["title"] == "watched"
        await http.patch(f"/api/articles/{created['id']}/", json={"title": "renamed"})
        await until(lambda: article.value is not None and article.value["title"] == "renamed")
        await http.delete(f"/api/articles/{created['id']}/")
        seen = [change async for change in changes]
    assert [change["type"] for change in seen] == ["subscribed", "event", "event", "end"]
    assert seen[1]["frame"]["data"]["title"] == "renamed"
    assert seen[3]["reason"] == "deleted"
    assert article.value is None
    assert article.error is None


async def test_a_refused_subscription_ends_with_its_error(served: Any) -> None:
    _, server = served
    async with Client(server.ws, backoff=FAST) as client:
        missing = client.live_object("/api/articles/999999/")
        await until(lambda: missing.subscription.ended is not None, 5)
        assert missing.subscription.ended == "not_found"
        assert isinstance(missing.error, RealtimeError)
        assert missing.error.status == 404
        assert client.state == "open"


async def test_rejected_credentials_end_the_waiting_subscriptions(served: Any) -> None:
    _, server = served
    errors: list[Exception] = []
    async with Client(server.ws, auth="Token nope", on_error=errors.append) as client:
        articles = client.live_list("/api/articles/")
        await until(lambda: articles.subscription.ended is not None, 5)
    assert articles.subscription.ended == "not_authenticated"
    assert [error.code for error in errors] == ["not_authenticated"]  # type: ignore[attr-defined]


async def test_a_frame_over_the_servers_limit_stops_the_client(served: Any) -> None:
    _, server = served
    async with Client(server.ws, backoff=FAST) as client:
        await client.wait_for("open", 5)
        client.subscribe(f"/api/articles/?q={'x' * 70000}")
        await client.wait_for("failed", 5)  # not a reconnect that sends it again, forever
    assert "size limit" in str(client.error)


async def test_a_client_refused_for_too_many_connections_waits_longest(served: Any) -> None:
    deployed, _ = served
    one = json.dumps({"MAX_CONNECTIONS_PER_CLIENT": 1})
    limited = await asyncio.to_thread(deployed.start, "uvicorn", {"REALTIME_SETTINGS": one})
    events: list[tuple[Any, float]] = []
    async with Client(limited.ws, backoff=FAST) as first:
        await first.wait_for("open", 5)
        second = Client(
            limited.ws,
            backoff=(0.05, 2.0),
            on_close=lambda code, reason: events.append((code, time.monotonic())),
            on_state=lambda state, error: events.append((state, time.monotonic())),
        )
        async with second:
            await until(lambda: any(code == 4429 for code, _ in events), 5)
            await first.close()
            await second.wait_for("open", 5)
    closed = next(at for code, at in events if code == 4429)
    retried = next(at for state, at in events if state == "connecting" and at > closed)
    assert retried - closed >= 1.0  # the longest delay (1 to 2 s), not the first (25-50 ms)


async def test_more_subscriptions_than_the_frame_burst_go_live_and_resume(served: Any) -> None:
    _, server = served
    errors: list[Exception] = []
    resumed: list[str] = []
    async with Client(server.ws, backoff=FAST, on_error=errors.append) as client:
        await client.wait_for("open", 5)
        # More subscribes than RECEIVE_BURST (60) takes at once: the client paces them.
        subscriptions = [
            client.subscribe(
                "/api/tags/", on_subscribed=lambda frame: resumed.append(frame["cursor"])
            )
            for _ in range(80)
        ]
        await until(lambda: len(resumed) == 80, 20)
        cursors = sorted(resumed)
        resumed.clear()
        client.drop()  # all 80 resubscribe at once on the new socket
        await until(lambda: len(resumed) == 80, 20)
        assert sorted(resumed) == cursors  # since = their cursor
    assert errors == []  # nothing refused: no throttled frame, no 4429
    assert all(sub.ended == "client" for sub in subscriptions)  # ended by close() only


async def test_a_failing_provider_is_asked_again_on_a_new_connection(served: Any) -> None:
    deployed, server = served
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("the token endpoint is down")
        return f"Token {deployed.tokens['bob']}"

    async with Client(server.ws, auth=provider, backoff=FAST) as client:
        drafts = client.live_list("/api/articles/?status=draft")
        await drafts.wait_ready(10)
        assert len(calls) == 2
        assert client.user == "bob"  # not anonymous


async def test_a_callback_that_raises_does_not_stop_the_client(served: Any) -> None:
    deployed, server = served
    seen: list[str] = []

    def clumsy(items: Any, change: dict[str, Any]) -> None:
        seen.append(change["type"])
        raise ValueError("a bug in the application's callback")

    headers = {"Authorization": f"Token {deployed.tokens['bob']}"}
    async with (
        Client(server.ws, backoff=FAST) as client,
        httpx.AsyncClient(base_url=server.http, headers=headers) as http,
    ):
        articles = client.live_list("/api/articles/", clumsy)
        await articles.wait_ready(5)
        for title in ("one", "two"):
            await http.post("/api/articles/", json={"title": title, "status": "published"})
        await until(lambda: seen.count("event") == 2, 5)
        assert client.state == "open"
