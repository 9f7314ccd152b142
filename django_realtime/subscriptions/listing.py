"""List audiences: subscribers of a list URL with one query string, and what its GET shows."""

from __future__ import annotations

import logging
import time
from itertools import combinations
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import EmptyResultSet
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from .. import wire
from ..conf import realtime_settings
from ..dependencies import Dependency
from .audience import NOT_VISIBLE, Audience, Change, Event
from .errors import SubscriptionError
from .links import remember_links
from .prepared import PreparedFetch
from .target import Target
from .views import Admitted

logger = logging.getLogger("django_realtime")


class ListAudience(Audience):
    """Subscribers of a list URL with one query string.

    ``members`` maps the pk of every object that the subscribers' GET shows to its lookup
    value; a change is "created" when an object enters it, "deleted" when one leaves it,
    and nothing at all for an object that is in it neither before nor after.

    An event's ``data`` is the object as the list's GET body shows it as an item: the list
    action's serializer, context and renderer. An object is in the list when the list's
    GET shows it *and* the detail GET would return it.

    The views it evaluates with (and their querysets, and the list serializer) are built
    by the view classes themselves, and reused for ``VIEW_REUSE_SECONDS``: get_queryset(),
    the filter backends and the serializer's get_fields() run once per interval for the
    whole audience. The queries always run against the current data.
    """

    def load(self, admitted: Admitted) -> None:
        self._built_at = -1e9
        self._detail_view: Any = None
        self._list_view: Any = None
        self._fetch: Any = None
        self._serializer: Any = None
        # Whether the list's and the detail's querysets are the same query (an unfiltered
        # list, typically); then the detail's answers for both, and the list view is not
        # built again. Decided on the first build: it is a property of the view's code.
        self._same_questions: bool | None = None
        self._detail_name = _detail_url_name(self.target)
        self._prefixes = _prefixes(self.target)
        self._warned_no_detail = False
        self._detail_keys: tuple[str, ...] | None = None  # list arguments the detail takes
        view = admitted.view
        self.lookup_field: str = view.lookup_field
        self.lookup_kwarg: str = view.lookup_url_kwarg or view.lookup_field
        queryset = view.filter_queryset(view.get_queryset())
        limit = realtime_settings.MAX_LIST_SIZE
        rows = list(queryset.values_list("pk", self.lookup_field)[: limit + 1])
        if len(rows) > limit:
            raise SubscriptionError(
                "list_too_large",
                f"{self.target.full_path}?{self.target.shared_query} covers more than {limit} "
                "objects, REALTIME['MAX_LIST_SIZE']; subscribe to a narrower filter.",
            )
        self.members: dict[Any, Any] = dict(rows)
        self._build()  # now, at subscribe time: the first change finds the views ready
        listing: Any = self._list_view
        fetch: Any = self._fetch
        self.depend(listing, listing.get_serializer(), fetch.queryset)

    def dependents(self, dependency: Dependency, pks: list[Any]) -> list[Any]:
        lookup = {f"{dependency.path}__in": pks}
        found = self.target.model._base_manager.filter(**lookup).values_list("pk", flat=True)
        return list(found.distinct())

    def evaluate(self, changes: list[Change], epoch: str) -> list[Event]:
        unread = self.unread(changes)
        if not unread:
            return []
        started = time.monotonic()
        visible = self._visible(list(unread))
        self.mark_read(unread, started)
        events = []
        for pk, seq in unread.items():
            instance = visible.get(pk)
            if instance is not None:
                kind = "updated" if pk in self.members else "created"
                lookup = getattr(instance, self.lookup_field)
                path = self._detail_path(lookup)
                try:
                    data = self._serialize(instance)
                except Exception:
                    # Its GET fails too. The others' events go out; this object's next
                    # change is evaluated from what the subscribers had before this one.
                    logger.exception(
                        "Serializing %s pk=%r for %s failed: its event is not sent",
                        self.label,
                        pk,
                        self.target.full_path,
                    )
                    self.forget_read(pk)
                    continue
                self.members[pk] = lookup
                if self.unchanged(pk, data, changes) and kind == "updated":
                    continue
            elif pk in self.members:
                kind, data = "deleted", None
                path = self._detail_path(self.members.pop(pk))
            else:
                continue
            tail = wire.event_tail(kind, path, wire.json_pk(pk), data, f"{epoch}-{seq}")
            events.append(Event(seq, tail))
        return events

    def catch_up(self, changes: list[Change], epoch: str) -> list[Event] | None:
        """Every changed object that is in the list now is sent as it is now ("created" when
        it did not exist before the first change). One that is not in it now is sent
        nothing if it did not exist before; if it did, the subscriber may or may not have it
        (the log does not say whether it was in the list then), and only a reset is exact."""
        first: dict[Any, Change] = {}
        last: dict[Any, int] = {}
        for change in changes:
            first.setdefault(change.pk, change)
            last[change.pk] = change.seq
        members = self.members
        if any(pk not in members and first[pk].kind != "created" for pk in last):
            return None
        pks = [pk for pk in last if pk in members]
        visible = self._visible(pks)
        events = []
        for pk in sorted(pks, key=last.__getitem__):
            instance = visible.get(pk)
            if instance is None:
                continue  # it left after what was evaluated: a live event says so
            kind = "created" if first[pk].kind == "created" else "updated"
            path = self._detail_path(getattr(instance, self.lookup_field))
            try:
                data = self._serialize(instance)
            except Exception:
                logger.exception(
                    "Serializing %s pk=%r for %s failed: its subscribers are reset",
                    self.label,
                    pk,
                    self.target.full_path,
                )
                return None
            cursor = f"{epoch}-{last[pk]}"
            events.append(
                Event(last[pk], wire.event_tail(kind, path, wire.json_pk(pk), data, cursor))
            )
        return events

    def _visible(self, pks: list[Any]) -> dict[Any, Model]:
        """Objects among ``pks`` that the list GET shows *and* the detail GET would return."""
        self._build()
        view = self._detail_view
        visible = {}
        for instance in self._fetch(pks):
            try:
                view.check_object_permissions(view.request, instance)
            except NOT_VISIBLE:
                continue
            visible[instance.pk] = instance
        return visible

    def _build(self) -> None:
        now = time.monotonic()
        if now - self._built_at < realtime_settings.VIEW_REUSE_SECONDS:
            return
        target = self.target
        detail_view = self.view("retrieve", dict(target.kwargs), target.path)
        matching = detail_view.filter_queryset(detail_view.get_queryset())
        list_view = self.view(target.action, dict(target.kwargs), target.path, target.shared_query)
        if not self._same_questions:
            in_list = list_view.filter_queryset(list_view.get_queryset())
            if self._same_questions is None:  # decided once, on the first build
                sql = _sql(matching)
                # A query that cannot match anything now says nothing of the next build's.
                self._same_questions = sql is not None and sql == _sql(in_list)
            if not self._same_questions:  # e.g. a filtered list: ask both questions
                # The list's own objects (its annotations, what its serializer reads),
                # those of them the detail GET would return too.
                matching = in_list.filter(pk__in=matching.values("pk"))
        # The first build is the subscription's own (off the path of events): it prepares the
        # fetch at once, so that the first changes need not compile it.
        fetch = PreparedFetch(matching, now=self._fetch is None)
        self._built_at, self._detail_view, self._list_view = now, detail_view, list_view
        self._fetch = fetch
        self._serializer = None
        self._paths: dict[Any, str | None] = {}

    def _serialize(self, instance: Model) -> str:
        """``instance`` as the list's GET body shows it as an item: the list's serializer
        (one for the audience, as a ListSerializer has one child for all its items), its
        context and its renderer."""
        view = self._list_view
        started = time.perf_counter()
        serializer = self._serializer
        if serializer is None:
            serializer = self._serializer = view.get_serializer(instance)
            remember_links(serializer)
        else:
            serializer.instance = instance
        data = serializer.to_representation(instance)
        self.serialize_seconds += time.perf_counter() - started
        return self.render(view, data)

    def _detail_path(self, lookup: Any) -> str | None:
        # Remembered until the next build (VIEW_REUSE_SECONDS): a lookup keeps its URL.
        try:
            return self._paths[lookup]
        except KeyError:
            path = self._paths[lookup] = self._reverse_detail(lookup)
            return path

    def _reverse_detail(self, lookup: Any) -> str | None:
        if self._detail_name is None:
            return None
        outer = self.target.kwargs
        kwargs = {**outer, self.lookup_kwarg: lookup}
        # The list's own arguments the detail route does not take (a list action's
        # url_path captures, say) are left out: which ones, the first reverse that works
        # tells, once.
        for keep in [self._detail_keys] if self._detail_keys is not None else _subsets(outer):
            kwargs = {**{name: outer[name] for name in keep}, self.lookup_kwarg: lookup}
            try:
                path = reverse(self._detail_name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            self._detail_keys = keep
            break
        else:
            if not self._warned_no_detail:
                self._warned_no_detail = True
                logger.warning(
                    "Events of %s carry no path: %r does not reverse with %s.",
                    self.target.full_path,
                    self._detail_name,
                    kwargs,
                )
            return None
        if self._prefixes is not None:
            built, own = self._prefixes
            if path.startswith(built + "/"):
                path = own + path[len(built) :]
        return path


def _subsets(kwargs: dict[str, Any]) -> list[tuple[str, ...]]:
    """The sets of ``kwargs``' names, largest first."""
    names = list(kwargs)
    return [keep for size in range(len(names), -1, -1) for keep in combinations(names, size)]


def _prefixes(target: Target) -> tuple[str, str] | None:
    """Where the list's own URL differs from the one reverse() builds for it (one URLconf
    included under two prefixes: reverse() builds only one of them): (the prefix reverse()
    puts in front, the list's own); None when they are the same."""
    name = target.match.view_name
    try:
        built = reverse(name, kwargs=target.kwargs) if name else None
    except NoReverseMatch:
        return None
    own = target.full_path
    if built is None or unquote(built) == own:
        return None
    tail = _common_tail(built, own)
    if tail <= 1:  # nothing in common but a slash ("/?" routes, say): leave the paths be
        return None
    return built[: len(built) - tail], own[: len(own) - tail]


def _common_tail(one: str, other: str) -> int:
    """The length of the longest common end of two paths, in whole segments."""
    length = best = 0
    while length < min(len(one), len(other)) and one[-1 - length] == other[-1 - length]:
        length += 1
        if one[-length] == "/":
            best = length
    return best


def _sql(queryset: Any) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL of ``queryset``, or None if it has none (an empty result)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _detail_url_name(target: Target) -> str | None:
    """The URL name of the detail route next to a list route (DRF router naming)."""
    basename = target.initkwargs.get("basename")
    url_name = target.match.url_name
    if basename:
        name = f"{basename}-detail"
    elif url_name and url_name.endswith("-list"):
        name = url_name[: -len("list")] + "detail"
    else:
        return None
    namespace = target.match.namespace
    return f"{namespace}:{name}" if namespace else name
