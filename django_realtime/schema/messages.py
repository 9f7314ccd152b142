"""The protocol's frames as JSON Schemas (docs/protocol.md), for the AsyncAPI document.

``data`` of events and snapshots is left open here; each route's channel narrows it to
the view's serializer (see :mod:`.document`).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]
TOKEN = "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"

ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "description": "The client's name for the subscription.",
}
CURSOR = {
    "type": "string",
    "description": "A position in the change log (opaque), to resume from with since.",
    "examples": ["3f9a1c2e-42"],
}
ORDERING = {
    "type": "array",
    "items": {"type": "string"},
    "description": "The list's order: field names, '-' descending; [] if the database decides.",
}
UNSUBSCRIBED_REASONS = [
    "client",
    "deleted",
    "forbidden",
    "not_found",
    "not_authenticated",
    "access_changed",
    "server_error",
]
ERROR_CODES = [
    "parse_error", "invalid_message", "duplicate_id", "unknown_subscription", "not_found",
    "not_realtime", "not_authenticated", "permission_denied", "throttled", "bad_request",
    "too_many_subscriptions", "list_too_large", "frame_too_large", "connection_expired",
    "server_error",
]  # fmt: skip


def frame(kind: str, required: list[str], description: str, **properties: Schema) -> Schema:
    return {
        "type": "object",
        "description": description,
        "required": ["type", *required],
        "properties": {"type": {"const": kind}, **properties},
    }


# Client to server.
CLIENT: dict[str, Schema] = {
    "auth": frame(
        "auth", ["authorization"],
        "Credentials: use this value as the Authorization header from now on.",
        authorization={"type": "string", "maxLength": 4096, "examples": [TOKEN]},
    ),
    "subscribe": frame(
        "subscribe", ["id", "path"], "Open a subscription: a GET of path that stays open.",
        id=ID,
        path={"type": "string", "pattern": "^/", "description": "A path, with its query string."},
        since=CURSOR,
        snapshot={"type": "boolean", "description": "Send the body of the GET in subscribed."},
    ),
    "unsubscribe": frame("unsubscribe", ["id"], "Close a subscription.", id=ID),
    "ping": frame("ping", [], "Answered by pong with the same data.", data={}),
}  # fmt: skip


# Server to client: the frames that belong to one subscription take a route's data schema.
def subscribed(data: Schema) -> Schema:
    return frame(
        "subscribed", ["id", "path", "cursor"],
        "The subscription is live from cursor; with snapshot: true, data is the body of the GET.",
        id=ID, path={"type": "string"}, cursor=CURSOR, ordering=ORDERING, data=data,
    )  # fmt: skip


def event(item: Schema) -> Schema:
    return frame(
        "event", ["id", "event", "path", "pk", "data", "cursor"],
        "One change: an idempotent upsert (created, updated) or delete keyed by pk.",
        id=ID,
        event={"enum": ["created", "updated", "deleted"]},
        path={"type": ["string", "null"], "description": "The object's detail path."},
        pk={"type": ["integer", "string"]},
        data={"anyOf": [item, {"type": "null"}], "description": "null for deleted."},
        cursor=CURSOR,
    )  # fmt: skip


def reset(data: Schema) -> Schema:
    return frame(
        "reset", ["id", "reason", "cursor", "data"],
        "The missed events cannot be told exactly: replace what you have with data.",
        id=ID, reason={"enum": ["unknown_cursor", "history_expired", "cannot_replay"]},
        cursor=CURSOR, ordering=ORDERING, data=data,
    )  # fmt: skip


SERVER: dict[str, Schema] = {
    "unsubscribed": frame(
        "unsubscribed", ["id", "reason"], "The subscription has ended.",
        id=ID, reason={"enum": UNSUBSCRIBED_REASONS},
    ),
    "authReply": frame(
        "auth", ["ok"], "The credentials of an auth frame were accepted.",
        ok={"const": True}, user={"type": "string"},
    ),
    "pong": frame("pong", [], "The reply to ping.", data={}),
    "error": frame(
        "error", ["id", "code", "detail"],
        "A frame could not be served; the connection stays open unless the code says otherwise.",
        id={"type": ["string", "null"]}, code={"enum": ERROR_CODES}, detail={"type": "string"},
        status={"type": "integer"},
    ),
}  # fmt: skip
