"""The systems that benchmarks/fanout.py compares django-realtime with.

Which one a server runs is chosen by ``BENCH_SYSTEM`` (floor, direct, group, dcrf, ours),
so that a baseline's signal handlers never burden another system's run.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_save
from rest_framework import serializers

from articles.models import Article
from django_realtime import wire

from .models import PlainArticle

SYSTEM = os.environ.get("BENCH_SYSTEM", "ours")
GROUP = "bench.articles"


class BenchArticleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """What the baselines send: the testproject's fields that need no request."""

    author = serializers.ReadOnlyField(source="author.username")

    class Meta:
        model = Article
        fields = ["id", "title", "body", "status", "author", "created_at", "updated_at"]


# -- sockets that only listen: connected means subscribed -----------------------------------


def listening_sockets() -> tuple[set[Any], Any]:
    """A set of the server's own ``send`` of every open socket, and the ASGI app that fills it."""
    sockets: set[Any] = set()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        sockets.add(send)
        try:
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            sockets.discard(send)

    return sockets, app


async def write_to_all(sockets: set[Any], frame: str) -> None:
    for socket_send in list(sockets):
        await socket_send({"type": "websocket.send", "text": frame})


# -- the bare floor: one pre-encoded frame written to every socket ------------------------

_floor_sockets, floor_websocket = listening_sockets()


async def floor_fire(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """POST /floor/fire?k=N&a=ID: write one frame, encoded once, to every floor socket.

    The frame is shaped like django-realtime's event frame for the same update (same
    fields, same size), so that reading it costs the client what reading ours does."""
    query = parse_qs(scope["query_string"].decode())
    k, article = int(query["k"][0]), int(query["a"][0])
    sent = time.time()  # the floor's "commit": its answer says when
    stamp = datetime.fromtimestamp(sent, timezone.utc).isoformat().replace("+00:00", "Z")
    path = f"/api/articles/{article}/"
    data = {
        "id": article, "url": "http://127.0.0.1" + path, "title": f"u{k}", "body": "x" * 100,
        "status": "published", "author": "alice", "is_mine": False, "created_at": stamp,
        "updated_at": stamp,
    }  # fmt: skip
    # Encoded with our own frame encoder, so the two frames cannot drift apart.
    tail = wire.event_tail("updated", path, article, wire.dumps(data), f"{k}:{article}")
    frame = wire.event_prefix("s") + tail
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": repr(sent).encode()})
    await write_to_all(_floor_sockets, frame)


# -- direct: Django's own PATCH, then one frame, encoded once, written to every socket ----
#
# The least a realtime system can spend per update on this stack: the write through the
# REST API without realtime, one serialization after its commit, and the ASGI server's
# frame writes; no channel layer, no visibility, no per-subscriber buffer.

_direct_sockets, _direct_listen = listening_sockets()
_direct_loop: asyncio.AbstractEventLoop | None = None


async def direct_websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _direct_loop
    _direct_loop = asyncio.get_running_loop()
    await _direct_listen(scope, receive, send)


def _article_saved_direct(sender: Any, instance: Any, **kwargs: Any) -> None:
    def write() -> None:
        path = f"/api/articles/{instance.pk}/"
        data = {
            "url": "http://127.0.0.1" + path, "is_mine": False,
            **BenchArticleSerializer(instance).data,
        }  # fmt: skip
        tail = wire.event_tail("updated", path, instance.pk, wire.dumps(data), str(instance.pk))
        frame = wire.event_prefix("s") + tail
        loop = _direct_loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.create_task, write_to_all(_direct_sockets, frame))

    transaction.on_commit(write)


# -- plain Channels: serialize once, group_send, one layer message per connection ---------


class GroupConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def article_changed(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


def _article_saved(sender: Any, instance: Article, **kwargs: Any) -> None:
    def publish() -> None:
        text = json.dumps(BenchArticleSerializer(instance).data, cls=DjangoJSONEncoder)
        async_to_sync(get_channel_layer().group_send)(
            GROUP, {"type": "article.changed", "text": text}
        )

    transaction.on_commit(publish)


def connect_signals() -> None:
    if SYSTEM == "group":
        post_save.connect(_article_saved, sender=Article, dispatch_uid="bench-group-send")
    elif SYSTEM == "direct":  # its writes go to the twin table that nothing captures
        post_save.connect(_article_saved_direct, sender=PlainArticle, dispatch_uid="bench-direct")


class QueryTokenAuth:
    """``?token=...`` on the websocket URL authenticates the baselines' consumers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        from channels.db import database_sync_to_async
        from rest_framework.authtoken.models import Token

        token = parse_qs(scope["query_string"].decode()).get("token", [None])[0]
        if token:

            @database_sync_to_async
            def user() -> Any:
                return Token.objects.select_related("user").get(key=token).user

            scope = {**scope, "user": await user()}
        await self.app(scope, receive, send)
