"""The per-process listener of the doorbell: one layer channel in the ring group.

It calls ``on_ring`` for every ring, and keeps its place in the group: it joins again every
``RENEW_INTERVAL`` seconds, so a layer that forgot its groups (Redis restarted) rings this
process again within that time, and until then the engine's poll finds the changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ..stats import counters
from .layer import group_name, is_ring

logger = logging.getLogger("django_realtime")

RENEW_INTERVAL = 10.0
RETRY_INTERVAL = 1.0
# Seconds close() waits for the layer client to let go (a receive that does not end when
# cancelled, a group_discard that gets no answer): closing down never hangs on the layer.
CLOSE_TIMEOUT = 2.0


class Hub:
    def __init__(self, layer: Any, on_ring: Callable[[], None]) -> None:
        self.layer = layer
        self.on_ring = on_ring
        self.channel: str | None = None
        self.joined = False
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._closing = False
        self._tasks = [loop.create_task(self._run())]

    async def close(self) -> None:
        # Some layer clients turn the cancellation of a pending receive into another
        # exception (redis-py can raise ConnectionError from its cleanup), which the receive
        # loop takes for a layer failure: the flag stops it then, whatever it caught.
        self._closing = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # a cancellation of close() itself still propagates
            _, stuck = await asyncio.wait(self._tasks, timeout=CLOSE_TIMEOUT)
            if stuck:
                logger.warning("The channel layer client did not stop receiving; left behind")
        self._tasks.clear()
        if self.channel is not None and self.joined:
            try:
                await asyncio.wait_for(
                    self.layer.group_discard(group_name(), self.channel), CLOSE_TIMEOUT
                )
            except Exception:  # closing down: a layer that is gone already is fine
                logger.debug("group_discard failed while closing the hub", exc_info=True)
        self.channel = None
        self.joined = False

    async def _run(self) -> None:
        while self.channel is None:
            try:
                self.channel = await self.layer.new_channel(prefix="realtime")
            except Exception:
                if self._closing:
                    return
                logger.warning("The channel layer is unreachable; retrying.", exc_info=True)
                await asyncio.sleep(RETRY_INTERVAL)
        receiving = asyncio.get_running_loop().create_task(self._receive(self.channel))
        self._tasks.append(receiving)
        while True:
            await self._join(self.channel)
            await asyncio.sleep(RENEW_INTERVAL if self.joined else RETRY_INTERVAL)

    async def _join(self, channel: str) -> None:
        try:
            await self.layer.group_add(group_name(), channel)
        except Exception:
            if not self._closing:
                if self.joined:
                    logger.warning("Joining the realtime group failed; retrying.", exc_info=True)
                self.joined = False
            return
        if not self.joined:
            self.joined = True
            self.on_ring()  # rings may have been missed while out of the group

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                if self._closing:
                    return
                logger.warning("Receiving from the channel layer failed; retrying in 1 s.")
                await asyncio.sleep(RETRY_INTERVAL)
                continue
            if not is_ring(message):
                logger.warning("Ignoring a message on the realtime channel: %r", message)
                continue
            counters.rings_in += 1
            self.on_ring()
