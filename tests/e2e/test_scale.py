"""Several processes, one hub per process, and clients that do not read."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
import redis

from tests.client import SocketClient
from tests.e2e.rawsocket import RawWebsocket
from tests.e2e.servers import REDIS_URL, Server, deployment
from tests.services import require

pytestmark = pytest.mark.e2e


def rss(server: Server) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("layer", ["redis", "pubsub"])
async def test_two_processes_share_one_redis(layer: str) -> None:
    require("redis")
    require("postgres")
    with deployment(layer, "postgres") as deployed:
        one, two = deployed.start("uvicorn"), deployed.start("uvicorn")
        clients = [
            await SocketClient.connect(server.ws) for server in (one, two) for _ in range(5)
        ]
        try:
            for client in clients:
                await client.subscribe("feed", "/api/articles/?status=published")
            token = deployed.tokens["alice"]
            async with httpx.AsyncClient(
                base_url=one.http, headers={"Authorization": f"Token {token}"}
            ) as http:
                created = (
                    await http.post(
                        "/api/articles/", json={"title": "on one", "status": "published"}
                    )
                ).json()
            for client in clients:  # subscribers of both processes hear of a write on one
                await client.expect("event", event="created", pk=created["id"])

            # Each process listens once (for rings), however many of its clients subscribe.
            prefix = deployed.env["REDIS_PREFIX"]
            group = "realtime.log"
            with redis.Redis.from_url(REDIS_URL) as r:
                if layer == "pubsub":
                    channel = f"{prefix}__group__{group}"
                    listeners = dict(r.pubsub_numsub(channel))[channel.encode()]
                else:
                    listeners = r.zcard(f"{prefix}:group:{group}")
            assert listeners == 2
        finally:
            for client in clients:
                await client.close()


class Feed:
    """A server, a published article, and a reader subscribed to the published list."""

    path = "/api/articles/?status=published"

    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.http = httpx.AsyncClient(
            base_url=server.http, headers={"Authorization": f"Token {token}"}, timeout=30
        )
        self.body = "x" * 100_000  # 100 kB events fill a non-reading client's socket fast

    async def start(self) -> None:
        created = await self.http.post(
            "/api/articles/", json={"title": "big", "status": "published"}
        )
        self.article = created.json()["id"]
        self.reader = await SocketClient.connect(self.server.ws)
        await self.reader.subscribe("feed", self.path)

    async def update(self, n: int) -> None:
        """Change the article; the reader must have it within 5 s, slow clients or not."""
        started = time.monotonic()
        await self.http.patch(
            f"/api/articles/{self.article}/", json={"title": f"u{n}", "body": self.body}
        )
        event = await self.reader.expect("event", timeout=10)
        assert event["data"]["title"] == f"u{n}"
        assert time.monotonic() - started < 5, "a slow client slowed down the others"

    def stop_reading(self) -> RawWebsocket:
        slow = RawWebsocket(self.server.port)
        slow.send({"type": "subscribe", "id": "feed", "path": self.path})
        return slow

    async def close(self) -> None:
        await self.reader.close()
        await self.http.aclose()


async def test_a_client_that_stops_reading_is_dropped_without_costing_memory() -> None:
    with deployment(
        "inmemory", "sqlite", REALTIME_SETTINGS='{"MAX_BUFFERED_BYTES": 262144}'
    ) as deployed:
        feed = Feed(deployed.start("uvicorn"), deployed.tokens["alice"])
        await feed.start()
        for n in range(-60, 0):  # the server's memory reaches its steady state first
            await feed.update(n)
        slow = feed.stop_reading()
        await asyncio.sleep(0.5)
        before = rss(feed.server)
        for n in range(150):  # 15 MB more for each subscriber; the slow one reads nothing
            await feed.update(n)
        grown = rss(feed.server) - before
        # Measured on this machine: ~5 MiB of allocator churn without any slow client, the
        # same with one, and ~16 MiB when its buffer is unbounded (it keeps what the kernel
        # could not take).
        assert grown < 9 * 1024 * 1024, f"the server grew by {grown / 2**20:.1f} MiB"
        assert "Disconnecting a client that read too slowly" in feed.server.output()
        _frames, code = await asyncio.to_thread(slow.read_all)
        slow.close()
        assert code == 4008
        await feed.close()


async def test_a_dropped_slow_client_resumes_without_a_gap() -> None:
    settings = '{"MAX_BUFFERED_BYTES": 262144, "HISTORY_BYTES": 16777216}'
    with deployment("inmemory", "sqlite", REALTIME_SETTINGS=settings) as deployed:
        feed = Feed(deployed.start("uvicorn"), deployed.tokens["alice"])
        await feed.start()
        slow = feed.stop_reading()
        for n in range(70):
            await feed.update(n)
        frames, code = await asyncio.to_thread(slow.read_all)
        slow.close()
        assert code == 4008
        assert frames[0]["type"] == "subscribed"
        events = [frame for frame in frames if frame["type"] == "event"]
        assert [e["data"]["title"] for e in events] == [f"u{n}" for n in range(len(events))]
        assert 0 < len(events) < 70

        # Back with the cursor of the last event it applied: it gets the rest, in order.
        back = await SocketClient.connect(feed.server.ws)
        await back.send(type="subscribe", id="feed", path=feed.path, since=events[-1]["cursor"])
        await back.expect("subscribed", cursor=events[-1]["cursor"])
        missed = [
            (await back.expect("event", timeout=10))["data"]["title"]
            for _ in range(len(events), 70)
        ]
        assert missed == [f"u{n}" for n in range(len(events), 70)]
        await feed.update(70)
        assert (await back.expect("event"))["data"]["title"] == "u70"
        await back.close()
        await feed.close()
