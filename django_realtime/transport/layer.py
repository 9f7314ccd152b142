"""The doorbell on the channel layer: one group, whose messages say "the log has grown".

A ring carries nothing that matters: every process reads the log by position from the
database, so a ring that is lost or late costs latency (until the next poll), never an
event.
"""

from __future__ import annotations

import re
from typing import Any

from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured

from ..conf import realtime_settings

MESSAGE_TYPE = "realtime.ring"

_GROUP_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]")


def get_layer() -> Any:
    """The channel layer named by ``REALTIME['CHANNEL_LAYER']``, or a clear error."""
    alias = realtime_settings.CHANNEL_LAYER
    layer = get_channel_layer(alias)
    if layer is None:
        raise ImproperlyConfigured(
            f"django_realtime needs a channel layer, and CHANNEL_LAYERS has no {alias!r} "
            "entry. For one process (runserver) add: CHANNEL_LAYERS = {'default': "
            "{'BACKEND': 'channels.layers.InMemoryChannelLayer'}}; for several, use "
            "channels_redis (pip install 'drf-realtime[redis]')."
        )
    fit_blocking_reads(layer)
    return layer


def fit_blocking_reads(layer: Any) -> None:
    """Give channels_redis' core layer a socket timeout longer than its blocking reads.

    Its ``receive`` blocks in Redis (BZPOPMIN) for ``brpop_timeout`` (5 s). redis-py 8
    made 5 s the default socket timeout as well, so an idle receive times out on the
    client and fails every 5 s, and a message popped at that moment is lost. A host
    that sets ``socket_timeout`` itself is left as it is; the others get
    ``brpop_timeout`` + 5 s, which still notices a Redis that stopped answering. Pools
    are made on first use, so this holds for all of them but one made before it.
    """
    try:
        from channels_redis.core import RedisChannelLayer
    except ImportError:
        return
    if not isinstance(layer, RedisChannelLayer):
        return
    timeout = layer.brpop_timeout + 5
    hosts = [dict(host) for host in layer.hosts]  # not the dicts of settings.CHANNEL_LAYERS
    for host in hosts:
        address = host.get("address")
        if "socket_timeout" in host or "socket_timeout=" in str(address):
            continue
        if address is None:
            host["socket_timeout"] = timeout
        else:  # in the URL: channels_redis 4.0 passes an address host nothing else
            host["address"] = f"{address}{'&' if '?' in address else '?'}socket_timeout={timeout}"
    layer.hosts = hosts


def group_name() -> str:
    """The layer group that every server process listens to for rings."""
    return _GROUP_UNSAFE.sub("_", f"{realtime_settings.GROUP_PREFIX}.log")[:99]


def build_message() -> dict[str, Any]:
    return {"type": MESSAGE_TYPE}


def is_ring(message: dict[str, Any]) -> bool:
    return isinstance(message, dict) and message.get("type") == MESSAGE_TYPE


def new_layer() -> Any:
    """A layer instance of its own (for a loop that the server's layer must not be bound
    to: channels_redis keeps connection pools per loop, and closes them from one)."""
    from channels.layers import channel_layers

    get_layer()  # the same clear error when there is none
    return channel_layers.make_backend(realtime_settings.CHANNEL_LAYER)


async def ring(layer: Any = None) -> None:
    await (layer or get_layer()).group_send(group_name(), build_message())
