"""A ring whose layer call never returns counts as failed: the rings after it still go."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from django_realtime.transport import publisher
from django_realtime.transport.publisher import Bell


class StuckOnce:
    """A layer whose first group_send never returns (channels_redis#319's hang)."""

    def __init__(self) -> None:
        self.calls = 0
        self.sent = 0

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.calls += 1
        if self.calls == 1:
            await asyncio.Event().wait()  # forever
        self.sent += 1


async def test_a_ring_that_never_returns_does_not_stop_the_next(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(publisher, "RING_TIMEOUT", 0.2)
    bell = Bell(asyncio.get_running_loop())
    bell.layer = layer = StuckOnce()
    bell.ring()
    await asyncio.wait_for(bell.rung(), 5)  # before: waited forever
    assert "Could not ring the channel layer" in caplog.text
    bell.ring()
    await asyncio.wait_for(bell.rung(), 5)
    assert layer.sent == 1  # the next ring went out
