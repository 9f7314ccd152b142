"""The project's ASGI application in one call: HTTP, and websockets at the endpoint.

# project/asgi.py
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
from django_realtime.asgi import get_asgi_application
application = get_asgi_application()
"""

from __future__ import annotations

from typing import Any

Scope = dict[str, Any]


def get_asgi_application(*, http: Any = None, websocket: Any = None) -> Any:
    """HTTP by Django (or ``http``), and websockets.

    Websockets go to the ``websocket()`` routes of the URLconf when it has any (one route
    table for HTTP and websocket paths; see docs/routing.md), and otherwise to the
    realtime consumer at ``REALTIME['ENDPOINT']``. Handshakes pass
    :class:`~django_realtime.origin.OriginValidator` (another origin is refused, as
    Django's CSRF checks would refuse it) and
    ``AuthMiddlewareStack`` (the session user comes with them). ``websocket`` replaces
    the routing with your own websocket application, which is then wrapped the same way.
    """
    from django.core.asgi import get_asgi_application as django_asgi_application

    http_app = http if http is not None else django_asgi_application()  # sets Django up

    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter

    from .origin import OriginValidator

    websocket_app = websocket if websocket is not None else websocket_application()
    return ProtocolTypeRouter(
        {
            "http": http_app,
            "websocket": OriginValidator(AuthMiddlewareStack(websocket_app)),
        }
    )


def websocket_application() -> Any:
    """The URLconf's websocket routes if it has any, else :func:`endpoint_application`."""
    from routing.channels import WebsocketRouter
    from routing.resolver import websocket_resolver

    if any(route.websocket for route in websocket_resolver().routes):
        return WebsocketRouter()
    return endpoint_application()


def endpoint_application() -> Any:
    """The realtime consumer at ``REALTIME['ENDPOINT']``; other paths close with 4404."""
    from routing.channels import not_found, strip_mount

    from .conf import realtime_settings
    from .protocol.consumer import RealtimeConsumer
    from .subscriptions.requests import script_name

    consumer = RealtimeConsumer.as_asgi()

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        # The script name in front is optional, as for Django's HTTP requests (a proxy may
        # have kept it or not); only whole segments of it count.
        if strip_mount(scope["path"], script_name(scope)) == realtime_settings.ENDPOINT:
            return await consumer(scope, receive, send)
        await not_found(receive, send)

    return app
