"""One ASGI application that serves the testproject and, at their own paths, the
baselines of benchmarks/fanout.py."""

from __future__ import annotations

import gc
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_project.settings")

from django.core.asgi import get_asgi_application as django_asgi

django_http = django_asgi()


from django_realtime.asgi import endpoint_application, get_asgi_application  # noqa: E402

from .baselines import (  # noqa: E402
    SYSTEM,
    GroupConsumer,
    QueryTokenAuth,
    direct_websocket,
    floor_fire,
    floor_websocket,
)

websocket_routes: dict[str, Any] = {"/group/": GroupConsumer.as_asgi()}
if SYSTEM == "dcrf":
    from .dcrf import ArticleActivityConsumer, ArticleInstanceConsumer

    websocket_routes["/dcrf/model/"] = ArticleActivityConsumer.as_asgi()
    websocket_routes["/dcrf/instance/"] = ArticleInstanceConsumer.as_asgi()
realtime = endpoint_application()


async def websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
    app = websocket_routes.get(scope["path"])
    if app is None:
        return await realtime(scope, receive, send)
    return await QueryTokenAuth(app)(scope, receive, send)


async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["path"] == "/floor/fire":
        return await floor_fire(scope, receive, send)
    return await django_http(scope, receive, send)


project = get_asgi_application(http=http, websocket=websocket)
raw_websockets = {"/floor/": floor_websocket, "/direct/": direct_websocket}


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    # The floor's and direct's sockets get the server's own send: no middleware wraps it
    # (Channels' SessionMiddleware would, and cost about as much as the write; ours unwraps it).
    raw = raw_websockets.get(scope["path"]) if scope["type"] == "websocket" else None
    await (raw or project)(scope, receive, send)


# Every system runs in the deployment docs/deployment.md recommends: what importing the
# project made (over 110,000 objects) is frozen, so the collector no longer walks it.
# Without this, a full collection of 84-118 ms fell inside 9 of 10 traced fan-outs.
gc.collect()
gc.freeze()
