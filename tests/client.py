"""Small protocol clients: in-process (Channels' WebsocketCommunicator) and over sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from channels.testing import WebsocketCommunicator

from django_realtime.asgi import get_asgi_application

_application: Any = None


async def until(condition: Callable[[], bool], timeout: float = 5) -> None:
    """Wait until ``condition()`` holds (state kept by callbacks, not an awaitable event)."""

    async def poll() -> None:
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def application() -> Any:
    global _application
    if _application is None:
        _application = get_asgi_application()
    return _application


class ProtocolClient:
    """Send frames, and check the frames that come back."""

    async def send_raw(self, text: str | None = None, data: bytes | None = None) -> None:
        raise NotImplementedError

    async def receive_text(self, timeout: float) -> str:
        raise NotImplementedError

    async def send(self, **frame: Any) -> None:
        await self.send_raw(json.dumps(frame))

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        message = json.loads(await self.receive_text(timeout))
        assert isinstance(message, dict)
        return message

    async def expect(self, type: str, timeout: float = 5, **fields: Any) -> dict[str, Any]:
        """The next frame, which must be of ``type`` and carry ``fields``."""
        message = await self.receive(timeout)
        assert message["type"] == type, f"expected a {type!r} frame, got {message}"
        for key, value in fields.items():
            assert message.get(key) == value, f"{key}: expected {value!r} in {message}"
        return message

    async def silent(self, timeout: float = 0.3) -> None:
        """Nothing arrives within ``timeout``."""
        try:
            text = await self.receive_text(timeout)
        except (asyncio.TimeoutError, TimeoutError):
            return
        raise AssertionError(f"unexpected frame: {text}")

    async def subscribe(self, id: str, path: str, **extra: Any) -> dict[str, Any]:
        await self.send(type="subscribe", id=id, path=path, **extra)
        return await self.expect("subscribed", id=id)

    async def auth(self, token: str) -> dict[str, Any]:
        await self.send(type="auth", authorization=f"Token {token}")
        return await self.expect("auth", ok=True)


class Client(ProtocolClient):
    """In-process, through the project's whole ASGI application."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    @classmethod
    async def connect(
        cls,
        *,
        origin: str = "http://testserver",
        cookie: str | None = None,
        path: str = "/ws/",
        host: str = "testserver",
        root_path: str = "",
        address: str | None = None,
    ) -> Client:
        headers = [(b"origin", origin.encode()), (b"host", host.encode())]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        communicator = WebsocketCommunicator(application(), path, headers=headers)
        communicator.scope["root_path"] = root_path  # where the server mounts the site
        if address is not None:
            communicator.scope["client"] = (address, 50000)
        connected, code = await communicator.connect(timeout=5)
        assert connected, f"handshake refused with close code {code}"
        return cls(communicator)

    @classmethod
    async def refusal(cls, **handshake: Any) -> dict[str, Any]:
        """The close of a handshake that the endpoint accepts only to close it with a code
        (a refusal before the accept would be an HTTP 403, without one)."""
        client = await cls.connect(**handshake)
        closed: dict[str, Any] = await client.communicator.receive_output(timeout=5)
        return closed

    async def send_raw(self, text: str | None = None, data: bytes | None = None) -> None:
        await self.communicator.send_to(text_data=text, bytes_data=data)

    async def receive_text(self, timeout: float) -> str:
        return str(await self.communicator.receive_from(timeout=timeout))

    async def silent(self, timeout: float = 0.3) -> None:
        # receive_from() would cancel the application on a timeout; this does not.
        assert await self.communicator.receive_nothing(timeout=timeout), "unexpected frame"

    async def close(self) -> None:
        if not self.communicator.future.done():
            await self.communicator.disconnect()


class SocketClient(ProtocolClient):
    """Over a real socket, with the websockets library."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @classmethod
    async def connect(
        cls, url: str, *, origin: str | None = None, cookie: str | None = None
    ) -> SocketClient:
        import websockets

        origin = origin or url.replace("ws://", "http://").split("/ws/")[0]
        headers = {"Cookie": cookie} if cookie else {}
        connection = await websockets.connect(
            url,
            origin=origin,
            additional_headers=headers,
            open_timeout=10,  # type: ignore[arg-type]
            # No keepalive pings: tests are short, and a ping's payload comes from the
            # global random module, which Hypothesis (test_fuzz.py) watches.
            ping_interval=None,
        )
        return cls(connection)

    async def send_raw(self, text: str | None = None, data: bytes | None = None) -> None:
        await self.connection.send(text if text is not None else data)

    async def receive_text(self, timeout: float) -> str:
        message = await asyncio.wait_for(self.connection.recv(), timeout)
        assert isinstance(message, str), f"binary frame from the server: {message!r}"
        return message

    async def close(self) -> None:
        await self.connection.close()
