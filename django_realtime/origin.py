"""Which pages may open a websocket to this site: the policy of Django's CSRF checks.

A page on any site can open a websocket to this one, and the browser sends the user's
cookies with it; what it cannot hide is the ``Origin`` header. So a handshake is accepted
when:

- it has no ``Origin`` (not a browser: an API client or a script, which has no cookies of
  the user's to abuse), or
- its ``Origin`` is the site itself: the scheme of the handshake (``https`` for ``wss``),
  the host and the port of its ``Host`` header, which must be in ``ALLOWED_HOSTS``; or
- its ``Origin`` is in ``CSRF_TRUSTED_ORIGINS`` (``"https://app.example.com"``, or
  ``"https://*.example.com"`` for every subdomain), as Django's CSRF middleware trusts it.

An allowed host on another port or scheme is another origin, and is refused (403), as
Django refuses a cross-origin POST. Behind a proxy that terminates TLS, run the server so
that the scope's scheme is the client's (``uvicorn --proxy-headers``), or list the site's
origin in ``CSRF_TRUSTED_ORIGINS``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


class OriginValidator:
    """ASGI middleware: refuse websocket handshakes from other origins (see the module)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    if origin in settings.CSRF_TRUSTED_ORIGINS or _trusted_subdomain(origin):
        return True
    host = _header(scope, b"host")
    if host is None:
        return False
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return False
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return _same_origin(origin, f"{scheme}://{host}")


def _same_origin(one: str, other: str) -> bool:
    try:
        a, b = urlsplit(one), urlsplit(other)
        ports = (a.port or DEFAULT_PORTS.get(a.scheme), b.port or DEFAULT_PORTS.get(b.scheme))
    except ValueError:  # a malformed port
        return False
    return (a.scheme, a.hostname) == (b.scheme, b.hostname) and ports[0] == ports[1]


def _trusted_subdomain(origin: str) -> bool:
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" not in trusted:
            continue
        pattern = urlsplit(trusted)
        if pattern.scheme == parsed.scheme and is_same_domain(
            parsed.netloc, pattern.netloc.replace("*", "", 1)
        ):
            return True
    return False


def _allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS, with the defaults Django's own get_host() has under DEBUG."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin1"))
    return None
