"""Counters: readable at the stats endpoints, exported to Prometheus, and logged."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from django_realtime.stats import counters

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


async def test_counters_follow_connections_subscriptions_and_events(
    connect: Any, api: Any
) -> None:
    before = counters.snapshot()
    clients = [await connect() for _ in range(3)]
    for client in clients:
        await client.subscribe("s", "/api/articles/?status=published")
    await clients[0].subscribe("t", "/api/comments/")
    now = counters.snapshot()
    assert now["connections"] - before["connections"] == 3
    assert now["subscriptions"] - before["subscriptions"] == 4
    assert now["audiences"] - before["audiences"] == 2  # three subscribers share one

    await api("alice").post("/api/articles/", {"title": "x", "status": "published"})
    for client in clients:
        await client.expect("event")
    after = counters.snapshot()
    assert after["events_in"] - now["events_in"] == 1
    assert after["events_out"] - now["events_out"] == 3
    assert after["serializations"] - now["serializations"] == 1  # once for the audience
    assert after["serialization_seconds"] > now["serialization_seconds"]

    await clients[1].close()
    await asyncio.sleep(0.05)
    assert counters.snapshot()["connections"] - before["connections"] == 2
    assert counters.snapshot()["subscriptions"] - before["subscriptions"] == 3


async def test_stats_endpoint_is_for_staff(api: Any) -> None:
    assert (await api(None).get("/realtime/stats/")).status_code == 401
    assert (await api("bob").get("/realtime/stats/")).status_code == 403
    response = await api("staff").get("/realtime/stats/")
    assert response.status_code == 200
    assert set(response.json()["counters"]) == set(counters.snapshot())


async def test_prometheus_export(api: Any) -> None:
    response = await api("staff").get("/realtime/metrics/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "# TYPE django_realtime_connections gauge" in text
    assert "# TYPE django_realtime_events_out_total counter" in text
    assert "django_realtime_slow_client_disconnects_total" in text


def test_the_collector_is_in_the_default_registry() -> None:
    from prometheus_client import REGISTRY

    assert REGISTRY.get_sample_value("django_realtime_connections") is not None


async def test_counters_are_logged(
    connect: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REALTIME = {"STATS_LOG_INTERVAL": 0.05}
    with caplog.at_level(logging.INFO, logger="django_realtime"):
        await connect()
        await asyncio.sleep(0.2)
    assert "realtime stats: {'connections':" in caplog.text
