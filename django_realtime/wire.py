"""Encoding of server frames (PROTOCOL.md): compact JSON text, built once and shared.

An event frame is the subscription's ``prefix`` (``{"type":"event","id":...``) followed by
an audience's ``tail``; the tail is encoded once for every subscriber of the audience.
"""

from __future__ import annotations

import json
from typing import Any

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    return _encoder.encode(value)


def frame(type: str, **fields: Any) -> str:
    return dumps({"type": type, **fields})


def error(id: str | None, code: str, detail: str, status: int | None = None) -> str:
    if status is None:
        return frame("error", id=id, code=code, detail=detail)
    return frame("error", id=id, code=code, detail=detail, status=status)


def event_prefix(subscription_id: str) -> str:
    return '{"type":"event","id":' + dumps(subscription_id)


def event_tail(event: str, path: str | None, pk: Any, data: str | None, cursor: str) -> str:
    """The rest of an event frame; ``data`` is already-rendered JSON (or None)."""
    return (
        f',"event":"{event}","path":{dumps(path)},"pk":{dumps(pk)},'
        f'"data":{"null" if data is None else data},"cursor":{dumps(cursor)}}}'
    )


def json_pk(pk: Any) -> Any:
    """A primary key as JSON shows it: numbers stay numbers, anything else becomes text."""
    return pk if isinstance(pk, (int, str)) and not isinstance(pk, bool) else str(pk)
