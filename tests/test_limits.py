"""What one client may cost a server process: connections, new audiences, idle audiences,
and no work for a subscription that is gone before its admission starts."""

from __future__ import annotations

from typing import Any

import pytest

from django_realtime.stats import counters
from django_realtime.subscriptions.engine import get_engine
from tests.client import Client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


async def test_connections_per_client_address_are_capped(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"MAX_CONNECTIONS_PER_CLIENT": 2}
    first = await connect(address="10.0.0.1")
    await connect(address="10.0.0.1")
    refused = await Client.refusal(address="10.0.0.1")
    assert refused["code"] == 4429
    assert "Too many connections" in refused["reason"]
    await connect(address="10.0.0.2")  # another client is not affected
    await first.close()
    await connect(address="10.0.0.1")  # a connection that closed is not counted


async def test_new_audiences_per_connection_are_capped(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"AUDIENCE_BURST": 3, "AUDIENCE_RATE": 0.001}
    churner = await connect()
    for i in range(3):
        await churner.subscribe(f"s{i}", f"/api/articles/?x={i}")
    await churner.send(type="subscribe", id="s3", path="/api/articles/?x=3")
    error = await churner.expect("error", id="s3", code="throttled", status=429)
    assert "more than 3 different URLs" in error["detail"]
    # Joining an audience that exists costs nothing; another connection has its own budget.
    await churner.subscribe("again", "/api/articles/?x=0")
    other = await connect()
    await other.subscribe("s3", "/api/articles/?x=3")


async def test_audiences_without_subscribers_are_capped(connect: Any, settings: Any) -> None:
    settings.REALTIME = {"MAX_IDLE_AUDIENCES": 2, "RESUME_WINDOW": 600}
    client = await connect()
    holder = await connect()
    await holder.subscribe("held", "/api/articles/?held=1")
    before = counters.audiences
    for i in range(5):
        await client.subscribe(f"s{i}", f"/api/articles/?idle={i}")
        await client.send(type="unsubscribe", id=f"s{i}")
        await client.expect("unsubscribed", id=f"s{i}")
    engine = get_engine()
    await engine.worker.call(lambda: None)
    # The two idle longest are gone, the held one stays: 1 + 2, not 1 + 5.
    assert counters.audiences - before == 2
    assert engine.audiences.idle == 2


async def test_a_subscription_gone_before_its_admission_builds_no_audience(
    connect: Any, settings: Any
) -> None:
    client = await connect()
    engine = get_engine()
    before = counters.audiences
    blocked = engine.worker.call(lambda: __import__("time").sleep(0.3))  # the worker is busy
    await client.send(type="subscribe", id="gone", path="/api/articles/?never=1")
    await client.send(type="unsubscribe", id="gone")
    await client.expect("unsubscribed", id="gone", reason="client")
    await blocked
    await engine.worker.call(lambda: None)  # the admission has had its turn
    assert counters.audiences == before
    await client.silent()
