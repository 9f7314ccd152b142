"""The outgoing side of one websocket: writers that must wait, and writers given up on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from django_realtime.transport.connection import SLOW_CLIENT_CLOSE_CODE, Connection


class StuckSocket:
    """A server ``send`` that waits until the test lets each message through."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.waiting: list[asyncio.Future[None]] = []

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        gate = asyncio.get_running_loop().create_future()
        self.waiting.append(gate)
        await gate


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


@pytest.mark.parametrize("started", [False, True], ids=["before-first-step", "waiting"])
async def test_a_slow_clients_close_outlives_the_writer_it_replaced(started: bool) -> None:
    socket = StuckSocket()
    conn = Connection(socket.send, max_bytes=10)
    conn.push("a")  # the socket is full: a task takes over the write
    if started:
        await _turns()
    conn.push("b" * 20)  # too far behind: the writer is given up on, the close is written
    assert socket.sent[-1] == {"type": "websocket.close", "code": SLOW_CLIENT_CLOSE_CODE}
    await _turns()  # the cancelled writer ends

    # The close writer is still the connection's: when the peer goes, it is stopped too.
    conn.abandon()
    await _turns()
    ours = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    assert ours == [], "a writer of the abandoned connection is still waiting"


async def test_frames_queued_behind_a_waiting_writer_are_written_in_order() -> None:
    socket = StuckSocket()
    conn = Connection(socket.send, max_bytes=1000)
    for text in ("one", "two", "three"):
        conn.push(text)
    conn.close(1000)
    while socket.waiting and not socket.waiting[-1].done():
        socket.waiting[-1].set_result(None)
        await _turns()
    assert [m.get("text", m.get("code")) for m in socket.sent] == ["one", "two", "three", 1000]
    assert conn.closed


async def test_a_close_is_written_from_a_task_even_when_started_outside_one() -> None:
    """uvicorn's legacy websockets implementation times its close out with asyncio.timeout,
    which needs a task; a slow client is closed from a loop callback, outside any."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close" and asyncio.current_task() is None:
            raise RuntimeError("Timeout should be used inside a task")
        sent.append(message)

    conn = Connection(send, max_bytes=100)
    loop = asyncio.get_running_loop()
    loop.call_soon(conn.push, "frame")
    loop.call_soon(conn.close, 4008)
    await _turns()
    assert sent == [
        {"type": "websocket.send", "text": "frame"},
        {"type": "websocket.close", "code": 4008},
    ]


async def test_a_failed_write_closes_the_socket_and_tells_the_owner() -> None:
    sent: list[dict[str, Any]] = []
    lost: list[bool] = []

    async def send(message: dict[str, Any]) -> None:
        if message.get("text") == "fails":
            raise RuntimeError("the server could not write this")
        sent.append(message)

    conn = Connection(send, max_bytes=100, on_lost=lambda: lost.append(True))
    conn.push("fails")
    conn.push("after")  # lost with it: the client resumes from what it has
    await _turns()
    assert lost == [True]
    assert sent == [{"type": "websocket.close", "code": SLOW_CLIENT_CLOSE_CODE}]
    assert conn.closed
