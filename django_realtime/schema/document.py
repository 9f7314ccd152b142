"""The AsyncAPI 3.0 document of the project's realtime endpoint (docs/clients.md#asyncapi).

One server (the websocket endpoint), one channel for the endpoint's own frames, and one
channel per realtime route: its address is the URL template that a ``subscribe`` names,
with the route's path parameters and (in the ``ws`` binding's query) its filter
parameters; its messages carry the view's serializer.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from .. import __version__
from ..conf import realtime_settings
from . import messages
from .messages import Schema
from .payloads import Mapper, query_parameters
from .routes import RealtimeRoute, realtime_routes


def build(host: str = "localhost:8000", protocol: str = "ws", title: str | None = None) -> Schema:
    """The document, as a JSON-ready dict."""
    mapper = Mapper()
    channels: dict[str, Schema] = {"endpoint": _endpoint_channel()}
    operations: dict[str, Schema] = _endpoint_operations()
    component_messages: dict[str, Schema] = {
        name: _message(name, schema)
        for name, schema in {**messages.CLIENT, **messages.SERVER}.items()
    }
    for route in realtime_routes():
        key = _unique(_key(route.name), channels)
        view = mapper.view(route)
        item = mapper.item(route, view)
        body = mapper.body(route, view, item)
        for kind, schema in (
            ("Subscribe", messages.CLIENT["subscribe"]),
            ("Subscribed", messages.subscribed(body)),
            ("Event", messages.event(item)),
            ("Reset", messages.reset(body)),
        ):
            component_messages[f"{key}{kind}"] = _message(f"{key}{kind}", schema)
        channels[key] = _route_channel(route, key, view)
        operations.update(_route_operations(key))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": title or f"{_project()} realtime API",
            "version": __version__,
            "description": (
                "Live updates of the project's REST API over one websocket: a subscription "
                "is a GET request that stays open (django-realtime protocol version 1)."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "realtime": {
                "host": host,
                "protocol": protocol,
                "description": "The realtime endpoint; every channel is reached through it.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": component_messages, "schemas": mapper.components()},
    }


def _project() -> str:
    return str(settings.ROOT_URLCONF).split(".")[0]


def _key(name: str) -> str:
    """A channel or message key (ASCII letters and digits) in camelCase."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", name) if word] or ["route"]
    return words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])


def _unique(key: str, taken: dict[str, Any]) -> str:
    """``key``, or ``key2``, ``key3``...: one router under two prefixes gives two routes of
    one name; "endpoint" is the endpoint's channel."""
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = f"{key}{number}"
    return candidate


def _message(name: str, payload: Schema) -> Schema:
    # The payload's title names the type that code generators make of it.
    title = name[:1].upper() + name[1:]
    return {
        "name": name,
        "title": title,
        "summary": payload["description"],
        "payload": {"title": title, **payload},
    }


def _ref(*path: str) -> Schema:
    return {"$ref": "#/" + "/".join(path)}


def _endpoint_channel() -> Schema:
    names = [*messages.CLIENT, *messages.SERVER]
    return {
        "address": realtime_settings.ENDPOINT,
        "title": "The realtime endpoint",
        "description": "Frames that belong to the connection rather than to one route.",
        "messages": {name: _ref("components", "messages", name) for name in names},
    }


def _endpoint_operations() -> dict[str, Schema]:
    def operation(action: str, names: list[str], summary: str) -> Schema:
        return {
            "action": action,
            "channel": _ref("channels", "endpoint"),
            "summary": summary,
            "messages": [_ref("channels", "endpoint", "messages", name) for name in names],
        }

    return {
        "authenticate": {
            **operation("send", ["auth"], "Send credentials (an Authorization header value)."),
            "reply": {
                "channel": _ref("channels", "endpoint"),
                "messages": [
                    _ref("channels", "endpoint", "messages", name)
                    for name in ("authReply", "error")
                ],
            },
        },
        "unsubscribe": operation("send", ["unsubscribe"], "End a subscription."),
        "ping": operation("send", ["ping"], "Check the connection."),
        "receiveConnectionFrames": operation(
            "receive", ["unsubscribed", "pong", "error", "authReply"], "Replies and ends."
        ),
    }


def _route_channel(route: RealtimeRoute, key: str, view: Any) -> Schema:
    kind = "one object" if route.detail else "a list"
    channel: Schema = {
        "address": route.template,
        "title": f"{route.view_class.__name__}.{route.action}",
        "description": (
            f"Subscribe to {route.template} ({kind}): the events of what a GET of it "
            "would show, as that GET would show it."
        ),
        "messages": {
            kind.lower(): _ref("components", "messages", f"{key}{kind}")
            for kind in ("Subscribe", "Subscribed", "Event", "Reset")
        },
    }
    if route.parameters:
        channel["parameters"] = {
            name: {"description": f"Matches {regex}"} for name, regex in route.parameters.items()
        }
    if not route.detail:
        query = query_parameters(view)
        if query["properties"]:
            channel["bindings"] = {"ws": {"query": query, "bindingVersion": "0.1.0"}}
    return channel


def _route_operations(key: str) -> dict[str, Schema]:
    channel = _ref("channels", key)
    upper = key[:1].upper() + key[1:]
    return {
        f"subscribe{upper}": {
            "action": "send",
            "channel": channel,
            "summary": "Subscribe (a subscribe frame whose path matches the address).",
            "messages": [_ref("channels", key, "messages", "subscribe")],
            "reply": {
                "channel": channel,
                "messages": [
                    _ref("channels", key, "messages", name) for name in ("subscribed", "reset")
                ],
            },
        },
        f"receive{upper}Events": {
            "action": "receive",
            "channel": channel,
            "summary": "Changes to what the subscription's GET shows.",
            "messages": [_ref("channels", key, "messages", "event")],
        },
    }
