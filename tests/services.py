"""The real services the tests use, and what a missing one means.

Outside CI a missing service skips the tests that need it, with how to start it; under
``CI=true`` it fails them, so that CI can never pass without having exercised them.
"""

from __future__ import annotations

import os
import socket

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

HOW_TO_START = {
    "redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    "postgres": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
}


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def require(service: str) -> None:
    port = {"redis": 6379, "postgres": 5432}[service]
    if _reachable(port):
        return
    message = (
        f"{service} is not reachable on 127.0.0.1:{port}. Start it with: {HOW_TO_START[service]}"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: tests that need it must not be skipped)")
    pytest.skip(message)


def missing(what: str, how: str) -> None:
    """A tool the tests need is not installed: skip, or fail under ``CI=true``."""
    message = f"{what} is not installed: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: tests that need it must not be skipped)")
    pytest.skip(message)
