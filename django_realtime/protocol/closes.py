"""The close codes the endpoint sends (docs/protocol.md#close-codes), and handshake refusals.

An application may only send 1000 and 3000-4999: daphne (so ``manage.py runserver``) does
not send any other code, and leaves the socket open instead. The codes here mirror HTTP
statuses where one fits. A handshake is accepted before it is closed, so that the client
sees the code (a refusal before ``websocket.accept`` is an HTTP 403 on every server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..transport.connection import SLOW_CLIENT_CLOSE_CODE

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

RESUME = SLOW_CLIENT_CLOSE_CODE  # 4008: reconnect and resume with since
NOT_FOUND = 4404  # the path is not a websocket route
TOO_LARGE = 4413  # a frame over MAX_FRAME_BYTES
TOO_MANY = 4429  # frames past the rate limit, or connections past MAX_CONNECTIONS_PER_CLIENT
SERVER_ERROR = 4500  # the server is misconfigured; its log says how


async def refuse(send: Send, code: int, reason: str) -> None:
    """Accept the handshake (its ``websocket.connect`` already received), then close it with
    ``code``: a refusal the client can tell apart from a bad Origin."""
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code, "reason": reason[:120]})
