"""A URLconf that does not call routing.compile(): websocket routes still work."""

from __future__ import annotations

from django.urls import include
from django.urls import path as django_path

from routing import websocket

from .consumers import EchoConsumer
from .views import first

urlpatterns = [
    django_path("", first, name="home"),
    django_path(
        "live/<int:n>/", include([websocket("feed/", EchoConsumer.as_asgi(), name="feed")])
    ),
]
