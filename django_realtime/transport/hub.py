"""The per-process hub: one channel-layer listener for every connection of this process.

The hub owns one layer channel and joins the group of a model while anything in this
process watches that model. Everything it receives is numbered (``seq``, increasing) and
handed, in arrival order, to one ``on_changes`` callback; per-connection work happens there
and beyond, never on the channel layer.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ..stats import counters
from .layer import group_name, read_message

logger = logging.getLogger("django_realtime")

# A numbered change: (seq, model label, pk as text, kind, when it was received). It was
# received after it was committed: a query started later sees it.
SeqChange = tuple[int, str, str, str, float]

# Seconds between renewals of group membership (channels_redis forgets a group member after
# its group_expiry, 86400 s by default).
RENEW_INTERVAL = 3600.0


class Hub:
    def __init__(self, layer: Any, on_changes: Callable[[list[SeqChange]], None]) -> None:
        self.layer = layer
        self.on_changes = on_changes
        # Cursors name the process that issued them: a cursor from another process (or from
        # before a restart) cannot be replayed here.
        self.epoch = secrets.token_hex(4)
        self.seq = 0
        self.channel: str | None = None
        self._watchers: dict[str, int] = {}  # model label -> how many watch it
        self._joined: set[str] = set()  # the models whose group this process is in
        self._membership: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._start_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    async def watch(self, label: str) -> None:
        """Receive the changes of model ``label`` from now on (counted; see :meth:`unwatch`).

        Returns once this process is in the model's group, however many watch it at once;
        if the layer refuses the join, raises, and the next watch tries again."""
        await self._start()
        self._watchers[label] = self._watchers.get(label, 0) + 1
        try:
            await self._sync(label)
        except BaseException:
            self._forget(label)
            raise

    async def unwatch(self, label: str) -> None:
        if label in self._watchers:
            self._forget(label)
            await self._sync(label)

    def _forget(self, label: str) -> None:
        count = self._watchers.pop(label, 0) - 1
        if count > 0:
            self._watchers[label] = count

    async def _sync(self, label: str) -> None:
        """Join or leave the model's group, as whether anything watches it says. The joins
        and leaves of one model run one at a time, in order: a leave still under way cannot
        undo the join that follows it."""
        async with self._membership[label]:
            channel, wanted = self.channel, label in self._watchers
            if channel is None or wanted == (label in self._joined):
                return
            if wanted:
                await self.layer.group_add(group_name(label), channel)
                self._joined.add(label)
                return
            self._joined.discard(label)
            try:
                await self.layer.group_discard(group_name(label), channel)
            except Exception:  # still in the group: its changes reach nobody, and cost little
                logger.warning("Leaving the realtime group of %s failed", label, exc_info=True)

    def watching(self) -> dict[str, int]:
        return dict(self._watchers)

    async def close(self) -> None:
        # Some layer clients turn the cancellation of a pending receive into another
        # exception (redis-py can raise ConnectionError from its cleanup), which the receive
        # loop takes for a layer failure: the flag stops it then, whatever it caught.
        self._closing = True
        for task in self._tasks:
            task.cancel()
        # Their CancelledError is returned; a cancellation of close() itself still propagates.
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.channel is not None:
            for label in list(self._joined):
                try:
                    await self.layer.group_discard(group_name(label), self.channel)
                except Exception:  # closing down: a layer that is gone already is fine
                    logger.debug("group_discard failed while closing the hub", exc_info=True)
        self._watchers.clear()
        self._joined.clear()
        self.channel = None

    async def _start(self) -> None:
        if self.channel is not None:
            return
        async with self._start_lock:
            if self.channel is None:
                channel = await self.layer.new_channel(prefix="realtime")
                loop = asyncio.get_running_loop()
                self._closing = False
                self._tasks = [
                    loop.create_task(self._receive(channel)),
                    loop.create_task(self._renew(channel)),
                ]
                self.channel = channel

    async def _receive(self, channel: str) -> None:
        loop = asyncio.get_running_loop()
        pending: list[SeqChange] = []

        def flush() -> None:
            batch = pending[:]
            pending.clear()
            self.on_changes(batch)

        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                if self._closing:
                    return
                logger.exception("Receiving from the channel layer failed; retrying in 1 s.")
                await asyncio.sleep(1)
                continue
            try:
                changes = read_message(message)
            except ValueError:
                logger.exception("Ignoring a message on the realtime channel")
                continue
            counters.events_in += len(changes)
            received = time.monotonic()
            if not pending:
                # Runs once the messages already waiting have been read: one batch for all.
                loop.call_soon(flush)
            for label, pk, kind in changes:
                self.seq += 1
                pending.append((self.seq, label, pk, kind, received))

    async def _renew(self, channel: str) -> None:
        while True:
            await asyncio.sleep(RENEW_INTERVAL)
            for label in list(self._joined):
                try:
                    await self.layer.group_add(group_name(label), channel)
                except Exception:
                    if self._closing:
                        return
                    logger.exception("Renewing the realtime group of %s failed", label)
