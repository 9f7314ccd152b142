from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class EchoConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Accepts, then tells the client what the router put in the scope."""

    async def connect(self) -> None:
        await self.accept()
        route = self.scope["url_route"]
        await self.send_json(
            {
                "args": list(route["args"]),
                "kwargs": {k: str(v) for k, v in route["kwargs"].items()},
                "path_remaining": self.scope.get("path_remaining"),
            }
        )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json(content)
