"""The realtime endpoint: one websocket, many subscriptions (PROTOCOL.md).

``RealtimeConsumer.as_asgi()`` is an ASGI application for the websocket scope; put it
behind ``AuthMiddlewareStack`` so that the session user comes with the handshake (see
:func:`django_realtime.asgi.get_asgi_application`, which does all of that).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .. import wire
from ..buckets import TokenBucket
from ..conf import realtime_settings
from ..stats import counters
from ..subscriptions.engine import Engine, get_engine
from ..subscriptions.errors import SubscriptionError
from ..subscriptions.fanout import Subscription
from ..subscriptions.requests import Credentials
from ..subscriptions.target import resolve_target
from ..transport.connection import Connection, frame_sender
from . import clients, closes
from .clients import client_address
from .frames import Auth, Frame, Ping, ProtocolError, Subscribe, Unsubscribe, parse

logger = logging.getLogger("django_realtime")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_warned_frame_size = False  # the server's own message size limit is larger than ours


class RealtimeConsumer:
    """One instance per connection. Override :meth:`connect` to refuse handshakes."""

    scope: Scope
    engine: Engine
    conn: Connection

    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.credentials: Credentials
        self.closing = False
        self._frames = TokenBucket(realtime_settings.RECEIVE_BURST)
        self._refused = 0
        # New audiences this connection may make (work and memory that outlive it).
        self.audiences = TokenBucket(realtime_settings.AUDIENCE_BURST)
        self._expiry: asyncio.TimerHandle | None = None
        self._client: str | None = None

    @classmethod
    def as_asgi(cls, **initkwargs: Any) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await cls(**initkwargs)(scope, receive, send)

        app.consumer_class = cls  # type: ignore[attr-defined]
        functools.update_wrapper(app, cls, updated=())
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            raise ValueError(
                f"RealtimeConsumer serves websockets; got an ASGI {scope['type']!r} scope."
            )
        self.scope = scope
        self.credentials = Credentials(scope)
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        if not await self._accept(send):
            return
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.receive":
                    await self._receive(message.get("text"), message.get("bytes"))
                elif message["type"] == "websocket.disconnect":
                    break
        finally:
            await self._disconnected()

    async def connect(self) -> bool:
        """Return False to refuse the handshake (after the Origin and session checks)."""
        return True

    async def disconnect(self) -> None:
        """Called once the socket has gone; subscriptions are already released."""

    # -- connection lifecycle ---------------------------------------------------------------

    async def _accept(self, send: Send) -> bool:
        try:
            self.engine = get_engine()
        except ImproperlyConfigured:
            logger.exception("The realtime endpoint cannot start")
            reason = "The server is misconfigured; its log says how."
            await closes.refuse(send, closes.SERVER_ERROR, reason)
            return False
        if not await self.connect():
            await send({"type": "websocket.close"})
            return False
        self._client = client_address(self.scope)
        if not clients.enter(self._client):
            logger.warning(
                "Refused a websocket from %s: it has REALTIME['MAX_CONNECTIONS_PER_CLIENT'] "
                "(%d) open already",
                self._client,
                realtime_settings.MAX_CONNECTIONS_PER_CLIENT,
            )
            self._client = None
            reason = "Too many connections from this client; close some first."
            await closes.refuse(send, closes.TOO_MANY, reason)
            return False
        await send({"type": "websocket.accept"})
        self.conn = Connection(
            frame_sender(send), realtime_settings.MAX_BUFFERED_BYTES, on_lost=self._lost
        )
        age = realtime_settings.MAX_CONNECTION_AGE
        if age > 0:
            self._expiry = asyncio.get_running_loop().call_later(age, self._expire)
        counters.connections += 1
        counters.connections_total += 1
        return True

    async def _disconnected(self) -> None:
        counters.connections -= 1
        clients.leave(self._client)
        if self._expiry is not None:
            self._expiry.cancel()
        self._lost()
        await self.disconnect()

    def _lost(self) -> None:
        """Nothing more reaches the client (it went away, or a write to it failed): its
        subscriptions end, and the frames it still sends are ignored."""
        self.closing = True
        subscriptions = list(self.subscriptions.values())
        self.subscriptions.clear()
        for sub in subscriptions:
            self.engine.unsubscribe(sub)
        self.conn.abandon()

    # -- frames -----------------------------------------------------------------------------

    async def _receive(self, text: str | None, data: bytes | None) -> None:
        if self.closing:
            return
        if not self._allow():
            return
        if text is None:
            size = len(data or b"")
            if size > realtime_settings.MAX_FRAME_BYTES:
                return self._too_big(size)
            return self.error(None, "parse_error", "Binary frames are not supported; send text.")
        size = len(text.encode())
        if size > realtime_settings.MAX_FRAME_BYTES:
            return self._too_big(size)
        try:
            frame = parse(text)
        except ProtocolError as exc:
            return self.error(exc.id, exc.code, exc.detail)
        try:
            await self.handle(frame)
        except Exception:  # a bug, here or in a view: this frame fails, the connection lives
            logger.exception("Handling a %s frame failed", type(frame).__name__)
            self.error(
                getattr(frame, "id", None),
                "server_error",
                "The server failed to handle this frame.",
            )

    async def handle(self, frame: Frame) -> None:
        if isinstance(frame, Subscribe):
            await self.subscribe(frame)
        elif isinstance(frame, Unsubscribe):
            self.unsubscribe(frame)
        elif isinstance(frame, Ping):
            self.send_frame(
                wire.frame("pong", data=frame.data) if frame.has_data else wire.frame("pong")
            )
        elif isinstance(frame, Auth):
            await self.auth(frame)

    async def subscribe(self, frame: Subscribe) -> None:
        if frame.id in self.subscriptions:
            return self.error(
                frame.id, "duplicate_id", f"Subscription {frame.id!r} is already live."
            )
        limit = realtime_settings.MAX_SUBSCRIPTIONS
        if len(self.subscriptions) >= limit:
            return self.error(
                frame.id,
                "too_many_subscriptions",
                f"This connection already has {limit} subscriptions; unsubscribe first.",
            )
        try:
            target = resolve_target(frame.path, self.credentials.script_name)
        except SubscriptionError as exc:
            return self.error(frame.id, exc.code, exc.detail, exc.status)
        sub = Subscription(frame.id, frame.path, self.conn, self.subscriptions)
        self.subscriptions[frame.id] = sub
        try:
            await self.engine.subscribe(
                sub, target, self.credentials, frame.since, frame.snapshot, self.audiences
            )
        except Exception:
            logger.exception("Subscribing to %s failed", frame.path)
            if self.subscriptions.get(frame.id) is sub:
                del self.subscriptions[frame.id]
                self.engine.unsubscribe(sub)
            self.error(frame.id, "server_error", "The server could not start this subscription.")

    def unsubscribe(self, frame: Unsubscribe) -> None:
        sub = self.subscriptions.pop(frame.id, None)
        if sub is None:
            return self.error(
                frame.id, "unknown_subscription", f"No live subscription {frame.id!r}."
            )
        self.engine.unsubscribe(sub)
        self.send_frame(wire.frame("unsubscribed", id=frame.id, reason="client"))

    async def auth(self, frame: Auth) -> None:
        credentials = Credentials(self.scope, frame.authorization)
        try:
            username = await self.engine.authenticate(credentials)
        except SubscriptionError as exc:
            return self.error(None, exc.code, exc.detail, exc.status)
        self.credentials = credentials
        # Every subscription is checked again under the new credentials (a refreshed token
        # keeps them all; credentials that fail end them).
        subscriptions = list(self.subscriptions.values())
        await asyncio.gather(*(self.engine.reauthorize(sub, credentials) for sub in subscriptions))
        if username is None:
            self.send_frame(wire.frame("auth", ok=True))
        else:
            self.send_frame(wire.frame("auth", ok=True, user=username))

    # -- output -----------------------------------------------------------------------------

    def send_frame(self, text: str) -> None:
        self.conn.push(text)

    def error(self, id: str | None, code: str, detail: str, status: int | None = None) -> None:
        self.send_frame(wire.error(id, code, detail, status))

    # -- abuse ------------------------------------------------------------------------------

    def _allow(self) -> bool:
        """Token bucket over incoming frames; a client that keeps flooding is closed."""
        rate, burst = realtime_settings.RECEIVE_RATE, realtime_settings.RECEIVE_BURST
        if self._frames.take(rate, burst):
            self._refused = 0
            return True
        self._refused += 1
        if self._refused > burst:
            self._close(closes.TOO_MANY, "throttled", "Too many frames; closing.")
        else:
            self.error(None, "throttled", f"Too many frames: at most {rate:g} a second.")
        return False

    def _expire(self) -> None:
        """MAX_CONNECTION_AGE: the client reconnects, and every credential is checked anew."""
        self._close(
            closes.RESUME,
            "connection_expired",
            "This connection reached REALTIME['MAX_CONNECTION_AGE']; reconnect and resume "
            "with since.",
        )

    def _too_big(self, size: int) -> None:
        limit = realtime_settings.MAX_FRAME_BYTES
        global _warned_frame_size
        if not _warned_frame_size:
            _warned_frame_size = True
            logger.warning(
                "The server took in a websocket message of %d bytes before the realtime "
                "endpoint could refuse it: set the server's own limit to MAX_FRAME_BYTES "
                "(uvicorn --ws-max-size %d, daphne --websocket-max-message-size) so that "
                'it refuses large messages before buffering them (see "Security" in the '
                "django-realtime documentation).",
                size,
                limit,
            )
        self._close(
            closes.TOO_LARGE, "frame_too_large", f"Frame of {size} bytes; the limit is {limit}."
        )

    def _close(self, code: int, error: str, detail: str) -> None:
        self.closing = True
        self.error(None, error, detail)
        self.conn.close(code)
