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
    # Log entries read, the changes of followed models in them, and event frames queued.
    log_entries_read: int = 0
    events_in: int = 0
    events_out: int = 0
    slow_client_disconnects: int = 0
    # Subscribes with "since": answered with what was missed, or with "reset".
    resumes: int = 0
    resets: int = 0
    # Credentials of live subscriptions checked again (per credential and audience), and
    # subscriptions ended because theirs failed.
    credential_checks: int = 0
    revocations: int = 0
    # Rings sent to the channel layer after commits, and received from it.
    rings_out: int = 0
    rings_in: int = 0
    # The log: the position this process has read through, and the oldest it still keeps
    # (after pruning); their difference is about the number of entries it holds.
    log_position: int = 0
    log_floor: int = 0
    # Time spent in serializers and renderers, and how many objects they rendered.
    serialization_seconds: float = 0.0
    serializations: int = 0

    def snapshot(self) -> dict[str, float]:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in asdict(self).items()}


counters = Counters()
