"""The write side: what reaches the channel layer, and when."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.db import transaction

from articles.models import Article, Comment
from django_realtime import announce_changes, emit
from django_realtime.transport.layer import group_name

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A channel in the groups of Article and Comment, read directly."""

    def __init__(self, layer: Any, channel: str) -> None:
        self.layer, self.channel = layer, channel

    async def changes(self, timeout: float = 0.5) -> list[tuple[str, str, str]]:
        """Every change that arrives until nothing has come for ``timeout`` seconds."""
        found = []
        while True:
            try:
                message = await asyncio.wait_for(self.layer.receive(self.channel), timeout)
            except asyncio.TimeoutError:
                return found
            found += [(message["model"], pk, kind) for pk, kind in message["changes"]]


@pytest.fixture
async def listener(layer: str, realtime: None) -> AsyncIterator[Listener]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for label in ("articles.article", "articles.comment"):
        await layer.group_add(group_name(label), channel)
    await asyncio.sleep(0.05)  # pub/sub: let the subscription settle
    yield Listener(layer, channel)
    for label in ("articles.article", "articles.comment"):
        await layer.group_discard(group_name(label), channel)


def in_thread(fn: Callable[[], Any]) -> Any:
    return sync_to_async(fn)()


async def test_several_saves_in_one_transaction_are_one_change(
    listener: Listener, users: dict[str, User]
) -> None:
    def write() -> int:
        with transaction.atomic():
            article = Article.objects.create(title="a", author=users["alice"])
            emit(article, "created")
            for title in ("b", "c"):
                article.title = title
                article.save()
                emit(article)
        return article.pk

    pk = await in_thread(write)
    assert await listener.changes() == [("articles.article", str(pk), "created")]


async def test_a_rollback_sends_nothing(listener: Listener, users: dict[str, User]) -> None:
    class Boom(Exception):
        pass

    def write() -> None:
        with transaction.atomic():
            article = Article.objects.create(title="a", author=users["alice"])
            emit(article, "created")
            raise Boom

    with pytest.raises(Boom):
        await in_thread(write)
    assert await listener.changes() == []
    assert not await Article.objects.aexists()


async def test_a_rolled_back_savepoint_sends_nothing_of_its_own(
    listener: Listener, users: dict[str, User]
) -> None:
    def write() -> tuple[int, int]:
        with transaction.atomic():
            kept = Article.objects.create(title="kept", author=users["alice"])
            emit(kept, "created")
            try:
                with transaction.atomic():
                    lost = Article.objects.create(title="lost", author=users["alice"])
                    emit(lost, "created")
                    emit(kept)  # also announced outside the savepoint: still sent once
                    raise ValueError
            except ValueError:
                pass
        return kept.pk, lost.pk

    kept, lost = await in_thread(write)
    assert await listener.changes() == [("articles.article", str(kept), "created")]
    assert not await Article.objects.filter(pk=lost).aexists()


async def test_writes_through_a_viewset_are_announced_after_commit(
    listener: Listener, api: Any
) -> None:
    response = await api("alice").post("/api/articles/", {"title": "x"})
    pk = str(response.json()["id"])
    comment = await api("alice").post("/api/comments/", {"article": int(pk), "text": "hi"})
    await api("alice").patch(f"/api/articles/{pk}/", {"title": "y"})
    await api("alice").delete(f"/api/articles/{pk}/")  # cascades to the comment
    assert await listener.changes() == [
        ("articles.article", pk, "created"),
        ("articles.comment", str(comment.json()["id"]), "created"),
        ("articles.article", pk, "updated"),
        ("articles.comment", str(comment.json()["id"]), "deleted"),
        ("articles.article", pk, "deleted"),
    ]


async def test_reads_through_a_viewset_announce_nothing(listener: Listener, api: Any) -> None:
    await api("alice").get("/api/articles/")
    assert await listener.changes() == []


async def test_announce_changes_outside_a_viewset(
    listener: Listener, users: dict[str, User]
) -> None:
    def write() -> tuple[int, int]:
        with announce_changes():
            article = Article.objects.create(title="a", author=users["bob"])
            comment = Comment.objects.create(article=article, author=users["bob"], text="c")
        Article.objects.create(title="not announced", author=users["bob"])
        return article.pk, comment.pk

    article, comment = await in_thread(write)
    assert await listener.changes() == [
        ("articles.article", str(article), "created"),
        ("articles.comment", str(comment), "created"),
    ]


async def test_emit_by_model_and_pk(listener: Listener) -> None:
    await in_thread(lambda: emit(Article, "deleted", pk=41))
    assert await listener.changes() == [("articles.article", "41", "deleted")]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            ("nope",),
            {},
            TypeError,
            "emit() takes a model instance, or a model class with pk=..., not 'nope'.",
        ),
        ((Article,), {}, ValueError, "emit() needs the primary key of the Article"),
        (
            (Article(title="unsaved"),),
            {},
            ValueError,
            "emit() needs the primary key of the Article",
        ),
        (
            (Article, "moved"),
            {"pk": 1},
            ValueError,
            "emit() kind must be one of created, updated, deleted; got 'moved'.",
        ),
    ],
)
@pytest.mark.usefixtures("inmemory_layer")
def test_emit_refuses_what_it_cannot_announce(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(
        error, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        emit(*args, **kwargs)


def test_a_layer_that_is_down_does_not_fail_the_write(
    settings: Any, users: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users["alice"])
    with caplog.at_level(logging.ERROR, logger="django_realtime"):
        response = client.post("/api/articles/", {"title": "still saved"}, format="json")
    assert response.status_code == 201
    assert Article.objects.filter(title="still saved").exists()
    assert "Could not publish the created change of articles.article" in caplog.text
