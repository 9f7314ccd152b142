"""One subscription of the asyncio client, and what it does with its frames."""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING, Any

from .live import Frame

if TYPE_CHECKING:
    from .connection import Client

RETRY_CODES = {"throttled", "server_error"}


class RealtimeError(Exception):
    """An error the server sent, or a close that ends the client."""

    def __init__(self, code: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.status = code, detail, status


def backoff(attempt: float, initial: float, maximum: float) -> float:
    """Jittered exponential backoff: clients that lost one server do not return at once."""
    cap = min(maximum, initial * 2 ** min(attempt, 30))
    return cap / 2 + random.random() * cap / 2


def refused() -> RealtimeError:
    return RealtimeError("not_authenticated", "The credentials were refused.")


class Subscription:
    """One subscription; it resumes on its own after a reconnect."""

    def __init__(self, client: Client, id: str, path: str, **handlers: Any) -> None:
        self.client, self.id, self.path = client, id, path
        self.snapshot: bool = handlers.pop("snapshot", False)
        self.cursor: str | None = handlers.pop("since", None)
        self.handlers = handlers
        self.ordering: list[str] = []
        self.ended: str | None = None
        self._live = False
        self._pending = False  # a subscribe sent, not answered yet
        self._refreshed = False
        self._attempt = 0

    def unsubscribe(self) -> None:
        """End it: the server is told, and nothing more arrives."""
        if self.ended:
            return
        if self._live:
            self.client._paced({"type": "unsubscribe", "id": self.id})
        self._end("client", None)

    def _call(self, name: str, *args: Any) -> None:
        self.client._callback(self.handlers.get(name), *args)

    def _end(self, reason: str, error: Exception | None) -> None:
        if self.ended:
            return
        self.ended = reason
        self.client._subs.pop(self.id, None)
        self._call("on_end", reason, error)

    def _retry(self, fresh: bool) -> None:
        self._live = self._pending = False
        if fresh:
            self.cursor = None
        delay = 0 if fresh else backoff(self._attempt, *self.client.backoff)
        self._attempt += 1
        asyncio.get_running_loop().call_later(delay, self.client._subscribe, self)

    def _frame(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "error" and frame["code"] == "duplicate_id":
            return  # live already
        if kind != "event":
            self._pending = False
        if kind in ("subscribed", "event", "reset"):
            self.cursor = frame["cursor"]
            self.ordering = frame.get("ordering", self.ordering)
        if kind == "subscribed":
            self._refreshed, self._attempt = False, 0
            self._call("on_subscribed", frame)
        elif kind == "event":
            self._call("on_event", frame)
        elif kind == "reset":
            self._call("on_reset", frame)
        elif kind == "unsubscribed" and frame["reason"] != "client":
            self._live = False
            reason = frame["reason"]
            if reason == "not_authenticated":
                self.client._refresh(self)
            elif reason in ("access_changed", "server_error"):
                self._retry(fresh=reason == "access_changed")
            else:
                ended = RealtimeError(reason, f"The subscription to {self.path} ended.")
                self._end(reason, None if reason == "deleted" else ended)
        elif kind == "error":
            self._live = False
            code = frame["code"]
            if code == "not_authenticated":
                self.client._refresh(self)
            elif code in RETRY_CODES:
                self._retry(fresh=False)
            else:
                self._end(code, RealtimeError(code, frame["detail"], frame.get("status")))
