from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from django_realtime.subscriptions.engine import close_engine
from django_realtime.transport.publisher import flush
from tests.client import Client
from tests.services import REDIS_URL, require

_PREFIX = f"test{os.getpid()}x{uuid.uuid4().hex[:6]}"

LAYERS: dict[str, dict[str, Any]] = {
    "inmemory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    "redis": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": _PREFIX},
    },
    "pubsub": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": _PREFIX},
    },
}


@pytest.fixture(autouse=True)
def _test_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.urls"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()  # throttle history lives there
    yield
    cache.clear()


def _use_layer(settings: Any, name: str) -> None:
    if name != "inmemory":
        require("redis")
    settings.CHANNEL_LAYERS = {"default": LAYERS[name]}


@pytest.fixture(params=list(LAYERS))
def layer(request: pytest.FixtureRequest, settings: Any) -> str:
    """Each realtime test runs on every channel layer we support."""
    _use_layer(settings, request.param)
    return str(request.param)


@pytest.fixture
def inmemory_layer(settings: Any) -> str:
    """For tests about the protocol itself, which do not depend on the layer."""
    _use_layer(settings, "inmemory")
    return "inmemory"


@pytest.fixture
async def realtime() -> AsyncIterator[None]:
    """Stops this test's engine and closes the layer's connections afterwards."""
    yield
    await flush()
    await close_engine()
    # Requests made through sync_to_async ran in asgiref's shared thread: close its
    # connections too, or the next test finds them open.
    await sync_to_async(connections.close_all)()
    channel_layer = get_channel_layer()
    if hasattr(channel_layer, "close_pools"):
        await channel_layer.close_pools()
    elif hasattr(channel_layer, "_layers"):  # RedisPubSubChannelLayer: flush closes them
        # Its flush can hang when its keepalive reconnects during the cleanup
        # (django/channels_redis#319): a CI run once sat here for 120 s after a test
        # that had passed. The connections are the test's own; left, they close with it.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(channel_layer.flush(), 10)


@pytest.fixture
async def connect(realtime: None) -> AsyncIterator[Any]:
    """``await connect(...)`` opens a protocol client; all are closed after the test."""
    clients: list[Client] = []

    async def open_client(**kwargs: Any) -> Client:
        client = await Client.connect(**kwargs)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.close()


class Api:
    """REST calls through the real viewsets, from async tests (in a worker thread)."""

    def __init__(self, user: User | None) -> None:
        self.client = APIClient()
        if user is not None:
            self.client.force_authenticate(user)

    async def get(self, path: str, **headers: Any) -> Any:
        return await sync_to_async(self.client.get)(path, format="json", **headers)

    async def post(self, path: str, data: dict[str, Any]) -> Any:
        return await sync_to_async(self.client.post)(path, data, format="json")

    async def patch(self, path: str, data: dict[str, Any]) -> Any:
        return await sync_to_async(self.client.patch)(path, data, format="json")

    async def delete(self, path: str) -> Any:
        return await sync_to_async(self.client.delete)(path)


@pytest.fixture
def users(db: Any) -> dict[str, User]:
    alice = User.objects.create_user("alice", password="alice-password")
    bob = User.objects.create_user("bob", password="bob-password")
    staff = User.objects.create_user("staff", password="staff-password", is_staff=True)
    return {"alice": alice, "bob": bob, "staff": staff}


@pytest.fixture
def tokens(users: dict[str, User]) -> dict[str, str]:
    return {name: Token.objects.create(user=user).key for name, user in users.items()}


@pytest.fixture
def api(users: dict[str, User]) -> Any:
    def make(name: str | None) -> Api:
        return Api(users[name] if name else None)

    return make
