"""Process-wide counters: what this server process is doing, for logs, a command and metrics.

Gauges (``connections``, ``subscriptions``, ``audiences``) go up and down; the rest only
go up. They are plain attributes, bumped on the event loop, so reading them is free.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Counters:
    connections: int = 0
    connections_total: int = 0
    subscriptions: int = 0
    audiences: int = 0
    # Changes received from the channel layer, and event frames queued for clients.
    events_in: int = 0
    events_out: int = 0
    slow_client_disconnects: int = 0
    # Time spent in serializers and renderers, and how many objects they rendered.
    serialization_seconds: float = 0.0
    serializations: int = 0

    def snapshot(self) -> dict[str, float]:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in asdict(self).items()}


counters = Counters()
