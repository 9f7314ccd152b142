"""Subscriptions receive what their own GET would show: on every supported channel layer."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import Client as HttpClient

from articles.models import Article
from django_realtime import emit
from django_realtime.stats import counters
from django_realtime.subscriptions.engine import get_engine
from django_realtime.transport import publisher
from django_realtime.transport.layer import ring
from tests.client import until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("layer")]


async def make_article(api: Any, author: str, **fields: Any) -> dict[str, Any]:
    response = await api(author).post("/api/articles/", {"title": "t", **fields})
    assert response.status_code == 201, response.content
    return dict(response.json())


async def test_list_subscription_gets_created_updated_deleted(connect: Any, api: Any) -> None:
    client = await connect()
    subscribed = await client.subscribe("feed", "/api/articles/")
    assert subscribed["path"] == "/api/articles/"

    article = await make_article(api, "alice", title="Hello", status="published")
    created = await client.expect("event", id="feed", event="created", pk=article["id"])
    assert created["path"] == f"/api/articles/{article['id']}/"

    await api("alice").patch(f"/api/articles/{article['id']}/", {"title": "Hello again"})
    updated = await client.expect("event", id="feed", event="updated", pk=article["id"])
    assert updated["data"]["title"] == "Hello again"
    assert updated["cursor"] != created["cursor"]

    await api("alice").delete(f"/api/articles/{article['id']}/")
    deleted = await client.expect("event", id="feed", event="deleted", pk=article["id"])
    assert deleted["data"] is None
    await client.silent()


async def test_event_data_is_the_detail_get_body(connect: Any, api: Any) -> None:
    client = await connect()
    await client.subscribe("feed", "/api/articles/?status=published")
    article = await make_article(api, "alice", title="Same bytes", status="published")
    event = await client.expect("event", event="created")
    body = (await api(None).get(f"/api/articles/{article['id']}/")).json()
    assert event["data"] == body
    assert event["data"]["url"] == f"http://testserver/api/articles/{article['id']}/"


async def test_detail_subscription_updates_then_ends_on_delete(connect: Any, api: Any) -> None:
    article = await make_article(api, "alice", status="published")
    path = f"/api/articles/{article['id']}/"
    client = await connect()
    await client.subscribe("one", path)

    await api("alice").patch(path, {"body": "more"})
    event = await client.expect("event", id="one", event="updated", path=path)
    assert event["data"]["body"] == "more"

    await api("alice").delete(path)
    await client.expect("event", id="one", event="deleted", path=path, data=None)
    await client.expect("unsubscribed", id="one", reason="deleted")
    # The id is free again: subscribing to it answers for the new path, not "duplicate_id".
    await client.send(type="subscribe", id="one", path=path)
    await client.expect("error", id="one", code="not_found", status=404)


@pytest.mark.parametrize("detail", [True, False], ids=["detail", "list"])
async def test_a_write_committed_before_the_subscription_sends_nothing(
    connect: Any, api: Any, monkeypatch: pytest.MonkeyPatch, detail: bool
) -> None:
    """The subscriber's GET saw the write: even a slow layer does not make it an event."""

    async def slow_ring(layer: Any = None) -> None:
        await asyncio.sleep(0.2)  # the layer takes longer than subscribing does
        await ring(layer)

    monkeypatch.setattr(publisher, "ring", slow_ring)
    article = await make_article(api, "alice", status="published")
    path = f"/api/articles/{article['id']}/"
    client = await connect()
    await client.subscribe("one", path if detail else "/api/articles/")
    await client.silent(0.5)

    await api("alice").patch(path, {"body": "more"})
    event = await client.expect("event", id="one", event="updated", path=path)
    assert event["data"]["body"] == "more"


async def test_a_change_received_before_the_subscription_s_get_sends_nothing(
    connect: Any, api: Any
) -> None:
    """A change committed while the subscription's admission waited behind other work: the
    admission reads the log before its GET, so the GET's own write is no event for it."""
    article = await make_article(api, "alice", status="published")
    path = f"/api/articles/{article['id']}/"
    watcher = await connect()
    await watcher.subscribe("all", "/api/articles/")  # the hub watches articles from now on
    engine = get_engine()
    gate = threading.Event()
    engine.worker.submit(gate.wait, lambda result: None)  # hold the worker's queue
    try:
        subscriptions = counters.subscriptions
        client = await connect()
        await client.send(type="subscribe", id="one", path=path)
        await until(lambda: counters.subscriptions > subscriptions)  # its admission is queued
        rung = counters.rings_in
        await api("alice").patch(path, {"body": "seen by the GET"})
        await until(lambda: counters.rings_in > rung)  # the log's reading queued after it
    finally:
        gate.set()
    await client.expect("subscribed", id="one")
    seen = await watcher.expect("event", event="updated", path=path)
    assert seen["data"]["body"] == "seen by the GET"
    await client.silent()

    await api("alice").patch(path, {"body": "after"})
    event = await client.expect("event", id="one", event="updated", path=path)
    assert event["data"]["body"] == "after"


async def test_bob_never_receives_alices_drafts(
    connect: Any, api: Any, tokens: dict[str, str]
) -> None:
    bob = await connect()
    await bob.auth(tokens["bob"])
    await bob.subscribe("all", "/api/articles/")
    alice = await connect()
    await alice.auth(tokens["alice"])
    await alice.subscribe("all", "/api/articles/")

    draft = await make_article(api, "alice", title="secret draft")
    mine = await alice.expect("event", event="created", pk=draft["id"])
    assert mine["data"]["is_mine"] is True
    await api("alice").patch(f"/api/articles/{draft['id']}/", {"title": "still secret"})
    await alice.expect("event", event="updated", pk=draft["id"])
    await api("alice").patch(f"/api/articles/{draft['id']}/", {"status": "published"})
    await alice.expect("event", event="updated", pk=draft["id"])
    # Bob hears of it only once it is published: as a creation, never the drafts before.
    published = await bob.expect("event", event="created", pk=draft["id"])
    assert published["data"]["title"] == "still secret"
    assert published["data"]["is_mine"] is False

    await api("alice").patch(f"/api/articles/{draft['id']}/", {"status": "draft"})
    await bob.expect("event", event="deleted", pk=draft["id"], data=None)
    await alice.expect("event", event="updated", pk=draft["id"])
    await api("alice").delete(f"/api/articles/{draft['id']}/")
    await alice.expect("event", event="deleted", pk=draft["id"])
    await bob.silent()  # not even the bare pk of a draft that he never saw


async def test_filters_in_the_query_string(connect: Any, api: Any) -> None:
    client = await connect()
    await client.subscribe("bobs", "/api/articles/?author=bob&status=published")
    await make_article(api, "alice", status="published")
    await make_article(api, "bob", status="draft")
    bobs = await make_article(api, "bob", status="published")
    event = await client.expect("event", id="bobs", event="created")
    assert event["pk"] == bobs["id"]
    await client.silent()


async def test_session_authentication_from_the_handshake_cookie(
    connect: Any, api: Any, users: dict[str, Any]
) -> None:
    http = HttpClient()
    await sync_to_async(http.force_login)(users["alice"])
    cookie = f"sessionid={http.cookies['sessionid'].value}"
    client = await connect(cookie=cookie)
    await client.subscribe("mine", "/api/articles/?author=alice")
    draft = await make_article(api, "alice")  # a draft: only a session of alice sees it
    event = await client.expect("event", event="created", pk=draft["id"])
    assert event["data"]["is_mine"] is True


async def test_token_authentication_reveals_own_drafts(
    connect: Any, api: Any, tokens: dict[str, str]
) -> None:
    draft = await make_article(api, "alice")
    client = await connect()
    await client.send(type="subscribe", id="d", path=f"/api/articles/{draft['id']}/")
    await client.expect("error", id="d", code="not_found", status=404)
    reply = await client.auth(tokens["alice"])
    assert reply["user"] == "alice"
    await client.subscribe("d", f"/api/articles/{draft['id']}/")


async def test_subscribers_of_one_audience_get_the_same_event(connect: Any, api: Any) -> None:
    clients = [await connect() for _ in range(3)]
    for i, client in enumerate(clients):
        await client.subscribe(f"s{i}", "/test/public/")
    article = await make_article(api, "alice", status="published")
    frames = [
        await client.expect("event", event="created", pk=article["id"]) for client in clients
    ]
    assert len({frame["cursor"] for frame in frames}) == 1
    assert [frame["id"] for frame in frames] == ["s0", "s1", "s2"]


async def test_emit_from_outside_a_viewset(connect: Any, users: dict[str, Any]) -> None:
    client = await connect()
    await client.subscribe("feed", "/api/articles/")

    def write() -> int:
        with transaction.atomic():
            article = Article.objects.create(
                title="from a task", author=users["bob"], status="published"
            )
            emit(article, "created")
        return article.pk

    pk = await sync_to_async(write)()
    await client.expect("event", event="created", pk=pk)


async def test_a_detail_that_becomes_invisible_ends_as_forbidden(
    connect: Any, api: Any, tokens: dict[str, str]
) -> None:
    article = await make_article(api, "alice", status="published")
    path = f"/api/articles/{article['id']}/"
    bob = await connect()
    await bob.auth(tokens["bob"])
    await bob.subscribe("it", path)
    await api("alice").patch(path, {"status": "draft"})
    await bob.expect("event", id="it", event="deleted", data=None)
    await bob.expect("unsubscribed", id="it", reason="forbidden")
    await api("alice").patch(path, {"status": "published"})
    await bob.silent()


async def test_an_object_that_fails_to_serialize_costs_only_its_own_event(
    connect: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    article = await make_article(api, "alice", title="fine", status="published")
    path = f"/api/articles/{article['id']}/"
    client = await connect()
    await client.subscribe("l", "/test/fragile/")

    await api("alice").patch(path, {"title": "boom"})
    await until(lambda: "Serializing articles.article" in caplog.text)
    assert f"pk={article['id']}" in caplog.text
    other = await make_article(api, "alice", title="other", status="published")
    await client.expect("event", id="l", event="created", pk=other["id"])

    await api("alice").patch(path, {"title": "fixed"})
    fixed = await client.expect("event", id="l", event="updated", pk=article["id"])
    assert fixed["data"]["title"] == "fixed"
    # Still a member when its last state could not be sent: its delete is sent.
    await api("alice").patch(path, {"title": "boom"})
    await api("alice").delete(path)
    await client.expect("event", id="l", event="deleted", pk=article["id"])
    await client.silent()
