"""Drive a DRF view the way a GET would, one step at a time.

Admission runs ``initial()`` (authentication, permissions, throttles), then ``get_object()``
for a detail path or ``filter_queryset(get_queryset())`` for a list path. Any exception is
turned into the response the GET would have had by the view's own ``handle_exception()``.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import DisallowedHost
from django.db.models import F, OrderBy
from django.http import Http404, HttpRequest
from rest_framework.renderers import BaseRenderer

from .errors import SubscriptionError
from .requests import Credentials, SubscriptionRequest
from .target import Target

logger = logging.getLogger("django_realtime")


def build_view(target: Target, request: HttpRequest, action: str, kwargs: dict[str, Any]) -> Any:
    """An instance of the target's view class, set up as ``as_view()`` would for a GET."""
    view = target.view_class(**target.initkwargs)
    if target.actions is not None:
        view.action_map = {"get": action}
        if "detail" in target.initkwargs:
            view.detail = action == "retrieve" or (action == target.action and target.detail)
    view.args = ()
    view.kwargs = kwargs
    request.resolver_match = target.match  # as Django's handler sets it (NamespaceVersioning)
    view.request = request
    view.request = view.initialize_request(request, **kwargs)
    view.format_kwarg = view.get_format_suffix(**kwargs)
    view.headers = view.default_response_headers
    return view


def initialize(view: Any, kwargs: dict[str, Any]) -> None:
    """Run the view's own ``initial()`` as for a GET (format suffix, content negotiation,
    ``request.version``, authentication, permissions, and whatever an override adds), but
    not its throttles: a request built for an event or a check is not the client's."""
    view.check_throttles = _no_throttle
    view.initial(view.request, **kwargs)


def _no_throttle(request: Any) -> None:
    return None


def forced_request(
    credentials: Credentials, path: str, query: str, user: Any, auth: Any
) -> SubscriptionRequest:
    """A request already authenticated as ``user``/``auth``: events do not re-authenticate."""
    request = SubscriptionRequest(credentials, path, query)
    # DRF's own hook for pre-authenticated requests (what force_authenticate() uses).
    request._force_auth_user = user  # type: ignore[attr-defined]
    request._force_auth_token = auth  # type: ignore[attr-defined]
    return request


def json_renderer(view: Any) -> BaseRenderer:
    """The renderer a GET asking for JSON would get from this view."""
    for renderer in view.get_renderers():
        media_type = renderer.media_type.split(";")[0].strip()
        if media_type == "application/json" or media_type.endswith("+json"):
            return renderer  # type: ignore[no-any-return]
    raise SubscriptionError(
        "not_realtime",
        f"{type(view).__name__} has no JSON renderer, so its GET cannot be sent over "
        "the websocket. Add rest_framework.renderers.JSONRenderer to its renderer_classes.",
        405,
    )


def render(renderer: BaseRenderer, view: Any, data: Any) -> str:
    context = {"view": view, "request": view.request, "response": None}
    body = renderer.render(data, "application/json", context)
    return body.decode() if isinstance(body, bytes) else str(body)


@dataclass
class Admitted:
    """A GET that succeeded: its view, its answer's owner, and what it saw."""

    view: Any
    user: Any
    auth: Any
    audience_key: Hashable
    renderer: BaseRenderer
    instance: Any = None  # the object, for a detail path
    ordering: list[str] | None = None  # the list's order, for a list path

    def snapshot(self) -> str:
        """The body of the GET, rendered as the GET renders it."""
        view = self.view
        action = getattr(view, "action", None) or (
            "retrieve" if self.instance is not None else "list"
        )
        response = getattr(view, action)(view.request, **view.kwargs)
        return render(self.renderer, view, response.data)


def admit(target: Target, credentials: Credentials) -> Admitted:
    """Run the GET's policies; raise SubscriptionError with the GET's status if it fails."""
    request = SubscriptionRequest(credentials, target.path, target.query)
    view = build_view(target, request, target.action, target.kwargs)
    ordering = None
    try:
        request.get_host()
        if target.format and target.format not in {r.format for r in view.get_renderers()}:
            raise Http404  # as DRF's content negotiation: no renderer for ?format=
        view.initial(view.request, **target.kwargs)
        renderer = json_renderer(view)
        instance = None
        if target.detail:
            instance = view.get_object()
        else:
            queryset = view.filter_queryset(view.get_queryset())
            paginator = view.paginator
            if paginator is not None:
                view.paginate_queryset(queryset)  # a page the GET would not find is a 404
            if hasattr(paginator, "get_ordering"):  # CursorPagination orders for itself
                ordering = ordering_of(
                    queryset.order_by(*paginator.get_ordering(view.request, queryset, view))
                )
            else:
                ordering = ordering_of(queryset)
        audience_key = view.get_realtime_audience()
    except SubscriptionError:
        raise
    except DisallowedHost as exc:
        raise SubscriptionError("bad_request", str(exc), 400) from None
    except Exception as exc:
        raise error_from_exception(view, exc) from None
    drf_request = view.request
    return Admitted(
        view=view,
        user=drf_request.user,
        auth=drf_request.auth,
        audience_key=audience_key,
        renderer=renderer,
        instance=instance,
        ordering=ordering,
    )


def ordering_of(queryset: Any) -> list[str]:
    """The order of a list's GET, as field names ("-" in front: descending); [] when the
    database decides."""
    query = queryset.query
    if query.order_by:
        terms = query.order_by
    elif query.default_ordering:
        terms = query.get_meta().ordering
    else:
        terms = ()
    names = []
    for term in terms:
        if isinstance(term, OrderBy) and isinstance(term.expression, F):
            term = ("-" if term.descending else "") + term.expression.name  # type: ignore[attr-defined]
        if not isinstance(term, str):
            return []  # an expression (Lower("name")): no field name says it
        names.append(term)
    return names


def error_from_exception(view: Any, exc: Exception) -> SubscriptionError:
    """The error a GET would have answered with, by the view's own ``handle_exception()``."""
    try:
        response = view.handle_exception(exc)
    except Exception:
        logger.exception("Subscribing to %s failed", getattr(view.request, "path", "?"))
        return SubscriptionError("server_error", "The server failed to answer this GET.", 500)
    return SubscriptionError.from_status(response.status_code, response.data)
