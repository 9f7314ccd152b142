"""The wire protocol (PROTOCOL.md): frames from clients, and the websocket consumer."""
