"""The connection: one websocket, many subscriptions, reconnect and resume.

The same behaviour as the JS client (realtime.js); docs/clients.md describes both.
"""

from __future__ import annotations

import asyncio
import collections
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
from .subscription import RealtimeError, Subscription, backoff, refused

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
AUTH_REFUSALS = {"not_authenticated", "invalid_message"}
HANDSHAKE_TIMEOUT = 15.0


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
        pace: tuple[float, int] = (15.0, 40),
        on_state: Callable[[str, Exception | None], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_close: Callable[[int, str], None] | None = None,
    ) -> None:
        self.url, self.auth, self.backoff, self.heartbeat = url, auth, backoff, heartbeat
        # Subscribes and unsubscribes a second, and at once: under the server's RECEIVE_RATE
        # and RECEIVE_BURST (20, 60), so that many subscriptions resume unrefused.
        self.pace = pace
        self._queue: collections.deque[Frame] = collections.deque()
        self._tokens, self._filled = 0.0, 0.0
        self._draining: asyncio.TimerHandle | None = None
        self.on_state, self.on_error, self.on_close = on_state, on_error, on_close
        self.state = "connecting"
        self.error: RealtimeError | None = None
        self.user: str | None = None
        self._subs: dict[str, Subscription] = {}
        self._serial = itertools.count(1)
        self._attempt = 0
        self._socket: Any = None
        self._seen = 0.0
        self._auth_replies: collections.deque[asyncio.Future[bool | None]] = collections.deque()
        self._auth_task: tuple[Any, int, asyncio.Task[bool | None]] | None = None
        self._auth_generation = 0
        self._immediate = False
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
        self._auth_generation += 1
        if self.state != "open":
            return True  # sent on (re)connect
        return bool(await self._authenticate(self._socket))

    def drop(self) -> None:
        """Cut the socket as a network failure would: the client reconnects and resumes."""
        if self._socket is not None:
            self._attempt, self._immediate = 0, True
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
            self._queue.clear()  # resubscribed on the next connection
            while self._auth_replies:
                self._authed(None)
            for sub in self._subs.values():
                sub._live = sub._pending = False
            if self.state == "stopped":
                return
            self._callback(self.on_close, code, reason)
            if code in FATAL:
                self.error = RealtimeError("closed", f"{code}: {FATAL[code]} ({reason})")
                self._emit_error(self.error)
                for sub in list(self._subs.values()):
                    sub._end("closed", self.error)
                self._set_state("failed", self.error)
                return
            if self._immediate:
                delay, self._immediate = 0.0, False
            elif code == RESUME:
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
        self._seen = self._filled = time.monotonic()
        self._tokens = self.pace[1]  # a new connection: the server's bucket is full
        reader = self._reader = asyncio.create_task(self._read(socket))
        beat = asyncio.create_task(self._beat(socket))
        try:
            self._send({"type": "ping"})
            while True:
                generation = self._auth_generation  # set_auth() meanwhile: its provider wins
                ok = self.auth is None or await self._authenticate(socket)
                if socket is not self._socket or generation == self._auth_generation:
                    break
            if ok is not None and socket is self._socket and not reader.done():
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
            while self._auth_replies:  # auth frames in flight have no answer coming
                self._authed(None)

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

    def _paced(self, frame: Frame) -> None:
        """Send at the pace: frames beyond it wait their turn, in order."""
        self._queue.append(frame)
        if self._draining is None:
            self._drain()

    def _drain(self) -> None:
        rate, burst = self.pace
        now = time.monotonic()
        self._tokens = min(burst, self._tokens + (now - self._filled) * rate)
        self._filled = now
        while self._queue and self._tokens >= 1:
            self._tokens -= 1
            self._send(self._queue.popleft())
        self._draining = None
        if self._queue:
            self._draining = asyncio.get_running_loop().call_later(1 / rate, self._drain)

    def _set_state(self, state: str, error: Exception | None = None) -> None:
        if self.state != state:
            self.state = state
            self._callback(self.on_state, state, error)

    def _emit_error(self, error: Exception) -> None:
        logger.warning("realtime client: %s", error)
        self._callback(self.on_error, error)

    def _callback(self, callback: Callable[..., Any] | None, *args: Any) -> None:
        """Run a callback of the user's: what it raises is logged, and the client goes on."""
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            logger.exception("realtime client: a callback (%r) raised", callback)

    # -- credentials -------------------------------------------------------------------------

    def _authenticate(self, socket: Any) -> asyncio.Task[bool | None]:
        """Ask the provider for credentials and send them: True once the server took them
        (or there are none), False if it refused them, None if the socket went (or the
        provider failed, and the socket is dropped to try again on a new one).
        One request to the provider per socket at a time; set_auth() starts a new one."""
        queued = self._auth_task
        if queued and queued[:2] == (socket, self._auth_generation) and not queued[2].done():
            return queued[2]
        task = asyncio.ensure_future(self._ask(socket))
        self._auth_task = (socket, self._auth_generation, task)
        return task

    async def _ask(self, socket: Any) -> bool | None:
        try:
            value = self.auth() if callable(self.auth) else self.auth
            if isinstance(value, Awaitable):
                value = await value
        except Exception as exc:
            # Its token endpoint is down, say: try again later, never go on without them.
            self._emit_error(exc)
            if socket is self._socket:
                socket.transport.abort()
            return None
        if socket is not self._socket or self._reader is None or self._reader.done():
            return None  # the socket closed while the provider ran
        if not value:
            return True  # no credentials: anonymous
        reply: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self._auth_replies.append(reply)
        self._send({"type": "auth", "authorization": value})
        return await reply

    def _refresh(self, sub: Subscription) -> None:
        """A subscription refused for its credentials waits for one refresh of them."""
        socket = self._socket
        if socket is None:
            return  # it subscribes again, with fresh credentials, on reconnect

        async def refresh() -> None:
            ok = not sub._refreshed and await self._authenticate(socket)
            if ok is None or socket is not self._socket:
                return  # the reconnect resubscribes it
            if not ok:
                return sub._end("not_authenticated", refused())
            sub._refreshed = True
            self._subscribe(sub)

        asyncio.ensure_future(refresh()).add_done_callback(_quiet)

    # -- frames -----------------------------------------------------------------------------

    def _subscribe(self, sub: Subscription) -> None:
        if sub._live or sub.id not in self._subs or self.state != "open":
            return
        sub._live = sub._pending = True
        frame: Frame = {"type": "subscribe", "id": sub.id, "path": sub.path}
        if sub.cursor:
            frame["since"] = sub.cursor
        elif sub.snapshot:
            frame["snapshot"] = True
        self._paced(frame)

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
            return self._connection_error(frame)
        sub = self._subs.get(frame.get("id"))  # type: ignore[arg-type]
        if sub is not None:
            sub._frame(frame)

    def _authed(self, ok: bool | None) -> None:
        if self._auth_replies:
            reply = self._auth_replies.popleft()
            if not reply.done():
                reply.set_result(ok)

    def _connection_error(self, frame: Frame) -> None:
        """An error that names no subscription: about an auth frame, or a frame refused
        before it was read (throttled), or the connection itself."""
        code = frame["code"]
        self._emit_error(RealtimeError(code, frame["detail"], frame.get("status")))
        waiting = bool(self._auth_replies)
        if waiting and code in AUTH_REFUSALS:
            self._authed(False)
        elif waiting and code != "connection_expired":
            # The auth frame may be the one that failed (a server error, a throttled
            # frame): start again on a new connection rather than wait forever.
            self._socket.transport.abort()
        elif code == "throttled":
            # Frames refused unread: subscribes not yet answered are sent again, spread out.
            for sub in list(self._subs.values()):
                if sub._pending:
                    sub._retry(fresh=False)


def _quiet(task: asyncio.Future[Any]) -> None:
    """Sends to a socket that has just closed fail; the reconnect covers them."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("realtime client: %s", task.exception())


def connect(url: str, **options: Any) -> Client:
    """A started :class:`Client` (call inside a running event loop)."""
    client = Client(url, **options)
    client.start()
    return client
