"""A compiled URLconf for the reverse, checks, command and websocket tests."""

from __future__ import annotations

import routing
from routing import include, path, websocket

from .consumers import EchoConsumer
from .views import echo, first, second

articles = (
    [
        path("", first, name="list"),
        path("<int(min=1):pk>/", second, name="detail"),
        path("<int(min=1):pk>/<any(draft, published):status>/", echo, name="status"),
    ],
    "articles",
)

urlpatterns = routing.compile(
    [
        path("", first, name="home"),
        path("articles/", include(articles)),
        path("drafts/", include(articles, namespace="drafts")),
        path("lang/<str(min_length=2, max_length=2):lang>/", echo, name="lang"),
        path("day/<date:day>/", echo, name="day"),
        path("<str:section>/<str:page>/", echo, name="page"),
        path(
            "ws/", include([websocket("rooms/<int:room>/", EchoConsumer.as_asgi(), name="room")])
        ),
        websocket("ws/echo/", EchoConsumer.as_asgi(), {"mode": "plain"}, name="echo"),
    ]
)
