"""Related changes: an object's event is sent again when a row its body or its visibility
depends on changes (inferred from the serializer and the queryset's joins, or declared)."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.urls import path
from rest_framework import viewsets

from articles.models import Article, Comment, Tag
from articles.serializers import ArticleSerializer
from articles.views import ArticleViewSet, CommentViewSet
from django_realtime import RealtimeMixin
from django_realtime.checks import check_realtime_views
from django_realtime.dependencies import of_view_class, resolve
from django_realtime.log import get_catalog, install
from django_realtime.subscriptions.engine import get_engine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


@pytest.fixture(autouse=True)
def _capture_the_test_views(db: Any) -> None:
    install()  # what migrate installs for the test URLconf


async def post(api: Any, user: str, route: str = "articles", **fields: Any) -> dict[str, Any]:
    response = await api(user).post(f"/api/{route}/", {"title": "t", **fields})
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_what_is_inferred_without_a_request() -> None:
    assert {(d.path, d.model) for d in of_view_class(ArticleViewSet, Article)} == {
        ("author", User),  # author = ReadOnlyField(source="author.username")
        ("tags", Tag),  # SlugRelatedField(many=True, slug_field="name")
    }
    # article is a PrimaryKeyRelatedField: the key is in the comment's own row.
    assert [d.path for d in of_view_class(CommentViewSet, Comment)] == ["author"]
    catalog = get_catalog()
    assert User in catalog.models  # so auth_user gets capture triggers
    assert "auth_user" in catalog.tables
    # What no event shows, but what credentials rest on (see grants.py): captured too.
    assert "auth_user_groups" in catalog.tables
    assert "auth_user_groups" not in catalog.labels


async def test_renaming_the_author_updates_their_articles(
    connect: Any, api: Any, users: dict[str, User]
) -> None:
    article = await post(api, "alice", title="by alice", status="published")
    other = await post(api, "bob", title="by bob", status="published")
    client = await connect()
    await client.subscribe("list", "/api/articles/")
    await client.subscribe("one", f"/api/articles/{article['id']}/")

    alice = users["alice"]
    alice.username = "alice2"
    await sync_to_async(alice.save)()
    frames = {f["id"]: f for f in [await client.expect("event", event="updated") for _ in "12"]}
    assert frames["list"]["pk"] == frames["one"]["pk"] == article["id"]
    assert frames["list"]["data"]["author"] == frames["one"]["data"]["author"] == "alice2"
    await client.silent()  # bob's article did not change
    assert other["author"] == "bob"


async def test_a_change_of_a_related_row_that_shows_nowhere_is_sent_once_at_most(
    connect: Any, api: Any, users: dict[str, User]
) -> None:
    """A login touches the author's row (last_login): the articles read the same. Until an
    audience has sent an object once, it cannot tell, and sends it (the same data: harmless);
    after that, nothing."""
    article = await post(api, "alice", status="published")
    client = await connect()
    await client.subscribe("list", "/api/articles/")
    await client.subscribe("one", f"/api/articles/{article['id']}/")
    alice = users["alice"]
    for name in ("Alice", "Alicia"):
        alice.first_name = name
        await sync_to_async(alice.save)()
        frames = []
        while not await client.communicator.receive_nothing(timeout=0.5):
            frames.append(await client.receive())
        if name == "Alice":
            assert {f["data"]["title"] for f in frames} <= {"t"}
    assert frames == []


async def test_renaming_a_tag_updates_its_articles(connect: Any, api: Any) -> None:
    tag = await sync_to_async(Tag.objects.create)(name="news")
    article = await post(api, "alice", status="published", tags=["news"])
    client = await connect()
    await client.subscribe("list", "/api/articles/?status=published")
    await sync_to_async(Tag.objects.filter(pk=tag.pk).update)(name="breaking")
    event = await client.expect("event", event="updated", pk=article["id"])
    assert event["data"]["tags"] == ["breaking"]


async def test_unpublishing_an_article_takes_its_comments_away(
    connect: Any, api: Any, tokens: dict[str, str]
) -> None:
    """Comments are visible when their article is (a join in get_queryset()): anonymous
    subscribers of the comments lose them when the article turns into a draft."""
    article = await post(api, "alice", status="published")
    comment = await post(api, "bob", route="comments", article=article["id"], text="hi")
    other = await post(
        api,
        "bob",
        route="comments",
        article=(await post(api, "bob", status="published"))["id"],
        text="stays",
    )
    path = f"/api/comments/{comment['id']}/"
    anonymous = await connect()
    await anonymous.subscribe("list", "/api/comments/")
    await anonymous.subscribe("one", path)
    alice = await connect()
    await alice.auth(tokens["alice"])
    await alice.subscribe("list", "/api/comments/")  # she still sees comments on her draft

    await api("alice").patch(f"/api/articles/{article['id']}/", {"status": "draft"})
    frames = [await anonymous.receive() for _ in range(3)]
    assert sorted((f["id"], f["type"], f.get("event") or f.get("reason")) for f in frames) == [
        ("list", "event", "deleted"),
        ("one", "event", "deleted"),
        ("one", "unsubscribed", "forbidden"),
    ]
    assert {f["pk"] for f in frames if f["type"] == "event"} == {comment["id"]}
    await anonymous.silent()  # the other comment stays, unchanged
    # Her view did not change: at most the comment again, as it was.
    seen = await alice.expect("event", event="updated", pk=comment["id"])
    assert seen["data"] == comment
    await alice.silent()
    assert other["text"] == "stays"

    await api("alice").patch(f"/api/articles/{article['id']}/", {"status": "published"})
    back = await anonymous.expect("event", id="list", event="created", pk=comment["id"])
    assert back["data"]["text"] == "hi"


async def test_a_declared_dependency(connect: Any, api: Any) -> None:
    article = await post(api, "alice", title="first title", status="published")
    await post(api, "bob", route="comments", article=article["id"], text="c")
    client = await connect()
    await client.subscribe("on", "/test/comments-on/")
    await api("alice").patch(f"/api/articles/{article['id']}/", {"title": "second title"})
    event = await client.expect("event", event="updated")
    assert event["data"]["on"] == "second title"


async def test_a_related_change_costs_one_query_per_audience_not_per_object(
    connect: Any, api: Any, users: dict[str, User]
) -> None:
    for i in range(6):
        await post(api, "alice", title=f"a{i}", status="published")
    client = await connect()
    await client.subscribe("list", "/api/articles/?status=published")
    queries: list[str] = []

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        if "django_realtime_log" not in sql:
            queries.append(sql)
        return execute(sql, params, many, ctx)

    await get_engine().worker.call(lambda: connections["default"].execute_wrappers.append(count))
    alice = users["alice"]
    alice.username = "alice-renamed"
    await sync_to_async(alice.save)()
    for _ in range(6):
        await client.expect("event", event="updated")
    finding = [sql for sql in queries if sql.startswith('SELECT DISTINCT "articles_article"."id"')]
    assert len(finding) == 1, queries  # one query found all six; each was then read once


def test_a_declared_path_that_is_no_relation_is_a_check_error(settings: Any) -> None:
    class Wrong(RealtimeMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
        queryset = Article.objects.all()
        serializer_class = ArticleSerializer
        realtime_depends_on = ["title"]

    urlconf = types.ModuleType("wrong_dependency_urls")
    urlconf.urlpatterns = [path("w/", Wrong.as_view({"get": "list"}))]  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf
    errors = check_realtime_views()
    assert [e.id for e in errors] == ["django_realtime.E013"]
    assert errors[0].msg == (
        "realtime_depends_on of Article: 'title' must end at a related model, but "
        "Article.title is not a relation."
    )
    with pytest.raises(ImproperlyConfigured, match="Article has no field 'nope'"):
        resolve(Article, ["nope"])


async def test_a_resume_from_the_log_hears_of_related_changes(
    connect: Any, api: Any, users: dict[str, User], settings: Any
) -> None:
    settings.REALTIME = {"RESUME_WINDOW": 0}  # nothing in memory: the log replays
    first = await post(api, "alice", title="one", status="published")
    second = await post(api, "alice", title="two", status="published")
    client = await connect()
    subscribed = await client.subscribe("one", f"/api/articles/{first['id']}/")
    listing = await client.subscribe("list", "/api/articles/")
    await client.close()
    alice = users["alice"]
    alice.username = "renamed-while-away"
    await sync_to_async(alice.save)()

    again = await connect()
    await again.send(
        type="subscribe",
        id="one",
        path=f"/api/articles/{first['id']}/",
        since=subscribed["cursor"],
    )
    await again.expect("subscribed", id="one")
    event = await again.expect("event", id="one", event="updated")
    assert event["data"]["author"] == "renamed-while-away"
    await again.send(type="subscribe", id="list", path="/api/articles/", since=listing["cursor"])
    await again.expect("subscribed", id="list")
    events = [await again.expect("event", id="list", event="updated") for _ in "12"]
    assert {e["pk"] for e in events} == {first["id"], second["id"]}
    # Both share the rename's position: resuming from it sends both again (the client may
    # have applied only one), not nothing.
    assert events[0]["cursor"] == events[1]["cursor"]
    await again.close()
    third = await connect()
    await third.send(type="subscribe", id="list", path="/api/articles/", since=events[0]["cursor"])
    await third.expect("subscribed", id="list")
    again_events = [await third.expect("event", id="list") for _ in "12"]
    assert {e["pk"] for e in again_events} == {first["id"], second["id"]}


async def test_a_resume_that_a_related_change_makes_unprovable_is_a_reset(
    connect: Any, api: Any, settings: Any
) -> None:
    settings.REALTIME = {"RESUME_WINDOW": 0}
    article = await post(api, "alice", status="published")
    await post(api, "bob", route="comments", article=article["id"], text="hi")
    client = await connect()
    subscribed = await client.subscribe("list", "/api/comments/")
    await client.close()
    await api("alice").patch(f"/api/articles/{article['id']}/", {"status": "draft"})

    again = await connect()
    await again.send(
        type="subscribe", id="list", path="/api/comments/", since=subscribed["cursor"]
    )
    reset = await again.expect("reset", id="list", reason="cannot_replay")
    assert reset["data"]["results"] == []


async def test_an_evaluation_that_fails_makes_its_subscribers_resume(
    connect: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure (the database went away mid-evaluation, say) must not pass for nothing to
    send: the audience's clients are closed with 4008, and resume."""
    from django.db import OperationalError

    from django_realtime.subscriptions.listing import ListAudience

    client = await connect()
    subscribed = await client.subscribe("list", "/api/articles/")

    def broken(self: Any, pks: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ListAudience, "_visible", broken)
    created = await post(api, "alice", status="published")
    closed = await client.communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4008}
    monkeypatch.undo()
    again = await connect()
    await again.send(
        type="subscribe", id="list", path="/api/articles/", since=subscribed["cursor"]
    )
    await again.expect("subscribed", id="list")
    await again.expect("event", id="list", event="created", pk=created["id"])
