"""Live access: the credentials that admitted a subscription are checked again while it
lives, and a subscription whose credentials no longer pass its GET's authentication and
permissions ends.

A *grant* is one credential (a token, a session, an Authorization header) admitted to one
audience; the subscriptions of an audience that came with that credential share it. It is
checked again, with the view's own authentication classes, ``has_permission()`` and, for a
detail path, ``get_object()`` (object permissions):

- when the log shows a change to a row it rests on: its user, the model instance DRF
  authenticated it with (a token), its session, or any group or permission;
- and at least every ``AUTH_RECHECK_INTERVAL`` seconds, for what the database cannot show
  (a JWT's expiry, an identity provider, sessions kept in a cache); a token whose payload
  has an ``exp`` is checked when it expires.

Work is per grant, never per subscriber: 500 anonymous subscribers of one list are one
grant. All of this runs on the engine's worker thread.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.db import DatabaseError
from django.db.models import Model
from django.http import Http404
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import APIException, AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request
from rest_framework.settings import api_settings

from ..conf import realtime_settings
from ..log import Entry
from ..log.catalog import access_tables, get_catalog
from ..stats import counters
from .audience import Audience
from .errors import SubscriptionError
from .fanout import Subscription
from .requests import Credentials, SubscriptionRequest, script_prefix
from .views import build_view, error_from_exception, initialize

logger = logging.getLogger("django_realtime")

Row = tuple[str, Any]  # (table, primary key)


@dataclass(eq=False)
class Grant:
    """One credential admitted to one audience (worker thread)."""

    audience: Audience
    credentials: Credentials
    rows: frozenset[Row]  # the rows it rests on: user, token, session
    checked_at: float
    expires_at: float | None = None
    refs: int = 0
    ended: bool = False

    @property
    def key(self) -> Hashable:
        return self.credentials.identity


@dataclass(eq=False)
class Denial:
    """A grant that failed its check: its subscriptions end with ``reason``."""

    grant: Grant
    reason: str  # not_authenticated, forbidden, access_changed


@dataclass
class Grants:
    """Every live grant of a process, found by the rows they rest on (worker thread)."""

    _by_row: dict[Row, set[Grant]] = field(default_factory=lambda: defaultdict(set))
    _all: set[Grant] = field(default_factory=set)
    _expiring: set[Grant] = field(default_factory=set)  # tokens with an "exp" claim

    def enter(self, audience: Audience, credentials: Credentials, user: Any, auth: Any) -> Grant:
        """The grant of ``credentials`` in ``audience`` (new or shared), with one more
        subscription; the credentials have just passed admission."""
        grant = audience.grants.get(credentials.identity)
        if grant is None:
            now = time.monotonic()
            grant = Grant(
                audience,
                credentials,
                _rows(credentials, user, auth),
                now,
                _expiry(auth, now),
            )
            audience.grants[grant.key] = grant
            self._all.add(grant)
            if grant.expires_at is not None:
                self._expiring.add(grant)
            for row in grant.rows:
                self._by_row[row].add(grant)
        grant.refs += 1
        return grant

    def leave(self, grant: Grant) -> None:
        """One subscription of ``grant`` has gone."""
        if grant.ended:
            return
        grant.refs -= 1
        if grant.refs <= 0:
            self.end(grant)

    def end(self, grant: Grant) -> None:
        grant.ended = True
        self._all.discard(grant)
        self._expiring.discard(grant)
        if grant.audience.grants.get(grant.key) is grant:
            del grant.audience.grants[grant.key]
        for row in grant.rows:
            same = self._by_row.get(row)
            if same is not None:
                same.discard(grant)
                if not same:
                    del self._by_row[row]

    def drop_audience(self, audience: Audience) -> None:
        for grant in list(audience.grants.values()):
            self.end(grant)

    def touched(self, entries: Iterable[Entry]) -> set[Grant]:
        """The grants resting on a row that these log entries changed, and those whose
        token has expired."""
        tables, broad = access_tables()
        now = time.monotonic()
        found = set(self._expired(now))
        for entry in entries:
            if entry.table in broad:
                return set(self._all)  # a group's permissions: whom it reaches is unknown
            if entry.table in tables:
                for pk in entry.pks:
                    found |= self._by_row.get((entry.table, _key(pk)), set())
        return found

    def due(self) -> list[Grant]:
        """The grants whose interval has passed, or whose token has expired."""
        now = time.monotonic()
        interval = realtime_settings.AUTH_RECHECK_INTERVAL
        return [*self._expired(now), *(g for g in self._all if now - g.checked_at >= interval)]

    def _expired(self, now: float) -> Iterator[Grant]:
        for grant in self._expiring:
            if grant.expires_at is not None and now >= grant.expires_at:
                yield grant

    def check(self, grants: Iterable[Grant]) -> list[Denial]:
        """Check each of ``grants`` again; the ones that failed, and have ended."""
        denials = []
        for grant in list(grants):
            if not grant.ended:
                reason = recheck(grant)
                if reason is not None:
                    self.deny(grant)
                    denials.append(Denial(grant, reason))
        return denials

    def deny(self, grant: Grant) -> None:
        """End ``grant`` with its subscriptions."""
        self.end(grant)
        grant.audience.release(grant.refs)

    def move(self, grant: Grant, credentials: Credentials) -> Grant | Denial | None:
        """Put one subscription of ``grant`` under ``credentials`` instead (an ``auth``
        frame): its grant in the same audience, or why the credentials fail; None if the
        audience has ended."""
        audience = grant.audience
        if audience.dead:
            return None
        reason, user, auth = check(audience, credentials)
        if not grant.ended:  # else a check ended it, and released its subscriptions
            self.leave(grant)
            audience.release()
        if reason is not None:
            return Denial(grant, reason)
        audience.refs += 1
        audience.idle_since = None
        return self.enter(audience, credentials, user, auth)


def recheck(grant: Grant) -> str | None:
    """Check ``grant``'s credentials again, as they are now: None if they pass, else the
    reason its subscriptions end."""
    audience = grant.audience
    grant.checked_at = time.monotonic()
    counters.credential_checks += 1
    reason, user, auth = check(audience, grant.credentials)
    if reason is None:
        grant.expires_at = _expiry(auth, grant.checked_at)  # a refreshed token's
        if getattr(user, "pk", None) == getattr(audience.user, "pk", None):
            audience.user, audience.auth = user, auth  # fresh: permissions are cached
    return reason


def check(audience: Audience, credentials: Credentials) -> tuple[str | None, Any, Any]:
    """Run the GET policies of ``audience``'s subscriptions with ``credentials``:
    authentication, ``has_permission()``, and for a detail path ``get_object()`` (object
    permissions), but no throttles (a check is not the client's request). The reason they
    fail (None if they pass), and the user and auth they give."""
    target = audience.target
    request = SubscriptionRequest(credentials, target.path, target.shared_query)
    view = build_view(target, request, target.action, dict(target.kwargs))
    try:
        with script_prefix(target.script_name):
            initialize(view, target.kwargs)
            if target.detail:
                view.get_object()
            key = view.get_realtime_audience()
    except DatabaseError:
        raise  # the follower retries
    except (NotAuthenticated, AuthenticationFailed):
        return "not_authenticated", None, None  # DRF answers 403 without a WWW-Authenticate
    except Http404:
        if target.detail and not _exists(audience):
            return None, audience.user, audience.auth  # deleted: its event says so
        return "forbidden", None, None
    except Exception as exc:
        status = error_from_exception(view, exc).status or 500
        return ("server_error" if status >= 500 else "forbidden"), None, None
    if key != cast(tuple[Any, ...], audience.key)[1]:  # (target, key, host, scheme)
        # The view would show these credentials something else: as anyone (a session that
        # ended, where anonymous users may read too), or as somebody else.
        user = view.request.user
        if _authenticated(audience.user) and not _authenticated(user):
            return "not_authenticated", None, None
        return "access_changed", None, None
    return None, view.request.user, view.request.auth


def _exists(audience: Audience) -> bool:
    pk = getattr(audience, "pk", None)  # a detail audience's object
    return bool(audience.target.model._base_manager.filter(pk=pk).exists())


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _rows(credentials: Credentials, user: Any, auth: Any) -> frozenset[Row]:
    rows: set[Row] = set()
    if isinstance(user, Model) and user.pk is not None:
        rows.add((user._meta.db_table, _key(user.pk)))
    if isinstance(auth, Model) and auth.pk is not None:
        rows.add((auth._meta.db_table, _key(auth.pk)))
    session_key = credentials.session_key
    if session_key is not None and apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session

        rows.add((Session._meta.db_table, session_key))
    return frozenset(rows)


def _key(pk: Any) -> Any:
    """Keys as the log has them (JSON: integers stay integers, the rest are text)."""
    return pk if isinstance(pk, int) else str(pk)


def _expiry(auth: Any, now: float) -> float | None:
    """When a token with an ``exp`` claim (a JWT, such as simplejwt's) stops being valid,
    on the monotonic clock."""
    payload = getattr(auth, "payload", None)
    exp = payload.get("exp") if isinstance(payload, dict) else None
    if not isinstance(exp, (int, float)):
        return None
    return now + (exp - time.time())


def authenticate(credentials: Credentials) -> str | None:
    """Check an ``auth`` frame's header with the authentication classes that will read it:
    DEFAULT_AUTHENTICATION_CLASSES, then those of the URLconf's realtime views. The
    username, None if anonymous; SubscriptionError if a class refuses the value, or if
    none reads it (a token without its keyword, say), which would change nothing."""
    authenticators = [cls() for cls in _authentication_classes()]
    if credentials.authorization:
        # The value is the header's: the classes that read a cookie have no say in it.
        authenticators = [a for a in authenticators if not isinstance(a, SessionAuthentication)]
    request = Request(SubscriptionRequest(credentials, "/", ""), authenticators=authenticators)
    try:
        user = request.user
    except APIException as exc:
        raise SubscriptionError("not_authenticated", str(exc.detail), 401) from None
    if credentials.authorization and request.successful_authenticator is None:
        forms = dict.fromkeys(
            f"'{header.split()[0]} <credentials>'"
            for header in (a.authenticate_header(request) for a in authenticators)
            if header
        )
        expected = f"one of {', '.join(forms)}" if forms else "another form"
        raise SubscriptionError(
            "not_authenticated",
            "No authentication class accepted this authorization value; the credentials "
            f"stay as they were. The views' authentication classes expect {expected}.",
            401,
        )
    return user.get_username() if user is not None and user.is_authenticated else None


def _authentication_classes() -> list[type[BaseAuthentication]]:
    classes = dict.fromkeys(
        cast("list[type[BaseAuthentication]]", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    )
    for view_class in get_catalog().views:
        classes.update(dict.fromkeys(getattr(view_class, "authentication_classes", ())))
    return list(classes)


# -- the event loop's side --------------------------------------------------------------------


def end_denied(denials: list[Denial]) -> None:
    """End the subscriptions of denied grants (event loop): each is told why."""
    for denial in denials:
        audience, grant = denial.grant.audience, denial.grant
        for sub in list(audience.subscribers):
            if sub.grant is grant and sub.audience is audience:
                end(sub, denial.reason)


def end(sub: Subscription, reason: str) -> None:
    """End ``sub`` because its credentials failed (event loop)."""
    counters.revocations += sub.live
    if sub.audience is not None:
        sub.audience.subscribers.discard(sub)
    sub.grant = None
    sub.end(reason)
