"""From log entries to changes, and resuming from the log.

A subscriber that comes back with ``since`` and no audience's history covers: the entries
after ``since`` say which objects changed, and the audience says what that means for its
subscriber (see :meth:`Audience.catch_up`), or that only a reset is exact.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Hashable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Model

from ..log import Entry, LogReader, get_catalog
from .audience import Audience, Change, Event, shared_or_after

logger = logging.getLogger("django_realtime")

KINDS = {"I": "created", "U": "updated", "D": "deleted"}

# Log entries a resume may read; a client further behind gets "reset".
REPLAY_LIMIT = 20_000

Replay = tuple[list[Event] | None, str | None]  # the events, or why there are none


def to_changes(
    entries: list[Entry], received: float, wanted: Callable[[str], bool]
) -> dict[str, list[Change]]:
    """The changes in ``entries`` of the models whose labels are ``wanted``, by label."""
    catalog = get_catalog()
    by_label: dict[str, list[Change]] = defaultdict(list)
    for entry in entries:
        kind = KINDS.get(entry.op, "updated")
        for label in catalog.labels_for(entry.table):
            if not wanted(label):
                continue
            model = _model(label)
            if model is None:
                continue
            changes = by_label[label]
            for pk in entry.pks:
                try:
                    value = model._meta.pk.to_python(pk)
                except ValidationError:
                    logger.warning("Ignoring a change of %s with a malformed pk %r", label, pk)
                    continue
                changes.append(Change(entry.position, value, kind, received))
    return by_label


class Replays:
    """What subscribers resuming from the log missed (worker thread). The same for every
    subscriber of an audience that comes back from the same position before anything else
    is evaluated (a restart's reconnecting crowd): worked out once."""

    def __init__(self, log: LogReader) -> None:
        self.log = log
        self._at: int | None = None  # the position evaluated through that these hold for
        self._replays: dict[tuple[Hashable, int], Replay] = {}
        self._entries: dict[int, list[Entry]] = {}

    def replay(self, audience: Audience, position: int, applied: int, epoch: str) -> Replay:
        self._fresh(applied)
        key = (audience.key, position)
        if key not in self._replays:
            self._replays[key] = self._work_out(audience, position, applied, epoch)
        return self._replays[key]

    def wake(self, audience: Audience, since: int, applied: int, epoch: str) -> list[Event] | None:
        """The events of an audience that stopped evaluating after ``since`` (it had no
        subscribers) up to ``applied``, as it would have had them then, coalesced per
        object; None if the log no longer holds them all."""
        self._fresh(applied)
        entries = self._window(since + 1, applied)
        if entries is None or since < self.log.state().pruned_through:
            return None
        changes = audience.mine(self._changes(audience, entries))
        return audience.evaluate(changes, epoch) if changes else []

    def _fresh(self, applied: int) -> None:
        if self._at != applied:
            self._at, self._replays, self._entries = applied, {}, {}

    def _work_out(self, audience: Audience, position: int, applied: int, epoch: str) -> Replay:
        entries = self._window(position, applied)
        # Checked after the read: a pruning in between must not pass for an exact window.
        if entries is None or position < self.log.state().pruned_through:
            return None, "history_expired"
        changes = shared_or_after(self._changes(audience, entries), position)
        events = audience.catch_up(changes, epoch)
        if events is None:
            return None, "cannot_replay"
        return events, None

    @staticmethod
    def _changes(audience: Audience, entries: list[Entry]) -> list[Change]:
        """The audience's changes in ``entries``: of its objects, and as "related" those of
        objects whose related rows changed, in log order."""
        labels = {audience.label} | {d.label for d in audience.dependencies}
        by_label = to_changes(entries, math.inf, labels.__contains__)
        changes = list(by_label.get(audience.label, []))
        for dependency in audience.dependencies:
            related = by_label.get(dependency.label, [])
            last = {change.pk: change.seq for change in related}
            if not last:
                continue
            newest = max(last.values())
            changes += [
                Change(newest, pk, "related", math.inf)
                for pk in audience.dependents(dependency, list(last))
            ]
        changes.sort(key=lambda change: change.seq)
        return changes

    def _window(self, position: int, applied: int) -> list[Entry] | None:
        """The entries from ``position`` (its own again: several events can share it) up to
        ``applied``; None past REPLAY_LIMIT."""
        if position not in self._entries:
            entries: list[Entry] = []
            after = position - 1
            while after < applied:
                batch = [e for e in self.log.read(after) if e.position <= applied]
                if not batch:
                    break
                entries += batch
                after = batch[-1].position
                if len(entries) > REPLAY_LIMIT:
                    return None
            self._entries[position] = entries
        return self._entries[position]


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        logger.warning("Ignoring changes of %r: no such model in this project.", label)
        return None
