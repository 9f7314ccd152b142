"""What a subscription path points at: a realtime DRF view, its action and its arguments."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.http import QueryDict
from django.urls import Resolver404, ResolverMatch, resolve
from rest_framework.settings import api_settings

from routing.channels import below_mount

from .errors import SubscriptionError

MAX_PATH_LENGTH = 2048


@dataclass(frozen=True)
class Target:
    """``query`` is the GET's query string without the parameter that picks a renderer
    (``?format=``): a subscription reads JSON. ``shared_query`` is also without the
    parameters that pick a page: events follow the whole list, whatever page a
    subscriber's GET showed, so subscribers of any page share one audience."""

    path: str  # what the URLconf resolved: the path without the script name
    query: str
    view: Callable[..., Any]
    view_class: type[Any]
    initkwargs: dict[str, Any]
    actions: dict[str, str] | None
    action: str  # "list", "retrieve", or a GET @action declared realtime
    detail: bool  # one object (retrieve, a detail=True action) or a list
    kwargs: dict[str, Any]
    match: ResolverMatch = field(compare=False)
    model: type[Model]
    script_name: str = ""  # where the site is mounted; URLs built for the target start with it
    shared_query: str = ""
    format: str | None = None  # the renderer the GET's ?format= asked for

    @property
    def full_path(self) -> str:
        """The path as clients GET it, with the script name in front."""
        return self.script_name + self.path

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def key(self) -> Hashable:
        """Equal for subscriptions that ask the same view the same question, at the same
        path (one view under two prefixes answers each with its own URLs)."""
        return (self.view, self.path, self.shared_query, self.script_name)


def resolve_target(raw: str, script_name: str = "") -> Target:
    """Resolve ``raw`` ("/api/articles/?status=published") with the project's URLconf.

    ``raw`` is the path the client GETs: below a ``script_name`` ("/app", from
    FORCE_SCRIPT_NAME or the server's root path), it starts with it."""
    if len(raw) > MAX_PATH_LENGTH:
        raise SubscriptionError(
            "invalid_message", f"path is longer than {MAX_PATH_LENGTH} characters."
        )
    not_a_path = SubscriptionError(
        "invalid_message",
        f"path must be an absolute path with an optional query string, like "
        f"'/api/articles/?status=published'; got {raw!r}.",
    )
    try:
        parts = urlsplit(raw)
    except ValueError:  # "//[": an unclosed IPv6 host
        raise not_a_path from None
    if parts.scheme or parts.netloc or parts.fragment or not parts.path.startswith("/"):
        raise not_a_path
    path = unquote(parts.path, errors="replace")
    below = below_mount(path, script_name)
    if below is None:
        raise SubscriptionError(
            "not_found",
            f"No URL matches {path!r}: this site is mounted at {script_name!r}, so the "
            f"paths it serves start with {script_name + '/'!r}.",
            404,
        )
    path = below
    try:
        match = resolve(path)
    except Resolver404:
        raise SubscriptionError("not_found", f"No URL matches {path!r}.", 404) from None

    from ..mixins import RealtimeMixin

    view_class = getattr(match.func, "cls", None)
    if not (isinstance(view_class, type) and issubclass(view_class, RealtimeMixin)):
        raise SubscriptionError("not_realtime", _not_realtime(path, view_class, match), 405)
    initkwargs: dict[str, Any] = getattr(match.func, "initkwargs", {})
    actions: dict[str, str] | None = getattr(match.func, "actions", None)
    action, detail = action_of(view_class, initkwargs, actions, match.kwargs, path)
    try:
        model = view_class.get_realtime_model()
    except ImproperlyConfigured as exc:
        raise SubscriptionError("not_realtime", str(exc), 405) from None
    format_param = api_settings.URL_FORMAT_OVERRIDE
    query = _without(parts.query, {format_param} if format_param else set())
    return Target(
        path=path,
        query=query,
        shared_query=_without(query, _page_parameters(view_class)),
        format=QueryDict(parts.query).get(format_param) if format_param else None,
        view=match.func,
        view_class=view_class,
        initkwargs=initkwargs,
        actions=actions,
        action=action,
        detail=detail,
        kwargs=dict(match.kwargs),
        match=match,
        model=model,
        script_name=script_name,
    )


def action_of(
    view_class: type[Any],
    initkwargs: dict[str, Any],
    actions: dict[str, str] | None,
    kwargs: dict[str, Any],
    path: str,
) -> tuple[str, bool]:
    """The action a GET of ``path`` runs, and whether it answers with one object."""
    if actions is not None:  # a viewset: the router says what GET does
        action = actions.get("get")
        if action is None:
            raise SubscriptionError(
                "not_realtime",
                f"GET is not allowed on {path}, so it cannot be subscribed to.",
                405,
            )
        if action not in ("list", "retrieve"):  # an @action
            if not initkwargs.get("realtime"):
                kind = "True" if initkwargs.get("detail") else "False"
                raise SubscriptionError(
                    "not_realtime",
                    f"GET {path} runs the {action!r} action, which is not declared realtime. "
                    f"If it answers as {'retrieve' if kind == 'True' else 'list'}() does, "
                    "from get_queryset(), filter_queryset() and get_serializer() (which may "
                    f"look at self.action), declare it: @action(detail={kind}, "
                    'realtime=True); see "Custom actions" in the django-realtime '
                    "documentation.",
                    405,
                )
            return action, bool(initkwargs.get("detail"))
    else:  # a generic view: retrieve when the URL carries the lookup
        lookup = (
            initkwargs.get("lookup_url_kwarg")
            or getattr(view_class, "lookup_url_kwarg", None)
            or getattr(view_class, "lookup_field", "pk")
        )
        action = "retrieve" if lookup in kwargs and hasattr(view_class, "retrieve") else "list"
        if not hasattr(view_class, action):
            action = ""
    if action not in ("list", "retrieve"):
        raise SubscriptionError(
            "not_realtime",
            f"GET {path} runs {action or 'a handler'!r}; only list and retrieve views can be "
            "subscribed to.",
            405,
        )
    return action, action == "retrieve"


def _not_realtime(path: str, view_class: Any, match: ResolverMatch) -> str:
    """Why ``path`` cannot be subscribed to, and what would help, if anything can."""
    from rest_framework.generics import GenericAPIView

    name = getattr(view_class or match.func, "__qualname__", repr(match.func))
    if isinstance(view_class, type) and issubclass(view_class, GenericAPIView):
        return (
            f"{path} is served by {name}, which does not offer realtime updates. "
            "Add django_realtime.RealtimeMixin to its bases."
        )
    return (
        f"{path} is served by {name}, which is not a DRF generic view or viewset of a "
        "model, so it has no changes to subscribe to. Subscribe to the list or detail URL "
        "of a viewset with RealtimeMixin."
    )


def _page_parameters(view_class: type[Any]) -> set[str]:
    """The query parameters that the view's paginator reads."""
    pagination_class = getattr(view_class, "pagination_class", None)
    if pagination_class is None:
        return set()
    paginator = pagination_class()
    names = (
        getattr(paginator, attribute, None)
        for attribute in (
            "page_query_param", "page_size_query_param", "limit_query_param",
            "offset_query_param", "cursor_query_param",
        )
    )  # fmt: skip
    return {name for name in names if name}


def _without(query: str, names: set[str]) -> str:
    """``query`` without the parameters ``names``, the others as they were."""
    if not names or not query:
        return query
    kept = [part for part in query.split("&") if unquote_plus(part.partition("=")[0]) not in names]
    return "&".join(kept)
