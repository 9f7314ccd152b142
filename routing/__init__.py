"""Typed, fast, checked URL routing for Django (HTTP and websockets)."""

from django.urls import include, re_path, register_converter

from .patterns import (
    TypedRoutePattern,
    WebsocketPattern,
    path,
    websocket,
    websocket_mount,
    websocket_re_path,
)
from .resolver import CompiledResolver, compile
from .reverse import Reverser, RouteNotFound, reverse, reverser

__all__ = [
    "CompiledResolver",
    "Reverser",
    "RouteNotFound",
    "TypedRoutePattern",
    "WebsocketPattern",
    "compile",
    "include",
    "path",
    "re_path",
    "register_converter",
    "reverse",
    "reverser",
    "websocket",
    "websocket_mount",
    "websocket_re_path",
]
