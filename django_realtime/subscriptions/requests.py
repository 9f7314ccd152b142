"""The HTTP request a subscription stands for: a GET with the connection's credentials."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest, QueryDict
from django.http.cookie import parse_cookie
from django.urls import get_script_prefix, set_script_prefix
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class Credentials:
    """What one connection brings to every request built for it.

    ``scope`` is the websocket handshake's ASGI scope (after ``AuthMiddlewareStack``: it
    holds ``user`` and ``session``); ``authorization`` comes from the last ``auth`` frame.
    """

    scope: dict[str, Any]
    authorization: str | None = None

    @property
    def session_key(self) -> str | None:
        """The session cookie the handshake carried, when the stack resolves sessions
        (``AuthMiddlewareStack``); every request built for the connection loads it anew."""
        if "session" not in self.scope:
            return None
        cookies = parse_cookie(_header(self.scope, b"cookie"))
        return cookies.get(settings.SESSION_COOKIE_NAME) or None

    @property
    def identity(self) -> Hashable:
        """What tells these credentials from others of the same user: two tokens, or two
        sessions, are two credentials. A user that a custom middleware put in the scope
        (no session to load again) is the connection's own."""
        if "session" in self.scope or "user" not in self.scope:
            return (self.authorization, self.session_key)
        return (self.authorization, "scope", id(self.scope))

    @property
    def script_name(self) -> str:
        """Where the site is mounted ("" at the root), as Django's ASGIHandler sees it for
        an HTTP request to this server: FORCE_SCRIPT_NAME, else the scope's root_path."""
        return script_name(self.scope)


def script_name(scope: dict[str, Any]) -> str:
    """FORCE_SCRIPT_NAME, else the ASGI scope's root_path, without a trailing slash."""
    name = settings.FORCE_SCRIPT_NAME or scope.get("root_path") or ""
    return str(name).rstrip("/")


@contextmanager
def script_prefix(name: str) -> Iterator[None]:
    """Build URLs (``reverse()``, hyperlinks) under ``name``, as a request mounted there
    would; the worker thread serves subscriptions of every connection."""
    if not name:  # nothing in the worker sets another prefix: "/" is already in place
        yield
        return
    previous = get_script_prefix()
    set_script_prefix(name)
    try:
        yield
    finally:
        set_script_prefix(previous)


class SubscriptionRequest(HttpRequest):
    """A GET of ``path?query`` as the browser or API client behind the websocket would send it.

    ``path`` is what Django resolves (its ``path_info``); ``request.path`` also has the
    script name in front when the site is mounted below the root."""

    def __init__(self, credentials: Credentials, path: str, query: str = "") -> None:
        super().__init__()
        scope = credentials.scope
        self.method = "GET"
        script_name = credentials.script_name
        self.path_info = path
        self.path = script_name + path
        self.META = _meta(scope, script_name, path, query)
        # A subscription always reads JSON, whatever the handshake said it accepts.
        self.META["HTTP_ACCEPT"] = "application/json"
        if credentials.authorization is not None:
            self.META["HTTP_AUTHORIZATION"] = credentials.authorization
        else:
            self.META.pop("HTTP_AUTHORIZATION", None)
        self.GET = QueryDict(query)
        self.COOKIES = parse_cookie(self.META.get("HTTP_COOKIE", ""))
        self._scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        if "session" in scope:
            # As Django's SessionMiddleware and AuthenticationMiddleware would for this
            # request: the session as it is now (flushed, logged out, another user's
            # password changed), not as it was at the handshake.
            self.session = _session_store()(credentials.session_key)
            self.user = SimpleLazyObject(partial(get_user, self))  # type: ignore[assignment]
        elif "user" in scope:
            self.user = scope["user"]  # a custom middleware's: see docs/security.md

    def _get_scheme(self) -> str:
        return self._scheme


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def _header(scope: dict[str, Any], name: bytes) -> str:
    return ",".join(v.decode("latin1") for k, v in scope.get("headers", ()) if k.lower() == name)


def _meta(scope: dict[str, Any], script_name: str, path: str, query: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": query,
    }
    client = scope.get("client")
    if client:
        meta["REMOTE_ADDR"], meta["REMOTE_PORT"] = client[0], client[1]
    server = scope.get("server")
    if server:
        meta["SERVER_NAME"], meta["SERVER_PORT"] = str(server[0]), str(server[1])
    else:
        meta["SERVER_NAME"], meta["SERVER_PORT"] = "unknown", "0"
    for name, value in scope.get("headers", ()):
        key = name.decode("latin1").upper().replace("-", "_")
        if key in ("CONTENT_LENGTH", "CONTENT_TYPE") or key.startswith("SEC_WEBSOCKET"):
            continue
        key = "HTTP_" + key
        text = value.decode("latin1")
        meta[key] = f"{meta[key]},{text}" if key in meta else text
    return meta
