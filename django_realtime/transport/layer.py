"""Change notifications on the channel layer: one group per model, one message per batch.

A notification says *which* object changed, never *what* it looks like: every process
reads the committed row itself and renders it for each of its audiences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured

from ..conf import realtime_settings

MESSAGE_TYPE = "realtime.changes"

# A change as it travels: (model label, pk as text, kind).
Change = tuple[str, str, str]

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
            "channels_redis (pip install 'django-realtime[redis]')."
        )
    return layer


def group_name(label: str) -> str:
    """The layer group that carries the changes of the model ``label`` ("app.model")."""
    return _GROUP_UNSAFE.sub("_", f"{realtime_settings.GROUP_PREFIX}.{label}")[:99]


def build_message(label: str, changes: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {"type": MESSAGE_TYPE, "model": label, "changes": [list(c) for c in changes]}


def read_message(message: dict[str, Any]) -> list[Change]:
    """The changes in a layer message; anything malformed is an error with the message in it."""
    try:
        if message["type"] != MESSAGE_TYPE:
            raise ValueError(f"type is {message['type']!r}")
        label = message["model"]
        return [(str(label), str(pk), str(kind)) for pk, kind in message["changes"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"Malformed realtime layer message {message!r}: {exc}") from exc


async def publish(label: str, changes: Iterable[tuple[str, str]]) -> None:
    await get_layer().group_send(group_name(label), build_message(label, list(changes)))
