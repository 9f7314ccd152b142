"""The audiences of a process: found by key, by the objects and labels whose changes they
evaluate, and, without subscribers, kept a while for the ones that come back (worker
thread only)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

from ..conf import realtime_settings
from ..dependencies import Dependency
from ..stats import counters
from .audience import Audience, DetailAudience
from .grants import Grants
from .listing import ListAudience


class Registry:
    def __init__(self, grants: Grants) -> None:
        self.grants = grants
        self._by_key: dict[Hashable, Audience] = {}
        # What relevance.relevant() reads: who evaluates changes of which label.
        self.lists: dict[str, set[ListAudience]] = defaultdict(set)
        self.details: dict[str, dict[Any, set[DetailAudience]]] = defaultdict(dict)
        # related model label -> (audience, the relation from its model to it)
        self.dependents: dict[str, set[tuple[Audience, Dependency]]] = defaultdict(set)
        self._idle: dict[Audience, None] = {}  # without subscribers, oldest first

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: Hashable) -> Audience | None:
        return self._by_key.get(key)

    def all(self) -> list[Audience]:
        return list(self._by_key.values())

    def follows(self, label: str) -> bool:
        """Whether an audience here evaluates changes of ``label``."""
        return label in self.lists or label in self.details or label in self.dependents

    def add(self, audience: Audience) -> None:
        self._by_key[audience.key] = audience
        self._index(audience)
        counters.audiences += 1

    def remove(self, audience: Audience) -> None:
        audience.dead = True
        if self._by_key.get(audience.key) is audience:
            del self._by_key[audience.key]
            counters.audiences -= 1
        self._unindex(audience)
        self.grants.drop_audience(audience)
        self._idle.pop(audience, None)

    def clear(self) -> None:
        for audience in self.all():
            self.remove(audience)

    # -- audiences without subscribers -------------------------------------------------------

    @property
    def idle(self) -> int:
        """How many audiences without subscribers are kept."""
        return len(self._idle)

    def is_idle(self, audience: Audience) -> bool:
        return audience in self._idle

    def maybe_idle(self, audience: Audience, applied: int) -> None:
        """An audience without subscribers is kept for RESUME_WINDOW, and only so many of
        them (MAX_IDLE_AUDIENCES), for a subscriber that comes back: it stops evaluating
        changes (nobody waits for them) after ``applied`` until one does, and then catches
        up from the log (Engine._wake)."""
        if audience.refs > 0 or audience.dead or audience in self._idle:
            return
        if realtime_settings.RESUME_WINDOW <= 0:
            self.remove(audience)
            return
        self._unindex(audience)
        audience.idle_from = applied
        self._idle[audience] = None
        while len(self._idle) > realtime_settings.MAX_IDLE_AUDIENCES:
            self.remove(next(iter(self._idle)))

    def wake(self, audience: Audience) -> None:
        """It has caught up: it evaluates changes again."""
        del self._idle[audience]
        self._index(audience)

    def sweep(self) -> None:
        """Remove the audiences idle for longer than RESUME_WINDOW."""
        deadline = time.monotonic() - realtime_settings.RESUME_WINDOW
        for audience in list(self._idle):
            if (audience.idle_since or 0) > deadline:
                break  # oldest first: the rest are younger
            self.remove(audience)

    # -- indexes ------------------------------------------------------------------------------

    def _index(self, audience: Audience) -> None:
        if isinstance(audience, DetailAudience):
            self.details[audience.label].setdefault(audience.pk, set()).add(audience)
        elif isinstance(audience, ListAudience):
            self.lists[audience.label].add(audience)
        for dependency in audience.dependencies:
            self.dependents[dependency.label].add((audience, dependency))

    def _unindex(self, audience: Audience) -> None:
        if isinstance(audience, DetailAudience):
            same_pk = self.details[audience.label].get(audience.pk, set())
            same_pk.discard(audience)
            if not same_pk:
                self.details[audience.label].pop(audience.pk, None)
        elif isinstance(audience, ListAudience):
            self.lists[audience.label].discard(audience)
        for dependency in audience.dependencies:
            self.dependents[dependency.label].discard((audience, dependency))
