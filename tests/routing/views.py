"""Views and applications the routing tests route to: distinct, so a match says which won."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("home")


def first(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("first")


def second(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("second")


def third(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("third")


def echo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(repr((args, sorted(kwargs.items()))))


async def socket(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI application that routing's websocket routes point at in tables."""
