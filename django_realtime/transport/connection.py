"""The outgoing side of one websocket: a bounded buffer, written in order.

Fan-out only appends to the buffer and starts the writer when it is idle. The writer runs
at once, in the caller, for as long as the server's ``send`` does not have to wait (the
socket is writable); only when it must wait does a task take over. So writing a frame to
a reader that keeps up costs no task and no trip through the event loop, and one that
does not keep up never holds up the others.

A client that lets more than ``max_bytes`` pile up behind the frame being written (so one
frame larger than that still reaches a client that keeps up) is disconnected with
:data:`SLOW_CLIENT_CLOSE_CODE` and its buffer is dropped; it can reconnect and resume with
``since``. This relies on the server's ``send`` waiting while the socket is full (uvicorn
and hypercorn do; see docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from ..stats import counters

logger = logging.getLogger("django_realtime")

Send = Callable[[dict[str, Any]], Awaitable[None]]

SLOW_CLIENT_CLOSE_CODE = 4008


class Connection:
    """Queue text frames for one websocket and write them in order."""

    __slots__ = (
        "_buffer",
        "_close_code",
        "_size",
        "_task",
        "_writer",
        "_writing",
        "closed",
        "max_bytes",
        "on_lost",
        "send",
    )

    def __init__(
        self, send: Send, max_bytes: int, on_lost: Callable[[], None] | None = None
    ) -> None:
        self.send = send
        self.max_bytes = max_bytes
        self.on_lost = on_lost  # told when a write fails: the frames after it are lost
        self.closed = False
        self._buffer: deque[str] = deque()
        self._size = 0
        self._writing = False
        self._task: asyncio.Task[None] | None = None  # a writer that had to wait
        self._writer = 0  # which writer is the current one: a cancelled one may end later
        self._close_code: int | None = None

    def push(self, text: str) -> None:
        """Queue one frame. Never waits; disconnects the client if it is too far behind."""
        if self.closed or self._close_code is not None:
            return
        self._buffer.append(text)
        self._size += len(text)
        if not self._writing:
            self._start()  # a reader that keeps up takes it at once, however large
        if self._size > self.max_bytes:
            self._drop_slow_client()

    def close(self, code: int = 1000) -> None:
        """Close after the frames already queued have been written."""
        if self.closed or self._close_code is not None:
            return
        self._close_code = code
        if not self._writing:
            self._start()

    @property
    def buffered_bytes(self) -> int:
        return self._size

    def abandon(self) -> None:
        """The socket is gone: drop what is queued and stop writing."""
        self.closed = True
        self._buffer.clear()
        self._size = 0
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self._task = None

    def _drop_slow_client(self) -> None:
        counters.slow_client_disconnects += 1
        logger.info(
            "Disconnecting a client that read too slowly (%d bytes waiting, limit %d).",
            self._size,
            self.max_bytes,
        )
        self._buffer.clear()
        self._size = 0
        self._close_code = SLOW_CLIENT_CLOSE_CODE
        if self._task is not None:  # stuck behind the client's full socket: give up on it
            self._task.cancel()
            self._task = None
            self._writing = False
        if not self._writing:
            self._start()

    def _start(self) -> None:
        self._writing = True
        self._writer += 1
        task = run_eagerly(self._write(self._writer))
        if task is not None:
            self._task = task

    async def _write(self, writer: int) -> None:
        buffer = self._buffer
        try:
            while buffer:
                text = buffer.popleft()
                self._size -= len(text)
                await self.send({"type": "websocket.send", "text": text})
            if self._close_code is not None and not self.closed:
                self.closed = True
                if asyncio.current_task() is None:
                    # Some servers close with a timeout that needs a task (uvicorn's
                    # legacy websockets implementation): a task takes over from here.
                    await _bare_yield()
                await self.send({"type": "websocket.close", "code": self._close_code})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._failed(exc)
        finally:
            if writer == self._writer:  # not a cancelled writer's late end
                self._writing = False
                self._task = None

    async def _failed(self, exc: Exception) -> None:
        """A write failed: the peer went away, or the server could not send. The frames
        from this one on are lost, so the client is told to resume (if it can still hear
        anything), and whoever owns the connection is told that it is lost."""
        logger.debug("Websocket write failed, dropping the connection: %r", exc)
        was_closed = self.closed
        self.abandon()
        if not was_closed:
            with contextlib.suppress(Exception):
                await self.send({"type": "websocket.close", "code": SLOW_CLIENT_CLOSE_CODE})
        if self.on_lost is not None:
            self.on_lost()


@types.coroutine
def _bare_yield() -> Generator[None, None, None]:
    """Suspend once, waiting on nothing: run_eagerly hands the rest to a task."""
    yield


def frame_sender(send: Send) -> Send:
    """The server's own ``send``, from under Channels' session middleware.

    ``SessionMiddleware`` wraps ``send`` to save the session when an HTTP response starts;
    a websocket frame never does that, and the wrapper costs about as much as the write.
    """
    from channels.sessions import InstanceSessionWrapper

    owner = getattr(send, "__self__", None)
    while isinstance(owner, InstanceSessionWrapper):
        send = owner.real_send
        owner = getattr(send, "__self__", None)
    return send


def run_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run ``coroutine`` now, in the caller; if it has to wait, a task finishes it.

    Like Python 3.12's eager tasks, on every supported Python: no task is created for a
    coroutine that completes without waiting. Returns the task, if one was needed.
    """
    try:
        waiting_on = coroutine.send(None)
    except StopIteration:
        return None
    task = asyncio.get_running_loop().create_task(_finish(coroutine, waiting_on))
    # Cancelled, even before its first step: the coroutine's own cleanup runs then.
    task.add_done_callback(lambda _: coroutine.close())
    return task


async def _finish(coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Drive a coroutine that ``run_eagerly`` started, from where it is waiting."""
    while True:
        if waiting_on is None:  # a bare yield: just let the loop run once
            await asyncio.sleep(0)
        else:
            waiting_on._asyncio_future_blocking = False
            await asyncio.wait([waiting_on])  # done, without taking its result
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
