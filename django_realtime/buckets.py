"""Token buckets: how often something may happen, sustained and in a burst."""

from __future__ import annotations

import time


class TokenBucket:
    """``rate`` a second, sustained, and ``burst`` at once; one instance per client."""

    __slots__ = ("_at", "_tokens")

    def __init__(self, burst: float) -> None:
        self._tokens = float(burst)
        self._at = time.monotonic()

    def take(self, rate: float, burst: float) -> bool:
        """Whether one more may happen now (it is then counted)."""
        now = time.monotonic()
        self._tokens = min(float(burst), self._tokens + (now - self._at) * rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False
