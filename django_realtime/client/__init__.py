"""The asyncio client: one websocket, many subscriptions, automatic resume (docs/clients.md).

    from django_realtime.client import Client

    async with Client("wss://example.com/ws/", auth=lambda: f"Token {token}") as client:
        articles = client.live_list("/api/articles/?status=published")
        async for change in articles.changes():
            print(len(articles.items), change["type"])

It needs the ``websockets`` package (``pip install "drf-realtime[client]"``) and not Django:
scripts and services that are not Django projects can use it.
"""

from .connection import Client, connect
from .live import LiveList, LiveObject
from .subscription import RealtimeError, Subscription

__all__ = ["Client", "LiveList", "LiveObject", "RealtimeError", "Subscription", "connect"]
