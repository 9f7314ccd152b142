"""Client frames: parsed, checked field by field, and refused with the protocol's codes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

MAX_ID_LENGTH = 64
MAX_AUTHORIZATION_LENGTH = 4096
MAX_CURSOR_LENGTH = 128


class ProtocolError(Exception):
    """A frame that cannot be served; answered with an ``error`` frame."""

    def __init__(self, code: str, detail: str, id: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.id = id


@dataclass(frozen=True)
class Auth:
    authorization: str


@dataclass(frozen=True)
class Subscribe:
    id: str
    path: str
    since: str | None = None
    snapshot: bool = False


@dataclass(frozen=True)
class Unsubscribe:
    id: str


@dataclass(frozen=True)
class Ping:
    data: Any = None
    has_data: bool = False


Frame = Auth | Subscribe | Unsubscribe | Ping


def parse(text: str) -> Frame:
    """The frame in ``text``, or ProtocolError saying what is wrong with it."""
    try:
        message = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise ProtocolError(
            "parse_error", "Frame is not valid JSON: it nests too deeply."
        ) from None
    except ValueError as exc:
        raise ProtocolError("parse_error", f"Frame is not valid JSON: {exc}.") from None
    if "\\u" in text and not _is_text(message):  # only an escape can make a lone surrogate
        raise ProtocolError(
            "parse_error",
            "Frame is not valid JSON text: it escapes a lone surrogate (\\ud800-\\udfff).",
        )
    if not isinstance(message, dict):
        raise ProtocolError(
            "parse_error", f"Frame must be a JSON object, not {_json_type(message)}."
        )
    raw_id = message.get("id")
    frame_id = raw_id if isinstance(raw_id, str) else None
    try:
        return _build(message)
    except ProtocolError as exc:
        exc.id = frame_id
        raise


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large for a number here")
    return value


def _is_text(message: Any) -> bool:
    """Whether every string in ``message`` can be written as UTF-8 (echoed back, say)."""
    try:
        json.dumps(message, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _build(message: dict[str, Any]) -> Frame:
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(
            "invalid_message",
            f'Frame needs a string "type" (auth, subscribe, unsubscribe or ping); '
            f"got {_json_type(kind)}.",
        )
    if kind == "subscribe":
        since = _field(message, "since", str, required=False)
        if since is not None and len(since) > MAX_CURSOR_LENGTH:
            raise ProtocolError("invalid_message", '"since" is not a cursor this server issued.')
        snapshot = _field(message, "snapshot", bool, required=False)
        return Subscribe(_id(message), _field(message, "path", str), since, bool(snapshot))
    if kind == "unsubscribe":
        return Unsubscribe(_id(message))
    if kind == "ping":
        return Ping(message.get("data"), "data" in message)
    if kind == "auth":
        authorization = _field(message, "authorization", str)
        if len(authorization) > MAX_AUTHORIZATION_LENGTH:
            raise ProtocolError(
                "invalid_message",
                f'"authorization" is longer than {MAX_AUTHORIZATION_LENGTH} characters.',
            )
        try:
            authorization.encode("latin-1")  # what an HTTP header can carry
        except UnicodeEncodeError:
            raise ProtocolError(
                "invalid_message",
                '"authorization" must be an HTTP header value: Latin-1 characters only.',
            ) from None
        return Auth(authorization)
    raise ProtocolError(
        "invalid_message",
        f"Unknown frame type {kind[:40]!r}; expected auth, subscribe, unsubscribe or ping.",
    )


def _id(message: dict[str, Any]) -> str:
    value: str = _field(message, "id", str)
    if not 1 <= len(value) <= MAX_ID_LENGTH:
        raise ProtocolError(
            "invalid_message",
            f'"id" must be 1 to {MAX_ID_LENGTH} characters long; got {len(value)}.',
        )
    return value


def _field(message: dict[str, Any], name: str, kind: type, required: bool = True) -> Any:
    if name not in message or (not required and message[name] is None):
        if required:
            raise ProtocolError(
                "invalid_message", f'{message["type"]!r} frame needs the field "{name}".'
            )
        return None
    value = message[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ProtocolError(
            "invalid_message",
            f'"{name}" must be a {_JSON_NAMES[kind]}, not {_json_type(value)}.',
        )
    return value


_JSON_NAMES = {str: "string", bool: "boolean", int: "number", dict: "object", list: "array"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
