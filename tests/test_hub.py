"""The per-process hub: its listener stops when closed, whatever the layer client raises, and
its group membership follows what the process watches, whatever the layer does meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from django_realtime.transport.hub import Hub
from django_realtime.transport.layer import build_message, group_name
from tests.client import until


class CancellationToError(InMemoryChannelLayer):
    """A layer whose pending receive answers the first cancellation with another exception,
    as redis-py's connection cleanup can (a ConnectionError raised while handling it)."""

    converted = False

    async def receive(self, channel: str) -> Any:
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            if self.converted:
                raise
            self.converted = True
            raise ConnectionError("Connection closed by server.") from None


async def test_close_stops_a_listener_whose_layer_turns_cancellation_into_an_error() -> None:
    hub = Hub(CancellationToError(), on_changes=lambda changes: None)
    await hub.watch("articles.article")
    await asyncio.sleep(0)  # the listener is now waiting in receive()
    closing = asyncio.ensure_future(hub.close())
    done, _ = await asyncio.wait({closing}, timeout=5)
    closing.cancel()  # lets a listener that went on retrying stop, should the test fail
    assert done == {closing}, "close() still waits for the listener"
    assert hub.channel is None


async def test_a_failing_receive_is_retried_until_the_layer_answers() -> None:
    received: list[Any] = []
    layer = InMemoryChannelLayer()
    failures = 1
    original = layer.receive

    async def receive(channel: str) -> Any:
        nonlocal failures
        if failures:
            failures -= 1
            raise ConnectionError("the layer is restarting")
        return await original(channel)

    layer.receive = receive  # type: ignore[method-assign]
    hub = Hub(layer, on_changes=received.extend)
    await hub.watch("articles.article")
    await layer.group_send(
        group_name("articles.article"), build_message("articles.article", [("1", "updated")])
    )
    try:
        await until(lambda: bool(received))
    finally:
        await hub.close()
    assert [(label, pk, kind) for _, label, pk, kind, _ in received] == [
        ("articles.article", "1", "updated")
    ]


LABEL = "articles.article"


class GatedLayer(InMemoryChannelLayer):
    """A layer whose group joins and leaves wait while their gate is shut (as a Redis round
    trip does), and whose next ``refuse`` joins fail."""

    def __init__(self) -> None:
        super().__init__()
        self.joins, self.leaves = asyncio.Event(), asyncio.Event()
        self.joins.set()
        self.leaves.set()
        self.refuse = 0

    async def group_add(self, group: str, channel: str) -> None:
        await self.joins.wait()
        if self.refuse:
            self.refuse -= 1
            raise ConnectionError("the layer is restarting")
        await super().group_add(group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await self.leaves.wait()
        await super().group_discard(group, channel)


async def turns(n: int = 20) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def delivered(layer: GatedLayer, received: list[Any]) -> bool:
    """Whether a change sent to the model's group now reaches the hub."""
    before = len(received)
    await layer.group_send(group_name(LABEL), build_message(LABEL, [("1", "updated")]))
    try:
        await until(lambda: len(received) > before, timeout=1)
    except (asyncio.TimeoutError, TimeoutError):  # distinct before Python 3.11
        return False
    return True


@pytest.fixture
async def gated() -> AsyncIterator[tuple[Hub, GatedLayer, list[Any]]]:
    """A hub on a GatedLayer, and the changes it has received."""
    received: list[Any] = []
    layer = GatedLayer()
    hub = Hub(layer, on_changes=received.extend)
    yield hub, layer, received
    await hub.close()


async def test_a_watch_returns_once_joined_also_when_another_watch_started_the_join(
    gated: tuple[Hub, GatedLayer, list[Any]],
) -> None:
    hub, layer, received = gated
    layer.joins.clear()
    first, second = (asyncio.ensure_future(hub.watch(LABEL)) for _ in range(2))
    await turns()
    # The second subscriber's GET must not run before the process hears of changes.
    assert not first.done()
    assert not second.done()
    layer.joins.set()
    await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert await delivered(layer, received)
    assert hub.watching() == {LABEL: 2}


async def test_a_join_the_layer_refused_is_tried_again_by_the_next_watch(
    gated: tuple[Hub, GatedLayer, list[Any]],
) -> None:
    hub, layer, received = gated
    layer.refuse = 1
    with pytest.raises(ConnectionError):
        await hub.watch(LABEL)
    assert hub.watching() == {}
    await hub.watch(LABEL)
    assert await delivered(layer, received)


async def test_a_leave_under_way_does_not_undo_the_join_that_follows(
    gated: tuple[Hub, GatedLayer, list[Any]],
) -> None:
    hub, layer, received = gated
    await hub.watch(LABEL)
    layer.leaves.clear()
    leaving = asyncio.ensure_future(hub.unwatch(LABEL))
    await turns()
    joining = asyncio.ensure_future(hub.watch(LABEL))
    await turns()
    layer.leaves.set()
    await asyncio.wait_for(asyncio.gather(leaving, joining), 5)
    assert hub.watching() == {LABEL: 1}
    assert await delivered(layer, received)


async def test_the_last_unwatch_leaves_the_group(gated: tuple[Hub, GatedLayer, list[Any]]) -> None:
    hub, layer, received = gated
    await hub.watch(LABEL)
    await hub.watch(LABEL)
    await hub.unwatch(LABEL)
    assert await delivered(layer, received)
    await hub.unwatch(LABEL)
    assert hub.watching() == {}
    assert not await delivered(layer, received)
