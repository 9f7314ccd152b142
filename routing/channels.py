"""An ASGI websocket router over the ``websocket()`` routes of a Django URLconf.

    # asgi.py
    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(WebsocketRouter()),
    })

Unlike Channels' ``URLRouter`` it reads the same URLconf as HTTP (``include()``,
namespaces, converters and ``reverse()`` included) and closes an unknown path with
close code 4404 instead of raising.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from types import ModuleType
from typing import Any

from django.conf import settings
from django.urls import Resolver404

from .resolver import websocket_resolver

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

CLOSE_NOT_FOUND = 4404


def below_mount(path: str, mount: str) -> str | None:
    """``path`` below ``mount`` ("/app"), or None if it is not below it. Only whole
    segments count: "/app" is not in front of "/apples/"."""
    if not mount:
        return path
    if path == mount or path.startswith(mount + "/"):
        return path[len(mount) :]
    return None


def strip_mount(path: str, mount: str) -> str:
    """``path`` below ``mount`` if it is below it, else ``path`` itself (a proxy in front
    may have kept the mount or not)."""
    below = below_mount(path, mount)
    return path if below is None else below


class WebsocketRouter:
    """Routes a websocket connection to the application of the matching ``websocket()`` route.

    ``urlconf``: a module (or its dotted path) whose ``urlpatterns`` hold the routes;
    ``settings.ROOT_URLCONF`` by default, read on each connection.
    """

    def __init__(self, urlconf: str | ModuleType | None = None) -> None:
        self.urlconf = urlconf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            raise ValueError(
                f"WebsocketRouter routes websocket connections, but got a {scope['type']!r} "
                "scope; put it under the 'websocket' key of a ProtocolTypeRouter."
            )
        path = scope.get("path_remaining", scope.get("path"))
        if path is None:
            raise ValueError("No 'path' key in connection scope, cannot route URLs")
        if "path_remaining" not in scope:
            root_path = scope.get("root_path", "")
            if root_path:  # the server mounts the site there: every path starts with it
                below = below_mount(path, root_path.rstrip("/"))
                if below is None:
                    return await not_found(receive, send)
                path = below
            elif settings.FORCE_SCRIPT_NAME:  # a proxy in front may have kept it, or not
                path = strip_mount(path, settings.FORCE_SCRIPT_NAME.rstrip("/"))
        try:
            match = websocket_resolver(self.urlconf).resolve_websocket(path.lstrip("/"))
        except Resolver404:
            return await not_found(receive, send)
        outer = scope.get("url_route", {})
        scope = dict(
            scope,
            path_remaining=getattr(match, "path_remaining", ""),
            url_route={
                "args": tuple(outer.get("args", ())) + tuple(match.args),
                "kwargs": {**outer.get("kwargs", {}), **match.kwargs},
            },
        )
        await match.func(scope, receive, send)


async def not_found(receive: Receive, send: Send) -> None:
    """Refuse the handshake with close code 4404, the websocket twin of a 404.

    The handshake is accepted first: a close before ``websocket.accept`` is an HTTP 403 on
    every server (the answer to a bad Origin), and no close code reaches the client."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send(
            {
                "type": "websocket.close",
                "code": CLOSE_NOT_FOUND,
                "reason": "No such websocket route.",
            }
        )
