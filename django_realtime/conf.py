"""The ``REALTIME`` settings dict: read lazily, merged with defaults, reset on change.

    REALTIME = {
        "ENDPOINT": "/ws/",
        "MAX_SUBSCRIPTIONS": 100,
    }

Read values as attributes of :data:`realtime_settings`; ``override_settings(REALTIME=...)``
takes effect at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    # Path of the websocket endpoint, as the browser sees it.
    "ENDPOINT": "/ws/",
    # Alias in CHANNEL_LAYERS that rings server processes when the change log grows.
    "CHANNEL_LAYER": "default",
    # Prefix of the channel-layer group that rings server processes when the log grows, so
    # that several projects can share one Redis.
    "GROUP_PREFIX": "realtime",
    # Alias in DATABASES that holds the change log; every captured model lives there.
    "DATABASE": "default",
    # Seconds between two reads of the log when nothing rings: a lost ring costs at most
    # this much latency.
    "POLL_INTERVAL": 1.0,
    # The log keeps entries this many seconds, and at most about this many entries; a
    # cursor from before what it keeps is answered with "reset".
    "LOG_RETENTION_SECONDS": 24 * 3600.0,
    "LOG_RETENTION_ENTRIES": 1_000_000,
    # Seconds between two prunings of the log by a server process.
    "PRUNE_INTERVAL": 60.0,
    # Seconds after which a subscription's credentials are checked again even though the
    # database showed no change to them (a JWT, an identity provider, cached sessions); a
    # token with an "exp" claim is checked when it expires.
    "AUTH_RECHECK_INTERVAL": 300.0,
    # Models whose rows credentials rest on, beyond users, groups, permissions, DRF tokens
    # and database sessions (an API key model, say): "app_label.ModelName".
    "AUTH_MODELS": [],
    # Seconds a connection may stay open (0: no limit); then it is closed with 4008, and its
    # client reconnects and resumes, with credentials checked anew.
    "MAX_CONNECTION_AGE": 0.0,
    # New audiences (subscriptions to a URL, with a query string and credentials, that
    # nobody on this process subscribes to yet) one connection may start: this many at
    # once, then this many a second. Past it, subscribe is answered with "throttled".
    "AUDIENCE_BURST": 20,
    "AUDIENCE_RATE": 1.0,
    # Audiences without subscribers a process keeps for resuming (RESUME_WINDOW); past it,
    # the ones idle longest go first.
    "MAX_IDLE_AUDIENCES": 100,
    # Connections one client address may hold open to one server process.
    "MAX_CONNECTIONS_PER_CLIENT": 100,
    # Live subscriptions one connection may hold.
    "MAX_SUBSCRIPTIONS": 100,
    # Largest text frame a client may send, in bytes; a larger one closes with 4413.
    "MAX_FRAME_BYTES": 64 * 1024,
    # Frames a client may send per second (sustained) and in a burst. Past the burst, a frame
    # is answered with a "throttled" error; a client that keeps going is closed with 4429.
    "RECEIVE_RATE": 20.0,
    "RECEIVE_BURST": 60,
    # Rows a list subscription may cover: it remembers which objects its subscriber has seen
    # so that it can tell "created" from "updated" and never reveal anything else.
    "MAX_LIST_SIZE": 100_000,
    # Bytes waiting to be written to one connection; a client that lets more pile up is
    # disconnected with close code 4008 and may resume.
    "MAX_BUFFERED_BYTES": 1024 * 1024,
    # Seconds a list audience reuses the views and querysets it built (get_queryset() and the
    # filter backends run once per interval for all its subscribers; queries always run
    # against the current data). 0 builds them anew for every change.
    "VIEW_REUSE_SECONDS": 10.0,
    # Seconds an audience keeps its history after its last subscriber left, so that a
    # client that reconnects with "since" gets the events it missed instead of "reset".
    "RESUME_WINDOW": 60.0,
    # Events, and bytes of them, that an audience keeps for resuming.
    "HISTORY_SIZE": 200,
    "HISTORY_BYTES": 256 * 1024,
    # Seconds between two log lines of counters; 0 turns the log off.
    "STATS_LOG_INTERVAL": 300.0,
    # Serve the AsyncAPI document at asyncapi.json under django_realtime.urls (to anyone:
    # it describes the routes and serializers of the realtime views).
    "ASYNCAPI": False,
}

_TYPES: dict[str, tuple[type, ...]] = {
    "ENDPOINT": (str,),
    "CHANNEL_LAYER": (str,),
    "GROUP_PREFIX": (str,),
    "DATABASE": (str,),
    "POLL_INTERVAL": (int, float),
    "LOG_RETENTION_SECONDS": (int, float),
    "LOG_RETENTION_ENTRIES": (int,),
    "PRUNE_INTERVAL": (int, float),
    "AUTH_RECHECK_INTERVAL": (int, float),
    "AUTH_MODELS": (list, tuple),
    "MAX_CONNECTION_AGE": (int, float),
    "AUDIENCE_BURST": (int,),
    "AUDIENCE_RATE": (int, float),
    "MAX_IDLE_AUDIENCES": (int,),
    "MAX_CONNECTIONS_PER_CLIENT": (int,),
    "MAX_SUBSCRIPTIONS": (int,),
    "MAX_FRAME_BYTES": (int,),
    "RECEIVE_RATE": (int, float),
    "RECEIVE_BURST": (int,),
    "MAX_LIST_SIZE": (int,),
    "MAX_BUFFERED_BYTES": (int,),
    "RESUME_WINDOW": (int, float),
    "VIEW_REUSE_SECONDS": (int, float),
    "HISTORY_SIZE": (int,),
    "HISTORY_BYTES": (int,),
    "STATS_LOG_INTERVAL": (int, float),
    "ASYNCAPI": (bool,),
}


class RealtimeSettings:
    """Attribute access to ``settings.REALTIME`` merged over :data:`DEFAULTS`."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid REALTIME setting: {name!r}")
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def _read(self, name: str) -> Any:
        user = getattr(settings, "REALTIME", None) or {}
        if not isinstance(user, dict):
            raise ImproperlyConfigured(
                f"settings.REALTIME must be a dict, not {type(user).__name__}."
            )
        unknown = sorted(set(user) - set(DEFAULTS))
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown key(s) in settings.REALTIME: {', '.join(unknown)}. "
                f"Valid keys: {', '.join(sorted(DEFAULTS))}."
            )
        value: Any = user.get(name, DEFAULTS[name])
        expected = _TYPES[name]
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            names = " or ".join(t.__name__ for t in expected)
            raise ImproperlyConfigured(
                f"settings.REALTIME[{name!r}] must be {names}, not {value!r}."
            )
        return _check_value(name, value)

    def reload(self) -> None:
        self._cache.clear()


def _check_value(name: str, value: Any) -> Any:
    """What a type cannot say about a setting's value."""
    if name == "ENDPOINT" and not (value.startswith("/") and value.endswith("/")):
        raise ImproperlyConfigured(
            f"settings.REALTIME['ENDPOINT'] must start and end with '/', like '/ws/'; "
            f"got {value!r}."
        )
    positive = (
        "POLL_INTERVAL",
        "PRUNE_INTERVAL",
        "LOG_RETENTION_SECONDS",
        "LOG_RETENTION_ENTRIES",
        "AUTH_RECHECK_INTERVAL",
    )
    if name in positive and value <= 0:
        raise ImproperlyConfigured(f"settings.REALTIME[{name!r}] must be positive; got {value!r}.")
    return value


realtime_settings = RealtimeSettings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting in ("REALTIME", "CHANNEL_LAYERS"):
        realtime_settings.reload()


setting_changed.connect(_reload)
