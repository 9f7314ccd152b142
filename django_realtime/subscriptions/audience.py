"""Audiences: subscribers whose answer is provably the same, and the work they share.

Subscriptions to the same view, with the same arguments and query string, the same host
and the same audience key (by default: the same user) form one audience. For each change,
an audience runs one visibility query, one serialization and one JSON encoding, and hands
one encoded frame tail to all of its subscribers.

An audience's state belongs to the engine's worker thread, except ``subscribers``, which
belongs to the event loop.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Hashable, Iterable
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from rest_framework.exceptions import APIException

from .. import dependencies, wire
from ..conf import realtime_settings
from ..dependencies import Dependency
from .requests import Credentials
from .target import Target
from .views import Admitted, build_view, forced_request, initialize, render

logger = logging.getLogger("django_realtime")

# What is refused per object: the GET of that object would fail.
NOT_VISIBLE = (Http404, PermissionDenied, APIException)

# Objects whose last read an audience remembers (see Audience.unread); beyond this, the
# oldest are forgotten, which only costs a query that was not strictly needed.
READ_MEMORY = 1024


class Change(NamedTuple):
    seq: int
    pk: Any
    kind: str  # created, updated, deleted; "related": a row it depends on changed
    received: float  # time.monotonic() when it was read from the log, after its commit


class Event(NamedTuple):
    """One event for every subscriber of an audience; ``end`` ends their subscriptions."""

    seq: int
    tail: str
    end: str | None = None


class Audience:
    detail = False

    def __init__(
        self,
        key: Hashable,
        target: Target,
        credentials: Credentials,
        admitted: Admitted,
        seq: int,
        read_at: float,
    ) -> None:
        self.key = key
        self.target = target
        self.label = target.label
        self.credentials = credentials
        self.user = admitted.user
        self.auth = admitted.auth
        self.renderer = admitted.renderer
        self.subscribers: set[Any] = set()  # event loop only
        self.refs = 0
        self.grants: dict[Hashable, Any] = {}  # credentials' identity -> Grant (grants.py)
        self.idle_since: float | None = None
        self.idle_from = 0  # the log position it stopped evaluating at, while idle
        self.dead = False
        self.history: deque[Event] = deque()
        self.history_bytes = 0
        self.floor = seq  # events after this seq are all in history
        self._dropped_at_floor = False  # and some at it were dropped
        self.serialize_seconds = 0.0
        self.serializations = 0
        # When the subscriber's GET started: every object was read then.
        self.loaded_at = read_at
        self._read_at: dict[Any, float] = {}
        # Related rows whose changes are changes of this audience's objects.
        self.dependencies: list[Dependency] = []
        self._digests: dict[Any, int] = {}  # pk -> hash of the data last sent

    def depend(self, view: Any, serializer: Any, queryset: Any) -> None:
        """Find what this audience's objects depend on (at load)."""
        try:
            self.dependencies = dependencies.of_view(view, serializer, queryset)
        except ImproperlyConfigured:
            raise
        except Exception:  # inference is best effort; realtime_depends_on says the rest
            logger.warning(
                "Could not infer what %s depends on", self.target.full_path, exc_info=True
            )
            self.dependencies = dependencies.resolve(
                self.target.model, dependencies.declared(type(view))
            )

    def dependents(self, dependency: Dependency, pks: list[Any]) -> list[Any]:
        """The keys of this audience's objects that reach one of ``pks`` through
        ``dependency`` (worker thread): one query."""
        raise NotImplementedError

    def unchanged(self, pk: Any, data: str | None, changes: list[Change]) -> bool:
        """Whether ``data`` for ``pk`` is what was last sent and only related rows changed:
        then there is nothing to send (a user's login touched the author, say)."""
        digest = hash(data)
        last = self._digests.pop(pk, None)
        self._digests[pk] = digest
        while len(self._digests) > READ_MEMORY:
            del self._digests[next(iter(self._digests))]
        if last != digest:
            return False
        return all(c.kind == "related" for c in changes if c.pk == pk)

    def load(self, admitted: Admitted) -> None:
        """Take the state the subscriber's GET saw (worker thread)."""
        raise NotImplementedError

    def mine(self, changes: list[Change]) -> list[Change]:
        """Of its model's ``changes``, those that concern it (all of them, for a list)."""
        return changes

    def evaluate(self, changes: list[Change], epoch: str) -> list[Event]:
        """Events for these changes of this audience's model, oldest first (worker thread)."""
        raise NotImplementedError

    def catch_up(self, changes: list[Change], epoch: str) -> list[Event] | None:
        """Events for a subscriber who saw this audience's state as of just before
        ``changes`` (read from the log, oldest first), up to its state now; None when what
        that subscriber saw cannot be told (worker thread)."""
        raise NotImplementedError

    def unread(self, changes: list[Change]) -> dict[Any, int]:
        """The last seq of every object changed since this audience last read it.

        A change is received after it commits; a query that started after that already
        saw it, so under a burst an object is not read again for changes it has seen, and
        a new audience gets no event for a change that its own GET saw.
        """
        last: dict[Any, int] = {}
        loaded_at = self.loaded_at
        for change in changes:
            if change.received < self._read_at.get(change.pk, loaded_at):
                continue
            last.pop(change.pk, None)  # keep the order of the last changes
            last[change.pk] = change.seq
        return last

    def mark_read(self, pks: Iterable[Any], started: float) -> None:
        read_at = self._read_at
        for pk in pks:
            read_at.pop(pk, None)
            read_at[pk] = started
        while len(read_at) > READ_MEMORY:
            del read_at[next(iter(read_at))]

    def forget_read(self, pk: Any) -> None:
        """``pk`` is read again for its next change, whenever it was received."""
        self._read_at.pop(pk, None)
        self._digests.pop(pk, None)

    def remember(self, events: Iterable[Event]) -> None:
        history = self.history
        for event in events:
            history.append(event)
            self.history_bytes += len(event.tail)
        max_events, max_bytes = realtime_settings.HISTORY_SIZE, realtime_settings.HISTORY_BYTES
        while history and (len(history) > max_events or self.history_bytes > max_bytes):
            dropped = history.popleft()
            self.history_bytes -= len(dropped.tail)
            self.floor = dropped.seq
            self._dropped_at_floor = True

    def replay(self, since: int) -> list[Event] | None:
        """The events after ``since``, or None if some of them are no longer known.

        Several events can share a position (the objects of one statement, or of one
        related row), and a subscriber may have applied only some of them: those at
        ``since`` are sent again when there are several."""
        if since < self.floor or (since == self.floor and self._dropped_at_floor):
            return None
        return shared_or_after(list(self.history), since)

    def release(self, subscriptions: int = 1) -> None:
        self.refs -= subscriptions
        if self.refs == 0:
            self.idle_since = time.monotonic()

    def view(self, action: str, kwargs: dict[str, Any], path: str, query: str = "") -> Any:
        request = forced_request(self.credentials, path, query, self.user, self.auth)
        view = build_view(self.target, request, action, kwargs)
        initialize(view, kwargs)
        return view

    def render(self, view: Any, data: Any) -> str:
        started = time.perf_counter()
        text = render(self.renderer, view, data)
        self.serialize_seconds += time.perf_counter() - started
        self.serializations += 1
        return text


def shared_or_after(events: list[Any], since: int) -> list[Any]:
    """Of ``events`` (anything with a ``seq``, in order), those after ``since``, and those
    at it when several share it."""
    at = [event for event in events if event.seq == since]
    after = [event for event in events if event.seq > since]
    return at + after if len(at) > 1 else after


class DetailAudience(Audience):
    """Subscribers of one object's detail URL."""

    detail = True
    pk: Any = None

    def load(self, admitted: Admitted) -> None:
        self.pk = admitted.instance.pk
        view = admitted.view
        self.depend(view, view.get_serializer(), view.filter_queryset(view.get_queryset()))

    def mine(self, changes: list[Change]) -> list[Change]:
        return [change for change in changes if change.pk == self.pk]

    def dependents(self, dependency: Dependency, pks: list[Any]) -> list[Any]:
        lookup = {"pk": self.pk, f"{dependency.path}__in": pks}
        return [self.pk] if self.target.model._base_manager.filter(**lookup).exists() else []

    def evaluate(self, changes: list[Change], epoch: str) -> list[Event]:
        unread = self.unread(changes)
        if not unread:
            return []
        seq = unread[self.pk]
        cursor = f"{epoch}-{seq}"
        target = self.target
        started = time.monotonic()
        # A detail GET, in full, for every change: get_object() is the view's to override.
        try:
            view = self.view(target.action, dict(target.kwargs), target.path, target.shared_query)
            instance = view.get_object()
        except NOT_VISIBLE:
            instance = None
        self.mark_read(unread, started)
        pk = wire.json_pk(self.pk)
        if instance is not None:
            started_at = time.perf_counter()
            data = view.get_serializer(instance).data
            self.serialize_seconds += time.perf_counter() - started_at
            text = self.render(view, data)
            if self.unchanged(self.pk, text, changes):
                return []
            return [Event(seq, wire.event_tail("updated", target.full_path, pk, text, cursor))]
        exists = self.target.model._base_manager.filter(pk=self.pk).exists()
        end = "forbidden" if exists else "deleted"
        self.dead = True
        return [Event(seq, wire.event_tail("deleted", target.full_path, pk, None, cursor), end)]

    def catch_up(self, changes: list[Change], epoch: str) -> list[Event] | None:
        mine = self.mine(changes)
        if not mine:
            return []
        # The object as the detail GET shows it now, with the position of its last change;
        # what the audience's live subscribers were last sent stays as it was.
        digests = dict(self._digests)
        events = self.evaluate([mine[-1]._replace(received=math.inf)], epoch)
        self._digests = digests
        if any(event.end for event in events):
            self.dead = False  # an audience is only ended by a live change, not by a resume
            return None
        return events
