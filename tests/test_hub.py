"""The per-process hub's listener: it stops when closed, whatever the layer client raises."""

from __future__ import annotations

import asyncio
from typing import Any

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
