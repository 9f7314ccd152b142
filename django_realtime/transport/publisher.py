"""Ring the doorbell from sync code, without making the writer wait for the channel layer.

In a server, a write runs in a thread of asgiref's ``sync_to_async``, on behalf of an
event loop: the ring is handed to that loop and the write goes on at once. Anywhere else
(a shell, a task, a management command) one background thread per process rings. Rings
that pile up while one is being sent become one. A ring that never goes out (the layer is
down, the process is killed) costs latency, never an event: every server process also
polls the log.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import weakref
from typing import Any

from asgiref.sync import SyncToAsync

from ..stats import counters
from .layer import new_layer, ring

logger = logging.getLogger("django_realtime")

RING_TIMEOUT = 10.0  # seconds a ring may take before it counts as failed


def ring_soon() -> None:
    """Tell every server process that the log has grown (after a commit)."""
    loop = _calling_loop() or _server_loop()
    background = loop is None
    if loop is None:
        loop = _background_loop()
    bell = _bells.get(loop)
    if bell is None:
        bell = _bells.setdefault(loop, Bell(loop, own_layer=background))
    loop.call_soon_threadsafe(bell.ring)


class Bell:
    """Sends rings from one event loop, one at a time (event loop only)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, own_layer: bool = False) -> None:
        self.loop = loop
        self.own_layer = own_layer  # the background loop's: a layer instance of its own
        self.layer: Any = None
        self.wanted = 0  # rings asked for, ever
        self.sent = 0  # of which a ring sent after the request covers
        self.task: asyncio.Task[None] | None = None
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def ring(self) -> None:
        self.wanted += 1
        if self.task is None:
            self.task = self.loop.create_task(self._send())

    async def rung(self) -> None:
        """Wait until a ring has been sent after every ring asked for so far."""
        if self.sent >= self.wanted:
            return
        waiter = self.loop.create_future()
        self._waiters.append((self.wanted, waiter))
        await waiter

    async def _send(self) -> None:
        try:
            while self.sent < self.wanted:
                covered = self.wanted
                try:
                    if self.own_layer and self.layer is None:
                        self.layer = new_layer()
                    # A layer call that never returns (channels_redis#319) must not stop
                    # every later ring: the servers would fall back to polling for good.
                    await asyncio.wait_for(ring(self.layer), RING_TIMEOUT)
                    counters.rings_out += 1
                except Exception:
                    logger.warning(
                        "Could not ring the channel layer; server processes will find the "
                        "change when they next poll the log (REALTIME['POLL_INTERVAL']). "
                        "Check CHANNEL_LAYERS and that its server (Redis) is reachable.",
                        exc_info=True,
                    )
                self.sent = covered
                self._wake()
        finally:
            self.task = None
            self.sent = self.wanted  # stopped (the loop closing): nobody waits for nothing
            self._wake()

    def _wake(self) -> None:
        waiting = []
        for wanted, waiter in self._waiters:
            if wanted > self.sent:
                waiting.append((wanted, waiter))
            elif not waiter.done():
                waiter.set_result(None)
        self._waiters = waiting


_bells: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Bell] = weakref.WeakKeyDictionary()
_server: weakref.ReferenceType[asyncio.AbstractEventLoop] | None = None
_background: asyncio.AbstractEventLoop | None = None
_background_lock = threading.Lock()


def serve_from(loop: asyncio.AbstractEventLoop) -> None:
    """Ring from ``loop`` (the server's) also for threads that no ``sync_to_async`` runs:
    a layer such as the in-memory one is bound to the loop that serves it."""
    global _server
    _server = weakref.ref(loop)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    loop = _server() if _server is not None else None
    return loop if loop is not None and loop.is_running() else None


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop whose ``sync_to_async`` runs this thread, if any."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


def _background_loop() -> asyncio.AbstractEventLoop:
    """One daemon thread per process that rings for code outside any event loop."""
    global _background
    with _background_lock:
        if _background is None or _background.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="realtime-doorbell", daemon=True
            ).start()
            _background = loop
            atexit.register(flush_background, 2.0)
        return _background


async def flush() -> None:
    """Wait until the rings asked for on this loop so far have been sent."""
    bell = _bells.get(asyncio.get_running_loop())
    if bell is not None:
        await bell.rung()


def flush_background(timeout: float = 5.0) -> None:
    """From sync code: wait until the background thread's rings have been sent (a command
    that exits right after writing calls it, so servers hear of it without polling)."""
    loop = _background
    if loop is None or loop.is_closed():
        return
    bell = _bells.get(loop)
    if bell is None:
        return
    future = asyncio.run_coroutine_threadsafe(bell.rung(), loop)
    try:
        future.result(timeout)
    except Exception:
        logger.debug("Rings not confirmed within %s s", timeout, exc_info=True)
