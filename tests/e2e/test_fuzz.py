"""Hostile frames, generated: thousands of them, in sequences, against a live server over
real sockets. The server never crashes, answers every frame as the protocol documents, shows
no subscription anything its GET would not, and a control client hears every change."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.client import SocketClient
from tests.e2e.servers import Deployment, deployment
from tests.services import require

pytestmark = pytest.mark.e2e

# What docs/protocol.md documents.
SERVER_TYPES = {"subscribed", "event", "reset", "unsubscribed", "auth", "pong", "error"}
ERROR_CODES = {
    "parse_error",
    "invalid_message",
    "duplicate_id",
    "unknown_subscription",
    "not_found",
    "not_realtime",
    "not_authenticated",
    "permission_denied",
    "throttled",
    "bad_request",
    "too_many_subscriptions",
    "list_too_large",
    "frame_too_large",
    "connection_expired",
}  # fmt: skip  (server_error is documented too, but is a bug for any input)
UNSUBSCRIBED_REASONS = {"client", "deleted", "forbidden", "not_found", "not_authenticated"}
RESET_REASONS = {"unknown_cursor", "history_expired", "cannot_replay"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
ids = st.text(min_size=0, max_size=70) | st.sampled_from(["a", "b", "c"])
paths = st.one_of(
    st.sampled_from(
        [
            "/api/articles/",
            "/api/articles/?status=published",
            "/api/articles/?status=draft",
            "/api/articles/1/",
            "/api/articles/999999/",
            "/api/comments/",
            "/api/tags/",
            "/api/articles/?status=bogus",
            "/api/articles/?page=2&ordering=-id",
            "/api/",
            "/admin/",
            "/ws/",
            "//evil.example/api/articles/",
            "/api/articles/%2e%2e/",
            "/api/articles/?" + "x=1&" * 50,
        ]
    ),
    st.text(max_size=60),
    st.text(max_size=30).map(lambda text: "/api/articles/?q=" + text),
)
frames = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("subscribe"), "id": ids, "path": paths},
        optional={
            "since": st.text(max_size=40) | json_values,
            "snapshot": st.booleans() | json_values,
        },
    ),
    st.fixed_dictionaries({"type": st.just("unsubscribe"), "id": ids | json_values}),
    st.fixed_dictionaries(
        {"type": st.just("auth"), "authorization": st.text(max_size=60) | json_values}
    ),
    st.fixed_dictionaries({"type": st.just("ping")}, optional={"data": json_values}),
    st.dictionaries(
        st.sampled_from(["type", "id", "path", "since", "data", "authorization"]), json_values
    ),
    json_values,
).map(json.dumps)
raw = st.one_of(
    frames,
    frames,
    frames,
    st.text(max_size=80),  # anything at all
    st.sampled_from(["", "{", "[]", "NaN", '{"type": "ping", "data": 1e999}', "[" * 5000]),
)


class World:
    """The server, a control client, and a writer, running on a loop of their own."""

    def __init__(self, deployed: Deployment) -> None:
        self.deployed = deployed
        self.server = deployed.servers[0]
        self.loop = asyncio.new_event_loop()
        self.drafts: set[int] = set()  # never shown to an anonymous GET
        self.published: set[int] = set()
        self.control_heard: set[int] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self._start())

    def call(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self) -> None:
        self.control = await SocketClient.connect(self.server.ws)
        await self.control.subscribe("control", "/api/articles/?status=published")
        self.http = httpx.AsyncClient(
            base_url=self.server.http,
            headers={"Authorization": f"Token {self.deployed.tokens['alice']}"},
            timeout=30,
        )
        self.tasks = [asyncio.ensure_future(self._listen()), asyncio.ensure_future(self._write())]

    async def _listen(self) -> None:
        while True:
            frame = await self.control.receive(timeout=3600)
            if frame.get("event") == "created":
                self.control_heard.add(frame["pk"])

    async def _write(self) -> None:
        n = 0
        while True:
            status = "published" if n % 2 else "draft"
            made = await self.http.post(
                "/api/articles/", json={"title": f"w{n}", "status": status}
            )
            assert made.status_code == 201, made.text
            (self.published if status == "published" else self.drafts).add(made.json()["id"])
            n += 1
            await asyncio.sleep(0.05)

    def close(self) -> None:
        async def stop() -> None:
            for task in self.tasks:
                task.cancel()
            await self.http.aclose()
            await self.control.close()

        with contextlib.suppress(Exception):
            self.call(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    require("postgres")
    with deployment("inmemory", "postgres") as deployed:
        deployed.start("uvicorn")
        world = World(deployed)
        try:
            yield world
        finally:
            world.close()
            print(world.server.output()[-5000:])  # shown with a failure


def check_answer(frame: dict[str, Any], world: World) -> None:
    """A frame the protocol documents, that shows nothing an anonymous GET would not."""
    kind = frame.get("type")
    assert kind in SERVER_TYPES, frame
    if kind == "error":
        assert frame["code"] in ERROR_CODES, frame
        assert isinstance(frame["detail"], str), frame
        assert frame["detail"], frame
    elif kind == "unsubscribed":
        assert frame["reason"] in UNSUBSCRIBED_REASONS, frame
    elif kind == "reset":
        assert frame["reason"] in RESET_REASONS, frame
    elif kind == "event":
        assert frame["event"] in ("created", "updated", "deleted"), frame
        # Anonymous subscribers: a draft, never published, is nobody's business.
        assert frame["pk"] not in world.drafts or "/articles/" not in frame["path"], frame


def expected_answers(sequence: list[str]) -> int:
    """One answer per frame, but a subscribe that an unsubscribe of its id follows may be
    answered by that unsubscribe's ``unsubscribed`` alone (it never got admitted)."""
    pending: set[str] = set()
    cancelled = 0
    for text in sequence:
        try:
            frame = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if not isinstance(frame, dict) or not isinstance(frame.get("id"), str):
            continue
        if frame.get("type") == "subscribe":
            pending.add(frame["id"])
        elif frame.get("type") == "unsubscribe" and frame["id"] in pending:
            pending.discard(frame["id"])
            cancelled += 1
    return len(sequence) - cancelled


async def play(world: World, sequence: list[str]) -> int | None:
    """Send ``sequence``, check every answer; the close code if the server closed."""
    client = await SocketClient.connect(world.server.ws)
    try:
        for text in sequence:
            await client.send_raw(text)
        marker = {"end": len(sequence)}
        await client.send(type="ping", data=marker)
        answers, expected, ended = 0, expected_answers(sequence), False
        deadline = asyncio.get_running_loop().time() + 15
        # Subscriptions are answered after their admission, maybe after the marker's pong.
        while not (ended and answers >= expected):
            assert asyncio.get_running_loop().time() < deadline, (answers, expected, sequence)
            frame = await client.receive(10)
            check_answer(frame, world)
            if frame["type"] == "pong" and frame.get("data") == marker:
                ended = True
            elif frame["type"] != "event":
                answers += 1
    except websockets.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd is not None else None
    else:
        code = None
    finally:
        await client.close()
    return code


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,  # the same thousands of frames on every run: a failure repeats
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(raw, min_size=1, max_size=10))
@pytest.mark.timeout(600)
def test_generated_hostile_frames(world: World, sequence: list[str]) -> None:
    assert world.server.process.poll() is None, "the server died"
    closed = world.call(play(world, sequence))
    # Only a frame over MAX_FRAME_BYTES closes a connection that sends this slowly.
    assert closed in (None, 1009), closed


def test_after_the_fuzz_the_server_and_the_control_client_are_unharmed(world: World) -> None:
    """Runs after the fuzz (same module, in order): the control client heard every change."""
    published = set(world.published)

    async def wait() -> None:
        while not published <= world.control_heard:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    world.call(asyncio.wait_for(wait(), 20))
    assert world.server.process.poll() is None
    output = world.server.output()
    assert "Traceback" not in output, output[output.find("Traceback") - 500 :][:4000]
