"""An audience reuses its views for VIEW_REUSE_SECONDS: what that means, exactly."""

from __future__ import annotations

import time
from typing import Any

import pytest

from django_realtime.subscriptions import listing
from tests.urls import CutoffArticles, FollowedArticles

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


@pytest.fixture
def cutoff(monkeypatch: pytest.MonkeyPatch) -> type[CutoffArticles]:
    monkeypatch.setattr(CutoffArticles, "calls", 0)
    monkeypatch.setattr(CutoffArticles, "cutoff", "m")
    return CutoffArticles


async def test_get_queryset_runs_once_per_interval_for_the_whole_audience(
    connect: Any, api: Any, cutoff: type[CutoffArticles], settings: Any
) -> None:
    settings.REALTIME = {"VIEW_REUSE_SECONDS": 60}
    clients = [await connect() for _ in range(3)]
    for client in clients:
        await client.subscribe("s", "/test/cutoff/")
    after_admission = cutoff.calls
    for title in ("x1", "x2", "x3"):
        await api("alice").post("/api/articles/", {"title": title, "status": "published"})
        for client in clients:
            await client.expect("event", event="created")
    # The audience built its views when the first subscriber came; three subscribers and
    # three changes later, get_queryset() has not run again.
    assert cutoff.calls == after_admission


class Clock:
    """Stands in for the ``time`` module in listing.py: monotonic() moves when told."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)  # perf_counter() and the rest, as they are


async def test_python_side_values_are_at_most_an_interval_old(
    connect: Any,
    api: Any,
    cutoff: type[CutoffArticles],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The audience's clock is the test's: a loaded machine cannot run past the interval.
    clock = Clock()
    monkeypatch.setattr(listing, "time", clock)
    settings.REALTIME = {"VIEW_REUSE_SECONDS": 60}
    client = await connect()
    await client.subscribe("s", "/test/cutoff/")
    await api("alice").post("/api/articles/", {"title": "n1", "status": "published"})
    await client.expect("event", event="created")

    cutoff.cutoff = "o"  # what get_queryset() computes in Python changes...
    await api("alice").post("/api/articles/", {"title": "n2", "status": "published"})
    stale = await client.expect("event", event="created")  # ...the views built before say so
    assert stale["data"]["title"] == "n2"

    clock.offset = 61  # past the interval, the views are built anew
    await api("alice").post("/api/articles/", {"title": "n3", "status": "published"})
    await api("alice").post("/api/articles/", {"title": "z1", "status": "published"})
    fresh = await client.expect("event", event="created")
    assert fresh["data"]["title"] == "z1"
    await client.silent()


async def test_no_reuse_builds_the_views_for_every_change(
    connect: Any, api: Any, cutoff: type[CutoffArticles], settings: Any
) -> None:
    settings.REALTIME = {"VIEW_REUSE_SECONDS": 0}
    client = await connect()
    await client.subscribe("s", "/test/cutoff/")
    await api("alice").post("/api/articles/", {"title": "n1", "status": "published"})
    await client.expect("event", event="created")
    cutoff.cutoff = "o"
    await api("alice").post("/api/articles/", {"title": "n2", "status": "published"})
    await client.silent()


async def test_a_list_filter_holds_when_the_first_build_matched_nothing(
    connect: Any, api: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REALTIME = {"VIEW_REUSE_SECONDS": 0}
    monkeypatch.setattr(FollowedArticles, "followed", [])  # nothing yet, list nor detail
    client = await connect()
    await client.subscribe("s", "/test/followed/?status=published")
    FollowedArticles.followed = ["news"]
    draft = (await api("alice").post("/api/articles/", {"title": "news"})).json()
    published = (
        await api("alice").post("/api/articles/", {"title": "news", "status": "published"})
    ).json()
    assert (await api("alice").get("/test/followed/?status=published")).json()["count"] == 1
    # The draft is followed, but the subscriber's query string excludes it.
    await client.expect("event", id="s", event="created", pk=published["id"])
    assert draft["status"] == "draft"
    await client.silent()
