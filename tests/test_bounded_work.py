"""Work per event is bounded by audiences, never by subscribers; writes do no fan-out work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from django_realtime.stats import counters
from django_realtime.subscriptions.engine import get_engine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


async def count_worker_queries() -> list[str]:
    """Every SQL statement the engine's worker thread runs for its audiences from now on
    (reading the log, as often as it is rung or polls, is not the audiences' work)."""
    queries: list[str] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if "django_realtime_log" not in sql:
            queries.append(sql)
        return execute(sql, params, many, context)

    await get_engine().worker.call(lambda: connections["default"].execute_wrappers.append(wrapper))
    return queries


async def change(api: Any, pk: int, title: str, clients: list[Any]) -> None:
    await api("alice").patch(f"/api/articles/{pk}/", {"title": title})
    for client in clients:
        await client.expect("event", pk=pk)


async def test_one_audience_costs_the_same_for_one_or_twenty_subscribers(
    connect: Any, api: Any, tokens: dict[str, str]
) -> None:
    pk = (await api("alice").post("/api/articles/", {"title": "a", "status": "published"})).json()[
        "id"
    ]
    first = await connect()
    await first.subscribe("s", "/api/articles/?status=published")
    queries = await count_worker_queries()

    await change(api, pk, "b", [first])
    one = len(queries)
    assert one > 0

    crowd = [first] + [await connect() for _ in range(19)]
    for client in crowd[1:]:
        await client.subscribe("s", "/api/articles/?status=published")
    queries.clear()
    serialized = counters.serializations
    await change(api, pk, "c", crowd)
    assert len(queries) == one
    assert counters.serializations - serialized == 1

    # Three users, three more audiences: three times the work, whatever their numbers.
    for name in ("alice", "bob", "staff"):
        for _ in range(2):
            client = await connect()
            await client.auth(tokens[name])
            await client.subscribe("s", "/api/articles/?status=published")
            crowd.append(client)
    queries.clear()
    serialized = counters.serializations
    await change(api, pk, "d", crowd)
    assert len(queries) == 4 * one
    assert counters.serializations - serialized == 4


async def test_the_first_change_already_runs_the_prepared_statement(
    connect: Any, api: Any
) -> None:
    pk = (await api("alice").post("/api/articles/", {"title": "a", "status": "published"})).json()[
        "id"
    ]
    client = await connect()
    await client.subscribe("s", "/api/articles/?status=published")
    queries = await count_worker_queries()
    await change(api, pk, "b", [client])
    first = list(queries)
    queries.clear()
    await change(api, pk, "c", [client])
    # Prepared when the subscription came, not compiled by the ORM for the first change.
    assert first == queries
    assert len(first) == 2  # the fetch, and the view's prefetch_related("tags")


async def test_a_write_does_the_same_work_with_or_without_subscribers(
    connect: Any, users: dict[str, Any]
) -> None:
    client = APIClient()
    client.force_authenticate(users["alice"])

    def write(title: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/articles/", {"title": title, "status": "published"}, format="json"
            )
        assert response.status_code == 201
        return len(captured)

    alone = await sync_to_async(write)("nobody listens")
    crowd = [await connect() for _ in range(20)]
    for client_ in crowd:
        await client_.subscribe("s", "/api/articles/?status=published")
    watched = await sync_to_async(write)("twenty listen")
    for client_ in crowd:
        await client_.expect("event", event="created")
    assert watched == alone
