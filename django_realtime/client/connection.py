"""The connection: one websocket, many subscriptions, reconnect and resume.

The same behaviour as the JS client (realtime.js); docs/clients.md describes both.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import websockets

from .live import Frame, LiveList, LiveObject, OnChange

logger = logging.getLogger("django_realtime.client")

Credentials = str | None
AuthProvider = Credentials | Callable[[], Credentials | Awaitable[Credentials]]

RESUME = 4008
FATAL = {
    1009: "the client sent a frame over the server's size limit",
    4404: "the websocket path is not the realtime endpoint",
    4413: "the client sent a frame over the server's size limit",
    4500: "the server is misconfigured; its log says what to fix",
}
RETRY_CODES = {"throttled", "server_error"}
AUTH_REFUSALS = {"not_authenticated", "invalid_message"}
HANDSHAKE_TIMEOUT = 15.0


class RealtimeError(Exception):
    """An error the server sent, or a close that ends the client."""

    def __init__(self, code: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.status = code, detail, status


def backoff(attempt: float, initial: float, maximum: float) -> float:
    """Jittered exponential backoff: clients that lost one server do not return at once."""
    cap = min(maximum, initial * 2**attempt)
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
        self._refreshed = False
        self._attempt = 0

    def unsubscribe(self) -> None:
        """End it: the server is told, and nothing more arrives."""
        if self.ended:
            return
        if self._live:
            self.client._send({"type": "unsubscribe", "id": self.id})
        self._end("client", None)

    def _call(self, name: str, *args: Any) -> None:
        handler = self.handlers.get(name)
        if handler is not None:
            handler(*args)

    def _end(self, reason: str, error: Exception | None) -> None:
        if self.ended:
            return
        self.ended = reason
        self.client._subs.pop(self.id, None)
        self._call("on_end", reason, error)

    def _retry(self, fresh: bool) -> None:
        self._live = False
        if fresh:
            self.cursor = None
        delay = 0 if fresh else backoff(self._attempt, *self.client.backoff)
        self._attempt += 1
        asyncio.get_running_loop().call_later(delay, self.client._subscribe, self)

    def _frame(self, frame: Frame) -> None:
        kind = frame["type"]
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
            elif code != "duplicate_id":
                self._end(code, RealtimeError(code, frame["detail"], frame.get("status")))


class Client:
    """``async with Client("wss://example.com/ws/", auth=...) as client:``; see
    docs/clients.md. States: connecting, open, reconnecting, failed, stopped."""

    def __init__(
        self,
        url: str,
        *,
        auth: AuthProvider = None,
        backoff: tuple[float, float] = (0.5, 30.0),
        heartbeat: float = 20.0,
        on_state: Callable[[str, Exception | None], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_close: Callable[[int, str], None] | None = None,
    ) -> None:
        self.url, self.auth, self.backoff, self.heartbeat = url, auth, backoff, heartbeat
        self.on_state, self.on_error, self.on_close = on_state, on_error, on_close
        self.state = "connecting"
        self.error: RealtimeError | None = None
        self.user: str | None = None
        self._subs: dict[str, Subscription] = {}
        self._serial = itertools.count(1)
        self._attempt = 0
        self._socket: Any = None
        self._seen = 0.0
        self._auth_reply: asyncio.Future[bool] | None = None
        self._auth_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Client:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        """Close for good: no reconnect, every subscription ends."""
        if self.state == "stopped":
            return
        for sub in list(self._subs.values()):
            sub._end("client", None)
        self._set_state("stopped")
        if self._socket is not None:
            await self._socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def subscribe(self, path: str, **handlers: Any) -> Subscription:
        """``subscribe(path, snapshot=, since=, on_subscribed=, on_event=, on_reset=,
        on_end=)``: handlers take the frame (``on_end``: reason, error)."""
        sub = Subscription(self, f"s{next(self._serial)}", path, **handlers)
        self._subs[sub.id] = sub
        if self.state == "open":
            self._subscribe(sub)
        return sub

    def live_list(
        self, path: str, on_change: OnChange | None = None, key: str | Callable[..., Any] = "id"
    ) -> LiveList:
        """A list kept equal to the GET of ``path``, in the view's ordering."""
        return LiveList(self, path, on_change, key)

    def live_object(self, path: str, on_change: OnChange | None = None) -> LiveObject:
        """One object kept equal to the GET of its detail ``path`` (None once deleted)."""
        return LiveObject(self, path, on_change)

    async def set_auth(self, provider: AuthProvider) -> bool:
        """Replace the credentials provider and send its value now; True if accepted."""
        self.auth = provider
        return await self._authenticate(self._socket) if self.state == "open" else True

    def drop(self) -> None:
        """Cut the socket as a network failure would: the client reconnects and resumes."""
        if self._socket is not None:
            self._socket.transport.abort()

    async def wait_for(self, state: str, timeout: float = 10) -> None:
        """Return once the client is in ``state``."""

        async def poll() -> None:
            while self.state != state:  # noqa: ASYNC110
                await asyncio.sleep(0.02)

        await asyncio.wait_for(poll(), timeout)

    # -- the socket ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while self.state != "stopped":
            self._set_state("connecting")
            code, reason = 1006, ""
            try:
                socket = await websockets.connect(
                    self.url, open_timeout=HANDSHAKE_TIMEOUT, ping_interval=None, max_size=None
                )
            except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as exc:
                reason = str(exc)
            else:
                code, reason = await self._serve(socket)
            self._socket = None
            if self._auth_reply is not None and not self._auth_reply.done():
                self._auth_reply.set_result(False)
            for sub in self._subs.values():
                sub._live = False
            if self.state == "stopped":
                return
            if self.on_close is not None:
                self.on_close(code, reason)
            if code in FATAL:
                self.error = RealtimeError("closed", f"{code}: {FATAL[code]} ({reason})")
                self._emit_error(self.error)
                for sub in list(self._subs.values()):
                    sub._end("closed", self.error)
                self._set_state("failed", self.error)
                return
            if code == RESUME:
                delay = random.random()
            elif code == 4429:
                delay = backoff(float("inf"), *self.backoff)
            else:
                delay = backoff(self._attempt, *self.backoff)
                self._attempt += 1
            self._set_state("reconnecting")
            await asyncio.sleep(delay)

    async def _serve(self, socket: Any) -> tuple[int, str]:
        self._socket = socket
        self._seen = time.monotonic()
        reader = self._reader = asyncio.create_task(self._read(socket))
        beat = asyncio.create_task(self._beat(socket))
        try:
            self._send({"type": "ping"})
            ok = self.auth is None or await self._authenticate(socket)
            if socket is self._socket and not reader.done():
                self._set_state("open")
                for sub in list(self._subs.values()):
                    if ok:
                        self._subscribe(sub)
                    else:
                        sub._end("not_authenticated", refused())
            await reader
        finally:
            beat.cancel()
            reader.cancel()
        return socket.close_code or 1006, socket.close_reason or ""

    async def _read(self, socket: Any) -> None:
        try:
            async for message in socket:
                self._seen = time.monotonic()
                try:
                    frame = json.loads(message)
                except ValueError:
                    continue
                self._receive(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            self._authed(False)  # an auth frame in flight has no answer coming

    async def _beat(self, socket: Any) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            if time.monotonic() - self._seen > self.heartbeat * 1.5 + 10:
                socket.transport.abort()  # a dead link
                return
            self._send({"type": "ping"})

    def _send(self, frame: Frame) -> None:
        socket = self._socket
        if socket is not None:
            task = asyncio.ensure_future(socket.send(json.dumps(frame)))
            task.add_done_callback(_quiet)

    def _set_state(self, state: str, error: Exception | None = None) -> None:
        if self.state != state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state, error)

    def _emit_error(self, error: Exception) -> None:
        logger.warning("realtime client: %s", error)
        if self.on_error is not None:
            self.on_error(error)

    # -- credentials -------------------------------------------------------------------------

    async def _authenticate(self, socket: Any) -> bool:
        """Ask the provider for credentials and send them; True once the server took them
        (or there are none to send)."""
        async with self._auth_lock:
            try:
                value = self.auth() if callable(self.auth) else self.auth
                if isinstance(value, Awaitable):
                    value = await value
            except Exception as exc:
                self._emit_error(exc)
                value = None
            if socket is not self._socket or self._reader is None or self._reader.done():
                return False  # the socket closed while the provider ran
            if not value:
                return True
            self._auth_reply = asyncio.get_running_loop().create_future()
            self._send({"type": "auth", "authorization": value})
            return await self._auth_reply

    def _refresh(self, sub: Subscription) -> None:
        """A subscription refused for its credentials waits for one refresh of them."""
        socket = self._socket
        if socket is None:
            return  # it subscribes again, with fresh credentials, on reconnect

        async def refresh() -> None:
            if sub._refreshed or not await self._authenticate(socket):
                return sub._end("not_authenticated", refused())
            sub._refreshed = True
            if socket is self._socket:
                self._subscribe(sub)

        asyncio.ensure_future(refresh()).add_done_callback(_quiet)

    # -- frames -----------------------------------------------------------------------------

    def _subscribe(self, sub: Subscription) -> None:
        if sub._live or sub.id not in self._subs or self.state != "open":
            return
        sub._live = True
        frame: Frame = {"type": "subscribe", "id": sub.id, "path": sub.path}
        if sub.cursor:
            frame["since"] = sub.cursor
        elif sub.snapshot:
            frame["snapshot"] = True
        self._send(frame)

    def _receive(self, frame: Any) -> None:
        if not isinstance(frame, dict):
            return
        kind = frame.get("type")
        if kind in ("pong", "subscribed"):
            self._attempt = 0
        if kind == "auth":
            self.user = frame.get("user")
            return self._authed(True)
        if kind == "error" and frame.get("id") is None:
            error = RealtimeError(frame["code"], frame["detail"], frame.get("status"))
            self._emit_error(error)
            if frame["code"] in AUTH_REFUSALS:
                self._authed(False)
            return
        sub = self._subs.get(frame.get("id"))  # type: ignore[arg-type]
        if sub is not None:
            sub._frame(frame)

    def _authed(self, ok: bool) -> None:
        reply, self._auth_reply = self._auth_reply, None
        if reply is not None and not reply.done():
            reply.set_result(ok)


def _quiet(task: asyncio.Future[Any]) -> None:
    """Sends to a socket that has just closed fail; the reconnect covers them."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("realtime client: %s", task.exception())


def connect(url: str, **options: Any) -> Client:
    """A started :class:`Client` (call inside a running event loop)."""
    client = Client(url, **options)
    client.start()
    return client
