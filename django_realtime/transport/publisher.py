"""Send change notifications from sync code without making it wait for the channel layer.

In a server, a write runs in a thread of asgiref's ``sync_to_async``, on behalf of an
event loop. Its notifications are handed to that loop and the write goes on at once; one
publisher task per loop sends them, in the order they were handed over, batching the
changes of a burst into one layer message per model. Anywhere else (a shell, a task, a
management command) publishing waits until the layer has the message, so that nothing is
lost when the process exits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Iterable

from asgiref.sync import SyncToAsync, async_to_sync

from .layer import publish

logger = logging.getLogger("django_realtime")

Changes = list[tuple[str, str]]  # (pk as text, kind)


def publish_soon(label: str, changes: Iterable[tuple[str, str]]) -> None:
    """Publish ``changes`` of model ``label``; wait only if no server loop can do it."""
    loop = _calling_loop()
    if loop is None:
        async_to_sync(publish)(label, list(changes))
        return
    publisher = _publishers.get(loop)
    if publisher is None:
        publisher = _publishers.setdefault(loop, Publisher(loop))
    loop.call_soon_threadsafe(publisher.add, label, list(changes))


class Publisher:
    """Sends what ``add`` receives, in order, one batch at a time (event loop only)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[tuple[str, Changes]] = []
        self.task: asyncio.Task[None] | None = None
        self.added = 0  # batches handed to add(), ever
        self.sent = 0  # of which the layer has had its try at
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def add(self, label: str, changes: Changes) -> None:
        self.pending.append((label, changes))
        self.added += 1
        if self.task is None:
            self.task = self.loop.create_task(self._drain())

    async def sent_all(self) -> None:
        """Wait until what was added so far has been sent; not for what comes later."""
        if self.sent >= self.added:
            return
        waiter = self.loop.create_future()
        self._waiters.append((self.added, waiter))
        await waiter

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                by_label: dict[str, Changes] = {}
                for label, changes in batch:
                    by_label.setdefault(label, []).extend(changes)
                for label, changes in by_label.items():
                    try:
                        await publish(label, changes)
                    except Exception:
                        logger.exception(
                            "Could not publish %d change(s) of %s to the channel layer; "
                            "subscribers will not see them. Check CHANNEL_LAYERS and that its "
                            "server (Redis) is reachable.",
                            len(changes),
                            label,
                        )
                self.sent += len(batch)
                self._wake(self.sent)
        finally:
            self.task = None
            self._wake(self.added)  # stopped (the loop closing): nobody waits for nothing

    def _wake(self, sent: int) -> None:
        waiting = []
        for added, waiter in self._waiters:
            if added > sent:
                waiting.append((added, waiter))
            elif not waiter.done():
                waiter.set_result(None)
        self._waiters = waiting


_publishers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Publisher] = (
    weakref.WeakKeyDictionary()
)


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop whose ``sync_to_async`` runs this thread, if any."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


async def flush() -> None:
    """Wait until the changes that this loop's publisher holds now have been sent."""
    publisher = _publishers.get(asyncio.get_running_loop())
    if publisher is not None:
        await publisher.sent_all()
