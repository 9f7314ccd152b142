"""Nothing is lost whatever fails: Redis killed and restarted, a layer that drops messages, a
server stopped while others write, a writer killed right after its commit, no ring at all.

Two uvicorn processes share PostgreSQL and a Redis of the test's own; writes land on either
one, or come from another program. Every subscriber must end with every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from tests.client import SocketClient
from tests.e2e.servers import Deployment, RedisServer, Server, deployment
from tests.services import require

pytestmark = pytest.mark.e2e

# Short polls keep these tests quick; the benchmark measures the default.
FAST_POLL = '{"POLL_INTERVAL": 0.5}'


class Follower:
    """A websocket client subscribed to alice's whole article list, recording what it hears."""

    def __init__(self, client: SocketClient, token: str, cursor: str) -> None:
        self.client, self.token, self.cursor = client, token, cursor
        self.created: set[int] = set()
        self.answers: list[str] = []  # how each resume was answered: subscribed or reset
        self.task = asyncio.ensure_future(self._listen())

    @classmethod
    async def start(cls, server: Server, token: str) -> Follower:
        client = await SocketClient.connect(server.ws)
        await client.auth(token)
        subscribed = await client.subscribe("all", "/api/articles/")
        return cls(client, token, subscribed["cursor"])

    async def resume(self, server: Server) -> None:
        """Reconnect to ``server`` and subscribe again from the last cursor applied."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        with contextlib.suppress(Exception):
            await self.client.close()
        self.client = await SocketClient.connect(server.ws)
        await self.client.auth(self.token)
        await self.client.send(
            type="subscribe", id="all", path="/api/articles/", since=self.cursor
        )
        answer = await self.client.receive()
        assert answer["type"] in ("subscribed", "reset"), answer
        self.answers.append(answer["type"])
        if answer["type"] == "reset":
            self.created |= {item["id"] for item in answer["data"]["results"]}
        self.task = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        while True:
            frame = await self.client.receive(timeout=3600)
            if frame.get("event") == "created":
                self.created.add(frame["pk"])
            if "cursor" in frame:
                self.cursor = frame["cursor"]

    async def has(self, pks: set[int], timeout: float = 20) -> None:
        async def wait() -> None:
            while not pks <= self.created:  # noqa: ASYNC110
                await asyncio.sleep(0.05)

        try:
            await asyncio.wait_for(wait(), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            missing = sorted(pks - self.created)
            raise AssertionError(
                f"{len(missing)} of {len(pks)} never arrived: {missing[:20]}"
            ) from None

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        await self.client.close()


@pytest.fixture
async def followers() -> AsyncIterator[Any]:
    started: list[Follower] = []

    async def start(server: Server, token: str) -> Follower:
        follower = await Follower.start(server, token)
        started.append(follower)
        return follower

    yield start
    for follower in started:
        await follower.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    require("redis")
    server = RedisServer().start()
    yield server
    server.kill()


class Writer:
    """Creates alice's articles through the REST API of the servers, in turn."""

    def __init__(self, deployed: Deployment) -> None:
        token = deployed.tokens["alice"]
        self.clients = [
            httpx.AsyncClient(
                base_url=s.http, headers={"Authorization": f"Token {token}"}, timeout=30
            )
            for s in deployed.servers
        ]
        self.turn = itertools.cycle(self.clients)
        self.created: set[int] = set()

    async def write(self, n: int, pause: float = 0.02) -> set[int]:
        made = set()
        for i in range(n):
            response = await next(self.turn).post("/api/articles/", json={"title": f"w{i}"})
            assert response.status_code == 201, response.text
            made.add(response.json()["id"])
            await asyncio.sleep(pause)
        self.created |= made
        return made

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


@pytest.mark.parametrize("layer", ["redis", "pubsub"])
async def test_redis_killed_and_restarted_while_writes_go_on(
    layer: str, redis_server: RedisServer, followers: Any
) -> None:
    require("postgres")
    with deployment(layer, "postgres", redis_server.url, REALTIME_SETTINGS=FAST_POLL) as deployed:
        one, two = deployed.start("uvicorn"), deployed.start("uvicorn")
        token = deployed.tokens["alice"]
        before = [await followers(server, token) for server in (one, two)]
        writer = Writer(deployed)
        try:
            await writer.write(10)
            redis_server.kill()
            await writer.write(10)  # committed while Redis is down
            redis_server.start()
            after = [await followers(server, token) for server in (one, two)]
            late = await writer.write(10)
            for follower in before:
                await follower.has(writer.created)
            for follower in after:  # new subscribers get events too
                await follower.has(late)
        finally:
            await writer.close()


@pytest.mark.parametrize("layer", ["redis", "pubsub"])
async def test_a_stopped_server_delivers_every_change_after_it_resumes(
    layer: str, redis_server: RedisServer, followers: Any
) -> None:
    """300 writes on the other server while one is stopped (SIGSTOP); the core layer with a
    capacity of 1 drops nearly every ring meanwhile."""
    require("postgres")
    with deployment(
        layer, "postgres", redis_server.url, REALTIME_SETTINGS=FAST_POLL, REDIS_CAPACITY="1"
    ) as deployed:
        stopped, running = deployed.start("uvicorn"), deployed.start("uvicorn")
        token = deployed.tokens["alice"]
        asleep = await followers(stopped, token)
        awake = await followers(running, token)
        writer = Writer(deployed)
        writer.turn = itertools.cycle(writer.clients[1:])  # all through the running server
        try:
            stopped.pause()
            try:
                await asyncio.gather(*(writer.write(60, pause=0) for _ in range(5)))
                assert len(writer.created) == 300
                await awake.has(writer.created)
            finally:
                stopped.resume()
            await asleep.has(writer.created)
        finally:
            await writer.close()


async def test_clients_of_a_killed_server_resume_on_another(followers: Any) -> None:
    """A crash, or a deploy: the clients of one server reconnect to the other with their
    cursors while writes go on, and miss nothing."""
    require("redis")
    require("postgres")
    with deployment("redis", "postgres", REALTIME_SETTINGS=FAST_POLL) as deployed:
        doomed, survivor = deployed.start("uvicorn"), deployed.start("uvicorn")
        token = deployed.tokens["alice"]
        crowd = [await followers(doomed, token) for _ in range(10)]
        writer = Writer(deployed)
        writer.turn = itertools.cycle(writer.clients[1:])
        try:
            await writer.write(5)
            for follower in crowd:
                await follower.has(writer.created)
            doomed.process.kill()
            await writer.write(20)  # the clients are away
            for follower in crowd:
                await follower.resume(survivor)
            await writer.write(5)
            for follower in crowd:
                await follower.has(writer.created)
        finally:
            await writer.close()
        answers = [answer for follower in crowd for answer in follower.answers]
        print(f"resumes after a crash: {answers.count('subscribed')} resumed, "
              f"{answers.count('reset')} reset")  # fmt: skip
        assert answers == ["subscribed"] * len(crowd)  # alice sees all she writes: provable


KILL_AFTER_COMMIT = """
import os, signal
from django.contrib.auth.models import User
from django.db import transaction
from articles.models import Article
with transaction.atomic():
    # Registered before the write, so it runs before the ring that the write registers.
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    article = Article.objects.create(title="last words", author=User.objects.get(username="alice"))
    print(article.pk, flush=True)
"""


@pytest.mark.parametrize("layer", ["inmemory", "redis"])
async def test_a_writer_killed_right_after_its_commit_loses_nothing(
    layer: str, followers: Any
) -> None:
    if layer == "redis":
        require("redis")
    require("postgres")
    with deployment(layer, "postgres", REALTIME_SETTINGS=FAST_POLL) as deployed:
        server = deployed.start("uvicorn")
        follower = await followers(server, deployed.tokens["alice"])
        done = await asyncio.to_thread(deployed.run_shell, KILL_AFTER_COMMIT)
        assert done.returncode == -9, done.stderr  # killed, before any ring went out
        await follower.has({int(done.stdout.split()[-1])})


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
async def test_another_program_writing_rings_nothing_and_is_heard(
    database: str, followers: Any
) -> None:
    """Raw SQL from a program that knows nothing of Django: only the poll can find it."""
    if database == "postgres":
        require("postgres")
    with deployment("inmemory", database, REALTIME_SETTINGS=FAST_POLL) as deployed:
        server = deployed.start("uvicorn")
        follower = await followers(server, deployed.tokens["alice"])
        sql = (
            "INSERT INTO articles_article (title, body, status, author_id, created_at, updated_at) "
            "SELECT 'raw', '', 'draft', id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM auth_user "
            "WHERE username = 'alice' RETURNING id"
        )
        url = deployed.env["DATABASE_URL"]
        if database == "postgres":
            with psycopg.connect(url) as connection:
                pk = connection.execute(sql).fetchone()[0]  # type: ignore[index]
        else:
            import sqlite3

            connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            with connection:
                pk = connection.execute(sql).fetchone()[0]
            connection.close()
        await follower.has({pk})


@pytest.mark.parametrize("layer", ["redis", "pubsub"])
async def test_frames_are_answered_while_redis_is_stalled(
    layer: str, redis_server: RedisServer
) -> None:
    """Frame handling never waits on the layer: with Redis frozen, subscribe, unsubscribe and
    ping are answered within a second, and writes still arrive (by the poll)."""
    require("postgres")
    with deployment(layer, "postgres", redis_server.url, REALTIME_SETTINGS=FAST_POLL) as deployed:
        server = deployed.start("uvicorn")
        client = await SocketClient.connect(server.ws)
        await client.subscribe("feed", "/api/articles/?status=published")
        assert redis_server.process is not None
        redis_server.process.send_signal(signal.SIGSTOP)
        token = deployed.tokens["alice"]
        try:
            async with httpx.AsyncClient(
                base_url=server.http, headers={"Authorization": f"Token {token}"}, timeout=30
            ) as http:
                await client.send(type="ping")
                await client.expect("pong", timeout=1)
                await client.send(type="subscribe", id="new", path="/api/articles/?status=draft")
                await client.expect("subscribed", timeout=1, id="new")
                await client.send(type="unsubscribe", id="new")
                await client.expect("unsubscribed", timeout=1, id="new")
                other = await asyncio.wait_for(SocketClient.connect(server.ws), 1)
                await other.send(type="subscribe", id="x", path="/api/articles/")
                await other.expect("subscribed", timeout=1, id="x")
                await other.close()
                created = await asyncio.wait_for(
                    http.post("/api/articles/", json={"title": "stalled", "status": "published"}),
                    1,
                )
                await client.expect("event", timeout=3, event="created", pk=created.json()["id"])
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
            await client.close()
