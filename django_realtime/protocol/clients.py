"""Connections per client address, so that one client cannot take a process's sockets.

The address is the ASGI scope's ``client``: behind a proxy, run the server so that it
takes the address from the proxy's header (``uvicorn --proxy-headers
--forwarded-allow-ips=...``, daphne's ``--proxy-headers``), or every client is the proxy.
Counted per server process (event loop thread only).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..conf import realtime_settings

_open: Counter[str] = Counter()


def client_address(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def enter(address: str | None) -> bool:
    """Count one more connection of ``address``, if it has fewer than the limit."""
    if address is None:
        return True  # a server that does not say (a unix socket): nothing to count by
    if _open[address] >= realtime_settings.MAX_CONNECTIONS_PER_CLIENT:
        return False
    _open[address] += 1
    return True


def leave(address: str | None) -> None:
    if address is None:
        return
    _open[address] -= 1
    if _open[address] <= 0:
        del _open[address]
