"""Websocket routes written as regexes, as Channels' re_path() routes are."""

from __future__ import annotations

import routing
from routing import websocket_re_path

from .consumers import EchoConsumer

urlpatterns = routing.compile(
    [
        websocket_re_path(r"^ws/old/(?P<room>[a-z]+)/$", EchoConsumer.as_asgi(), name="old"),
        websocket_re_path(r"^ws/numbered/(\d+)/(\d+)/$", EchoConsumer.as_asgi(), name="numbered"),
    ]
)
