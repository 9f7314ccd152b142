"""Fan-out on the event loop: subscriptions, and the outbox that writes each evaluated
event to its audience's subscribers, a slice per turn of the loop."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from .. import wire
from ..stats import counters
from ..transport.connection import Connection
from .audience import Audience, Event

# Frames written per turn of the event loop.
DRAIN_SLICE = 100


class Subscription:
    """One live subscription of one connection (event loop only)."""

    __slots__ = ("audience", "conn", "grant", "id", "path", "prefix", "registry")

    def __init__(
        self, id: str, path: str, conn: Connection, registry: dict[str, Subscription]
    ) -> None:
        self.id = id
        self.path = path
        self.conn = conn
        # The connection's live subscriptions by id; an ended subscription leaves it.
        self.registry = registry
        self.prefix = wire.event_prefix(id)
        self.audience: Audience | None = None
        self.grant: Any = None  # the credentials it was admitted with (grants.Grant)

    @property
    def live(self) -> bool:
        return self.registry.get(self.id) is self and not self.conn.closed

    def end(self, reason: str) -> None:
        """The subscription's object is gone: tell the client, and forget it."""
        self.audience = None
        if self.live:
            del self.registry[self.id]
            counters.subscriptions -= 1
            self.conn.push(wire.frame("unsubscribed", id=self.id, reason=reason))


@dataclass
class _Outgoing:
    """One event on its way to the subscribers its audience had when it was evaluated."""

    audience: Audience
    subscribers: list[Subscription]
    event: Event
    next: int = 0  # subscribers before this one have it


class Outbox:
    """Events waiting to be written. A large fan-out is written in slices, so that HTTP
    responses and incoming frames get through between them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._queue: deque[_Outgoing] = deque()
        self._draining = False

    def add(self, audience: Audience, events: list[Event]) -> None:
        # Who hears of these events is decided now, in order with admissions: someone
        # admitted later starts after them.
        subscribers = list(audience.subscribers)
        for event in events:
            self._queue.append(_Outgoing(audience, subscribers, event))
        if not self._draining and self._queue:
            self._draining = True
            self.loop.call_soon(self._drain)

    def _drain(self) -> None:
        budget = DRAIN_SLICE
        queue = self._queue
        while queue and budget > 0:
            item = queue[0]
            audience, subscribers, tail = item.audience, item.subscribers, item.event.tail
            end = min(item.next + budget, len(subscribers))
            for sub in subscribers[item.next : end]:
                if sub.audience is audience:  # not gone since
                    sub.conn.push(sub.prefix + tail)
            counters.events_out += end - item.next
            budget -= end - item.next
            item.next = end
            if end == len(subscribers):
                queue.popleft()
                if item.event.end is not None:
                    for sub in subscribers:
                        if sub.audience is audience:
                            sub.end(item.event.end)
                    audience.subscribers.clear()
        if queue:
            self.loop.call_soon(self._drain)
        else:
            self._draining = False
