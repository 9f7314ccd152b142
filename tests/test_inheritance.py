"""Proxy models and multi-table inheritance get their events: their rows are captured in
every table they live in, and mapped back to the models that follow them."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connection

from articles.models import Announcement, Article, PublishedArticle
from django_realtime.log import get_catalog, install

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("inmemory_layer")]


@pytest.fixture(autouse=True)
def _capture_the_test_views(db: Any) -> None:
    """The test URLconf serves these models: what migrate would install for it."""
    install()


def test_the_catalog_maps_each_table_to_the_models_living_in_it() -> None:
    catalog = get_catalog()
    assert {Announcement, PublishedArticle, Article} <= catalog.models
    assert set(catalog.labels_for("articles_article")) >= {
        "articles.article",
        "articles.publishedarticle",
        "articles.announcement",
    }
    assert catalog.labels_for("articles_announcement") == ("articles.announcement",)


async def test_a_proxy_model_s_viewset_gets_events(connect: Any, users: dict[str, User]) -> None:
    client = await connect()
    await client.subscribe("published", "/test/published-proxy/")

    def write() -> int:
        article = Article.objects.create(title="p", author=users["alice"])
        Article.objects.filter(pk=article.pk).update(status="published")
        return article.pk

    pk = await sync_to_async(write)()
    event = await client.expect("event", id="published", event="created", pk=pk)
    assert event["data"] == {"id": pk, "title": "p", "status": "published"}
    assert event["path"] == f"/test/published-proxy/{pk}/"


async def test_a_child_model_hears_of_changes_to_either_of_its_tables(
    connect: Any, users: dict[str, User]
) -> None:
    announcement = await sync_to_async(Announcement.objects.create)(
        title="a", author=users["alice"]
    )
    path = f"/test/announcements/{announcement.pk}/"
    client = await connect()
    await client.subscribe("one", path)
    await client.subscribe("all", "/test/announcements/")

    # The parent's table alone, from raw SQL: a column of Article.
    def retitle() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_article SET title = 'renamed' WHERE id = %s", [announcement.pk]
            )

    await sync_to_async(retitle)()
    frames = {f["id"]: f for f in [await client.expect("event") for _ in range(2)]}
    assert frames["one"]["data"]["title"] == frames["all"]["data"]["title"] == "renamed"

    # The child's table alone: a column of Announcement.
    await sync_to_async(Announcement.objects.filter(pk=announcement.pk).update)(pinned=True)
    frames = {f["id"]: f for f in [await client.expect("event") for _ in range(2)]}
    assert frames["one"]["data"]["pinned"] is frames["all"]["data"]["pinned"] is True

    # An article that is no announcement changes nothing for them.
    await sync_to_async(Article.objects.create)(title="plain", author=users["alice"])
    await client.silent()

    await sync_to_async(Announcement.objects.filter(pk=announcement.pk).delete)()
    frames = [await client.receive() for _ in range(3)]
    assert sorted((f["id"], f["type"], f.get("event") or f.get("reason")) for f in frames) == [
        ("all", "event", "deleted"),
        ("one", "event", "deleted"),
        ("one", "unsubscribed", "deleted"),
    ]
