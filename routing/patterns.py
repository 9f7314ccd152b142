"""``path()`` and ``websocket()``: Django URL patterns whose routes take converter arguments."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RegexPattern, ResolverMatch, RoutePattern
from django.utils.translation import get_language

from .syntax import Token, parse, to_regex


class _RouteRegex:
    """Like Django's descriptor, but compiles routes with routing's syntax."""

    def __get__(self, instance: TypedRoutePattern | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        if isinstance(instance._route, str):
            compiled = instance.__dict__["regex"] = re.compile(instance._regex)
            return compiled
        language = get_language()
        if language not in instance._regex_dict:
            regex, _ = to_regex(parse(str(instance._route)), instance._is_endpoint)
            instance._regex_dict[language] = re.compile(regex)
        return instance._regex_dict[language]


# A component with arguments, up to its colon: "<int(min=1):" -> "<int:".
_ARGUMENTS = re.compile(r"<([^<>():]+)\([^()]*\):")


class TypedRoutePattern(RoutePattern):
    """A ``RoutePattern`` that understands ``<int(min=1):pk>``.

    Its ``regex`` and ``converters`` are what Django's resolver and ``reverse()`` read, so
    Django handles these patterns on its own too; ``tokens`` is what routing compiles.
    ``str()`` gives the route in Django's own syntax (``<int:pk>``), which is what
    ``ResolverMatch.route``, admindocs and schema generators read and parse; ``route``
    is the route as written.
    """

    regex = _RouteRegex()

    def __init__(self, route: Any, name: str | None = None, is_endpoint: bool = False) -> None:
        self._route = route
        self._is_endpoint = is_endpoint
        self.name = name
        self._regex_dict: dict[str | None, re.Pattern[str]] = {}
        self.tokens: tuple[Token, ...] = parse(str(route))
        self._regex, self.converters = to_regex(self.tokens, is_endpoint)

    @property
    def route(self) -> str:
        """The route as written, converter arguments included."""
        return str(self._route)

    def __str__(self) -> str:
        return _ARGUMENTS.sub(r"<\1:", str(self._route))


class WebsocketPattern(URLPattern):
    """A websocket route. Django's HTTP resolver never matches it; ``reverse()`` finds it."""

    def resolve(self, path: str) -> ResolverMatch | None:
        return None

    def resolve_websocket(self, path: str) -> ResolverMatch | None:
        return super().resolve(path)


class WebsocketMount(WebsocketPattern):
    """A prefix under which an ASGI application routes the rest of the path itself."""

    def resolve_websocket(self, path: str) -> ResolverMatch | None:
        found = self.pattern.match(path)
        if not found:
            return None
        rest, args, captured = found
        match = ResolverMatch(
            self.callback,
            args,
            {**captured, **self.default_args},
            self.name,
            route=str(self.pattern),
            captured_kwargs=captured,
            extra_kwargs=self.default_args,
        )
        match.path_remaining = rest  # type: ignore[attr-defined]
        return match


def path(
    route: Any, view: Any, kwargs: dict[str, Any] | None = None, name: str | None = None
) -> Any:
    """Django's ``path()``, with converter arguments checked now."""
    return _make(route, view, kwargs, name)


def websocket(
    route: Any,
    application: Callable[..., Any],
    kwargs: dict[str, Any] | None = None,
    name: str | None = None,
) -> WebsocketPattern:
    """A websocket route to an ASGI application, e.g. ``Consumer.as_asgi()``."""
    _check_application(application)
    _check_kwargs(kwargs)
    pattern = TypedRoutePattern(route, name=name, is_endpoint=True)
    return WebsocketPattern(pattern, application, kwargs, name)


def websocket_re_path(
    regex: Any,
    application: Callable[..., Any],
    kwargs: dict[str, Any] | None = None,
    name: str | None = None,
) -> WebsocketPattern:
    """A websocket route written as a regex, as Channels' ``re_path()`` routes are: named
    groups become ``url_route["kwargs"]``, unnamed ones ``url_route["args"]``."""
    _check_application(application)
    _check_kwargs(kwargs)
    return WebsocketPattern(
        RegexPattern(regex, name=name, is_endpoint=True), application, kwargs, name
    )


def websocket_mount(
    route: Any, application: Callable[..., Any], kwargs: dict[str, Any] | None = None
) -> WebsocketMount:
    """A websocket prefix whose ASGI application routes the rest of the path itself: a
    Channels ``URLRouter`` (middleware-wrapped or not), another ``WebsocketRouter``. It
    gets ``scope["path_remaining"]``, and the prefix's captures in ``url_route``."""
    _check_application(application)
    _check_kwargs(kwargs)
    pattern = TypedRoutePattern(route, is_endpoint=False)
    return WebsocketMount(pattern, application, kwargs)


def _check_application(application: object) -> None:
    if inspect.isclass(application):
        raise TypeError(
            f"websocket() needs an ASGI application, got the class {application.__name__}; "
            f"pass {application.__name__}.as_asgi()."
        )
    if not callable(application):
        raise TypeError(
            f"websocket() needs an ASGI application, got {application!r}; for include(), "
            "use path()."
        )


def _make(route: Any, view: Any, kwargs: dict[str, Any] | None, name: str | None) -> Any:
    from django.views import View

    _check_kwargs(kwargs)
    if isinstance(view, (list, tuple)):
        urlconf_module, app_name, namespace = view
        pattern = TypedRoutePattern(route, is_endpoint=False)
        return URLResolver(pattern, urlconf_module, kwargs, app_name, namespace)
    if callable(view):
        return URLPattern(
            TypedRoutePattern(route, name=name, is_endpoint=True), view, kwargs, name
        )
    if isinstance(view, View):
        cls_name = view.__class__.__name__
        raise TypeError(f"view must be a callable, pass {cls_name}.as_view(), not {cls_name}().")
    raise TypeError("view must be a callable or a list/tuple in the case of include().")


def _check_kwargs(kwargs: object) -> None:
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError(f"kwargs argument must be a dict, but got {kwargs.__class__.__name__}.")
