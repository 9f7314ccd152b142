"""Admitting a subscribe (worker thread): its GET's policies, the audience it joins (found,
woken from idle, or made), what it missed since its cursor, and the grant it holds."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import DatabaseError

from ..buckets import TokenBucket
from ..conf import realtime_settings
from ..stats import counters
from .audience import Audience, DetailAudience, Event
from .errors import SubscriptionError
from .fanout import Subscription
from .grants import Grant, Grants
from .listing import ListAudience
from .registry import Registry
from .replay import Replays
from .requests import Credentials
from .target import Target
from .views import admit, error_from_exception

logger = logging.getLogger("django_realtime")


@dataclass
class Ask:
    """A subscribe to admit: who asks for what, and what its connection may still make."""

    sub: Subscription
    target: Target
    credentials: Credentials
    since: str | None
    snapshot: bool
    audiences: TokenBucket | None


@dataclass
class Admission:
    audience: Audience
    grant: Grant
    created: bool
    cursor: int
    replay: list[Event] | None
    reset: str | None
    snapshot: str | None
    ordering: list[str] | None


class Admissions:
    def __init__(self, audiences: Registry, grants: Grants, replays: Replays) -> None:
        self.audiences = audiences
        self.grants = grants
        self.replays = replays

    def admit(self, ask: Ask, applied: int, epoch: str) -> Admission | None:
        """Admit ``ask``, the log evaluated through ``applied``; None if its subscription
        has gone meanwhile. Raises SubscriptionError with what its GET would answer."""
        target, credentials, since = ask.target, ask.credentials, ask.since
        started = time.monotonic()
        admitted = admit(target, credentials)
        request = admitted.view.request
        key = (target.key, admitted.audience_key, request.get_host(), request.scheme)
        audience = self.audiences.get(key)
        if audience is not None and self.audiences.is_idle(audience):
            audience = self._wake(audience, applied, epoch)
        created = audience is None
        if audience is None:
            if not ask.sub.live:
                return None  # an audience outlives its subscribers: none for nobody
            rate, burst = realtime_settings.AUDIENCE_RATE, realtime_settings.AUDIENCE_BURST
            if ask.audiences is not None and not ask.audiences.take(rate, burst):
                raise SubscriptionError(
                    "throttled",
                    f"This connection started subscriptions to more than {burst} different "
                    f"URLs at once (at most {rate:g} a second after that); wait, or reuse "
                    "URLs that are subscribed already.",
                    429,
                )
            kind = DetailAudience if target.detail else ListAudience
            audience = kind(key, target, credentials, admitted, applied, started)
            audience.load(admitted)
        cursor, replay, reset = applied, None, None
        if since is not None:
            position = parse_cursor(since, epoch, applied)
            if position is None:
                reset = "unknown_cursor"
            else:
                # An audience that has followed every change since `since` replays its own
                # events; any other replays from the log (a new one has just read the
                # database: its state already holds what it would replay).
                replay = None if created else audience.replay(position)
                if replay is None:
                    replay, reset = self.replays.replay(audience, position, applied, epoch)
                if reset is None:
                    cursor = position
            if reset is None:
                counters.resumes += 1
            else:
                counters.resets += 1
        try:
            data = admitted.snapshot() if ask.snapshot or reset else None
        except Exception as exc:
            raise error_from_exception(admitted.view, exc) from None
        if created:
            self.audiences.add(audience)
        audience.refs += 1
        audience.idle_since = None
        grant = self.grants.enter(audience, credentials, admitted.user, admitted.auth)
        return Admission(audience, grant, created, cursor, replay, reset, data, admitted.ordering)

    def _wake(self, audience: Audience, applied: int, epoch: str) -> Audience | None:
        """An idle audience that a subscriber comes back to, caught up with what it did not
        evaluate while idle; None if it cannot be (a new one is made instead)."""
        try:
            events = self.replays.wake(audience, audience.idle_from, applied, epoch)
        except DatabaseError:
            raise
        except Exception:
            logger.exception("Catching up %s failed; starting it anew", audience.target.full_path)
            events = None
        if events is None or audience.dead:
            self.audiences.remove(audience)
            return None
        audience.remember(events)
        self.audiences.wake(audience)
        return audience


def parse_cursor(cursor: str, epoch: str, applied: int) -> int | None:
    """The log position a cursor names, if it is one of this log's, read already."""
    head, _, position = cursor.rpartition("-")
    if head != epoch or not position.isdigit():
        return None
    if int(position) > applied:
        return None  # not a position of this log (yet)
    return int(position)
