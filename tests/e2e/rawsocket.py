"""A websocket client on a bare socket, for what libraries won't do: stop reading."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from typing import Any


class RawWebsocket:
    def __init__(self, port: int, path: str = "/ws/", receive_buffer: int = 4096) -> None:
        self.sock = socket.socket()
        # A small window, so that the server's writes back up quickly once we stop reading.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n"
            ).encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(1)
        status = response.split(b"\r\n", 1)[0]
        assert b" 101 " in status, status
        self._pending = b""

    def send(self, frame: dict[str, Any]) -> None:
        payload = json.dumps(frame).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def read_all(self, timeout: float = 10) -> tuple[list[dict[str, Any]], int | None]:
        """Read until the server closes: the text frames received, and the close code."""
        self.sock.settimeout(timeout)
        frames: list[dict[str, Any]] = []
        while True:
            opcode, payload = self._frame()
            if opcode == 0x1:
                frames.append(json.loads(payload))
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return frames, code

    def _frame(self) -> tuple[int, bytes]:
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def _read(self, size: int) -> bytes:
        while len(self._pending) < size:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("the server closed the socket without a close frame")
            self._pending += chunk
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def close(self) -> None:
        self.sock.close()
