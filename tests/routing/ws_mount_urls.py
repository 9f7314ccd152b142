"""ASGI applications that route for themselves, mounted under websocket prefixes."""

from __future__ import annotations

from channels.middleware import BaseMiddleware
from channels.routing import URLRouter
from django.urls import path as django_path

import routing
from routing import include, path, websocket_mount

from .consumers import EchoConsumer

channels_routes = URLRouter([django_path("room/<str:name>/", EchoConsumer.as_asgi())])

urlpatterns = routing.compile(
    [
        # A middleware-wrapped URLRouter: Channels' own URLRouter cannot nest it.
        websocket_mount("ws/groups/<int(min=1):group>/", BaseMiddleware(channels_routes)),
        path("ws/", include([websocket_mount("plain/", channels_routes)])),
    ]
)
