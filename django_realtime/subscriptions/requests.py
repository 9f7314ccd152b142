"""The HTTP request a subscription stands for: a GET with the connection's credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, QueryDict
from django.http.cookie import parse_cookie


@dataclass(frozen=True)
class Credentials:
    """What one connection brings to every request built for it.

    ``scope`` is the websocket handshake's ASGI scope (after ``AuthMiddlewareStack``: it
    holds ``user`` and ``session``); ``authorization`` comes from the last ``auth`` frame.
    """

    scope: dict[str, Any]
    authorization: str | None = None

    @property
    def user(self) -> Any:
        return self.scope.get("user")


class SubscriptionRequest(HttpRequest):
    """A GET of ``path?query`` as the browser or API client behind the websocket would send it."""

    def __init__(self, credentials: Credentials, path: str, query: str = "") -> None:
        super().__init__()
        scope = credentials.scope
        self.method = "GET"
        self.path = self.path_info = path
        self.META = _meta(scope, path, query)
        # A subscription always reads JSON, whatever the handshake said it accepts.
        self.META["HTTP_ACCEPT"] = "application/json"
        if credentials.authorization is not None:
            self.META["HTTP_AUTHORIZATION"] = credentials.authorization
        else:
            self.META.pop("HTTP_AUTHORIZATION", None)
        self.GET = QueryDict(query)
        self.COOKIES = parse_cookie(self.META.get("HTTP_COOKIE", ""))
        self._scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        if "user" in scope:
            self.user = scope["user"]
        if "session" in scope:
            self.session = scope["session"]

    def _get_scheme(self) -> str:
        return self._scheme


def _meta(scope: dict[str, Any], path: str, query: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
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
