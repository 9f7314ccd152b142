"""Every close the endpoint sends reaches the client with its documented code, on uvicorn
(its default websockets implementation and the legacy one) and on daphne (what
``manage.py runserver`` serves with)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.client import SocketClient
from tests.e2e.rawsocket import RawWebsocket
from tests.e2e.servers import Deployment, Server, deployment
from tests.e2e.test_scale import Feed

pytestmark = pytest.mark.e2e

SERVERS = {
    "uvicorn": ("uvicorn", ()),  # websockets-sansio, uvicorn's default
    "uvicorn-legacy": ("uvicorn", ("--ws", "websockets")),
    "daphne": ("daphne", ()),
}
LIMITS = {
    "RECEIVE_RATE": 1,
    "RECEIVE_BURST": 3,
    "MAX_FRAME_BYTES": 2000,  # below the servers' own limits: the endpoint refuses it
    "MAX_CONNECTIONS_PER_CLIENT": 3,
    "MAX_BUFFERED_BYTES": 262144,
}


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployment]:
    with deployment("inmemory", "sqlite") as deployed:
        yield deployed


@pytest.fixture(scope="module", params=list(SERVERS))
def kind(request: pytest.FixtureRequest) -> tuple[str, tuple[str, ...]]:
    return SERVERS[request.param]


def start(deployed: Deployment, kind: tuple[str, tuple[str, ...]], **realtime: object) -> Server:
    server, args = kind
    return deployed.start(server, env={"REALTIME_SETTINGS": json.dumps(realtime)}, args=args)


@pytest.fixture(scope="module")
def limited(deployed: Deployment, kind: tuple[str, tuple[str, ...]]) -> Iterator[Server]:
    server = start(deployed, kind, **LIMITS)
    yield server
    server.stop()


async def close_code(url: str, *frames: str, timeout: float = 10) -> int:
    """Connect, send ``frames``, read until the server closes; its close code."""
    origin = url.replace("ws://", "http://").rsplit("/", 2)[0]
    async with websockets.connect(url, origin=origin, ping_interval=None) as ws:  # type: ignore[arg-type]
        for frame in frames:
            await ws.send(frame)
        with pytest.raises(ConnectionClosed) as closed:
            await _read_until_closed(ws, timeout)
    assert closed.value.rcvd is not None, "the connection dropped without a close frame"
    return closed.value.rcvd.code


async def _read_until_closed(ws: Any, timeout: float) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), timeout)


async def test_a_path_that_is_not_the_endpoint_closes_with_4404(limited: Server) -> None:
    assert await close_code(f"ws://127.0.0.1:{limited.port}/nope/") == 4404


async def test_a_flood_closes_with_4429(limited: Server) -> None:
    ping = json.dumps({"type": "ping"})
    assert await close_code(limited.ws, *[ping] * 10) == 4429


async def test_a_frame_over_max_frame_bytes_closes_with_4413(limited: Server) -> None:
    big = json.dumps({"type": "ping", "data": "x" * 5000})
    assert await close_code(limited.ws, big) == 4413


async def test_connections_past_the_cap_are_closed_with_4429(limited: Server) -> None:
    kept = [await SocketClient.connect(limited.ws) for _ in range(3)]
    try:
        assert await close_code(limited.ws) == 4429
    finally:
        for client in kept:
            await client.close()


async def test_a_slow_client_is_closed_with_4008(
    deployed: Deployment, kind: tuple[str, tuple[str, ...]], limited: Server
) -> None:
    if kind[0] == "daphne":
        pytest.skip(
            "daphne buffers writes inside Twisted, so its send never waits on a full socket "
            "and no client is slow to the endpoint (docs/deployment.md#servers-and-slow-clients)"
        )
    feed = Feed(limited, deployed.tokens["alice"])
    await feed.start()
    slow = RawWebsocket(limited.port)
    slow.send({"type": "subscribe", "id": "feed", "path": feed.path})
    try:
        for n in range(70):  # 7 MB for the slow one, which reads nothing
            await feed.update(n)
        _frames, code = await asyncio.to_thread(slow.read_all)
        assert code == 4008
    finally:
        slow.close()
        await feed.close()


async def test_an_expired_connection_is_closed_with_4008(
    deployed: Deployment, kind: tuple[str, tuple[str, ...]]
) -> None:
    server = start(deployed, kind, MAX_CONNECTION_AGE=1)
    try:
        assert await close_code(server.ws) == 4008
    finally:
        server.stop()


async def test_a_misconfigured_server_closes_with_4500(
    deployed: Deployment, kind: tuple[str, tuple[str, ...]]
) -> None:
    server = start(deployed, kind, CHANNEL_LAYER="missing")
    try:
        assert await close_code(server.ws) == 4500
    finally:
        server.stop()


async def test_a_client_without_origin_connects_and_authenticates(
    deployed: Deployment, limited: Server
) -> None:
    """What a server-side client does (docs/protocol.md, clients outside a browser)."""
    async with websockets.connect(limited.ws, ping_interval=None) as ws:
        await ws.send(
            json.dumps({"type": "auth", "authorization": f"Token {deployed.tokens['alice']}"})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["user"] == "alice"
        await ws.send(json.dumps({"type": "subscribe", "id": "feed", "path": "/api/articles/"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "subscribed"
