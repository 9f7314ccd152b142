"""The per-process hub: it hears rings, stops when closed whatever the layer client raises,
and keeps its place in the ring group whatever the layer does meanwhile."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from django_realtime.transport import hub as hub_module
from django_realtime.transport.hub import Hub
from django_realtime.transport.layer import build_message, get_layer, group_name
from tests.client import until
from tests.conftest import LAYERS
from tests.services import require


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


class Flaky(InMemoryChannelLayer):
    """A layer whose next ``refuse`` joins and ``fail`` receives fail, and which can forget
    its groups (as a restarted Redis does)."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse = 0
        self.fail = 0

    async def group_add(self, group: str, channel: str) -> None:
        if self.refuse:
            self.refuse -= 1
            raise ConnectionError("the layer is restarting")
        await super().group_add(group, channel)

    async def receive(self, channel: str) -> Any:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the layer is restarting")
        return await super().receive(channel)

    def forget_groups(self) -> None:
        self.groups.clear()


async def rung(layer: Any, rings: list[None]) -> bool:
    """Whether a ring sent to the group now reaches the hub."""
    before = len(rings)
    await layer.group_send(group_name(), build_message())
    try:
        await until(lambda: len(rings) > before, timeout=1)
    except (asyncio.TimeoutError, TimeoutError):  # distinct before Python 3.11
        return False
    return True


async def test_close_stops_a_listener_whose_layer_turns_cancellation_into_an_error() -> None:
    layer = CancellationToError()
    hub = Hub(layer, on_ring=lambda: None)
    hub.start()
    await until(lambda: hub.joined)
    await asyncio.sleep(0)  # the listener is now waiting in receive()
    closing = asyncio.ensure_future(hub.close())
    done, _ = await asyncio.wait({closing}, timeout=5)
    closing.cancel()  # lets a listener that went on retrying stop, should the test fail
    assert done == {closing}, "close() still waits for the listener"
    assert hub.channel is None


class DeafToCancellation(InMemoryChannelLayer):
    """A layer whose receive goes on waiting when cancelled, and whose group_discard never
    answers: a layer client stuck on a connection that no longer answers."""

    deaf = True

    async def receive(self, channel: str) -> Any:
        while True:
            try:
                return await super().receive(channel)
            except asyncio.CancelledError:
                if not self.deaf:
                    raise

    async def group_discard(self, group: str, channel: str) -> None:
        await asyncio.Event().wait()


async def test_close_does_not_hang_on_a_layer_that_does_not_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "CLOSE_TIMEOUT", 0.2)
    layer = DeafToCancellation()
    hub = Hub(layer, on_ring=lambda: None)
    hub.start()
    await until(lambda: hub.joined)
    await asyncio.sleep(0)
    closing = asyncio.ensure_future(hub.close())
    done, _ = await asyncio.wait({closing}, timeout=5)
    assert done == {closing}, "close() waits for the layer forever"
    assert hub.channel is None
    layer.deaf = False  # the receive left behind may end with the test's loop now
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.cancel()


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "RETRY_INTERVAL", 0.05)
    monkeypatch.setattr(hub_module, "RENEW_INTERVAL", 0.2)


@pytest.mark.usefixtures("fast_retries")
async def test_a_failing_receive_is_retried_until_the_layer_answers() -> None:
    rings: list[None] = []
    layer = Flaky()
    layer.fail = 2
    hub = Hub(layer, on_ring=lambda: rings.append(None))
    hub.start()
    try:
        await until(lambda: hub.joined)
        assert await rung(layer, rings)
    finally:
        await hub.close()


@pytest.mark.usefixtures("fast_retries")
async def test_a_refused_join_is_retried_and_counts_as_a_ring() -> None:
    rings: list[None] = []
    layer = Flaky()
    layer.refuse = 3
    hub = Hub(layer, on_ring=lambda: rings.append(None))
    hub.start()
    try:
        await until(lambda: hub.joined)
        # Rings sent while it was out of the group were lost: joining rings once itself, so
        # the engine reads the log at once instead of at its next poll.
        assert len(rings) == 1
        assert await rung(layer, rings)
    finally:
        await hub.close()


@pytest.mark.usefixtures("fast_retries")
async def test_a_layer_that_forgot_its_groups_rings_again_after_the_renewal() -> None:
    rings: list[None] = []
    layer = Flaky()
    hub = Hub(layer, on_ring=lambda: rings.append(None))
    hub.start()
    try:
        await until(lambda: hub.joined)
        layer.forget_groups()  # Redis restarted: channels_redis' group members are gone
        assert not await rung(layer, rings)
        await asyncio.sleep(0.3)  # one renewal
        assert await rung(layer, rings)
    finally:
        await hub.close()


async def test_an_idle_receive_on_the_redis_core_layer_waits_without_failing(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """redis-py 8's default socket timeout (5 s) equals the core layer's blocking read: each
    idle receive failed with a TimeoutError and a traceback in the log."""
    require("redis")
    settings.CHANNEL_LAYERS = {"default": LAYERS["redis"]}
    layer = get_layer()
    rings: list[None] = []
    hub = Hub(layer, lambda: rings.append(None))
    hub.start()
    try:
        await asyncio.sleep(layer.brpop_timeout + 2)  # a whole blocking read, and more
        assert await rung(layer, rings), "a ring after an idle spell was not heard"
        assert "failed" not in caplog.text
    finally:
        await hub.close()
        await layer.close_pools()
