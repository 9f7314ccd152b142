"""``compile()``: Django's URL resolver, answered by routing's segment tree.

    # urls.py
    urlpatterns = routing.compile([...])

Django's root resolver iterates ``urlpatterns`` and finds one ``CompiledResolver`` there.
It exposes the original patterns as its ``url_patterns``, so ``reverse()``, ``{% url %}``,
system checks, admindocs and schema generators see the URLconf unchanged.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from django.conf import settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver
from django.urls.resolvers import ResolverMatch, RoutePattern
from django.utils.translation import get_language

from .endpoints import STATIC, Endpoint
from .matcher import Matcher, collect
from .routes import Route, depends_on_language, flatten, is_transparent, shape

# What an empty prefix captures: no args, no kwargs (never mutated: endpoints copy it).
_NOTHING: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})


class _Table:
    """The routes of one kind (HTTP or websocket), and the tree that finds candidates."""

    def __init__(self, routes: list[Route], owner: URLResolver, translated: bool) -> None:
        self.endpoints = {route.index: Endpoint(route, owner, translated) for route in routes}
        self.matcher = Matcher((route.index, shape(route, translated)) for route in routes)
        self.root = self.matcher.root
        # Every static path, with its candidates; or with the endpoint itself when its
        # first candidate has no converters, which makes that route the answer.
        self.known: dict[str, Endpoint | list[int]] = {}
        for path, candidates in self.matcher.static.items():
            first = self.endpoints[candidates[0]] if candidates else None
            self.known[path] = first if first and first.mode is STATIC else candidates

    def resolve(
        self, path: str, outer: tuple[tuple[Any, ...], dict[str, Any]]
    ) -> ResolverMatch | None:
        """The match of ``path``, or None (CompiledResolver.resolve() inlines this)."""
        known = self.known.get(path)
        if known is None:
            segments = path.split("/")
            candidates: list[int] = []
            collect(self.root, segments, 0, candidates)
            candidates.sort()
            return self.first(path, segments, candidates, outer)
        if isinstance(known, list):
            return self.first(path, None, known, outer)
        return known.static_match(outer)

    def first(
        self,
        path: str,
        segments: list[str] | None,
        candidates: list[int],
        outer: tuple[tuple[Any, ...], dict[str, Any]],
    ) -> ResolverMatch | None:
        """The match of the first candidate, in declaration order, that matches."""
        memo: dict[Any, Any] = {}  # include() prefixes already matched, for exact routes
        for index in candidates:
            match = self.endpoints[index].match(path, segments, memo, outer)
            if match is not None:
                return match
        return None


class CompiledResolver(URLResolver):
    """A ``URLResolver`` whose ``resolve()`` does not try every route in turn.

    ``tried``: whether a 404 carries Django's full list of tried patterns. Building it
    costs as much as Django's own resolving, and only the DEBUG 404 page reads it, so by
    default (None) it is built when ``settings.DEBUG`` is True.
    """

    routing_transparent = True  # routing may flatten it into an enclosing compiled URLconf

    def __init__(
        self,
        pattern: Any,
        urlconf_name: Any,
        default_kwargs: dict[str, Any] | None = None,
        app_name: str | None = None,
        namespace: str | None = None,
        *,
        tried: bool | None = None,
    ) -> None:
        super().__init__(pattern, urlconf_name, default_kwargs, app_name, namespace)
        self.exact_tried = tried
        self._tables: tuple[_Table, _Table] | None = None
        self._translated: bool | None = None  # some pattern reads differently per language
        self._by_language: dict[str | None, tuple[_Table, _Table]] = {}
        self._lock = threading.Lock()
        self._empty_prefix = (
            type(pattern) is RoutePattern and pattern._route == ""  # type: ignore[attr-defined]
        )

    def _populate(self) -> None:
        """Django's reverse tables. When a URLconf includes, through a namespaced include,
        a URLconf that holds this resolver, populating reaches it again: Django stops at
        the namespace, but the resolver above this one reads its tables right away. It
        gets the tables a plain resolver of the same patterns builds, as with Django."""
        if not getattr(self._local, "populating", False):
            super()._populate()
            return
        plain = URLResolver(
            self.pattern, self.urlconf_name, self.default_kwargs, self.app_name, self.namespace
        )
        plain._populate()
        language = get_language()
        self._reverse_dict[language] = plain._reverse_dict[language]
        self._namespace_dict[language] = plain._namespace_dict[language]  # type: ignore[attr-defined]
        self._app_dict[language] = plain._app_dict[language]  # type: ignore[attr-defined]

    @property
    def routes(self) -> list[Route]:
        """Every route (HTTP and websocket) in the order Django tries them."""
        return flatten(self.url_patterns)

    def resolve(self, path: Any) -> ResolverMatch:
        path = str(path)  # path may be a reverse_lazy object
        outer, rest = (_NOTHING, path) if self._empty_prefix else self._enter(path)
        table = (self._tables or self._compiled())[0]
        known = table.known.get(rest)
        if known is None:  # a path with parameters, or a 404: walk the tree
            segments = rest.split("/")
            candidates: list[int] = []
            collect(table.root, segments, 0, candidates)
            if len(candidates) == 1:
                found = table.endpoints[candidates[0]].match(rest, segments, None, outer)
            else:
                candidates.sort()
                found = table.first(rest, segments, candidates, outer)
        elif known.__class__ is Endpoint:  # the most common request: a static route
            return known.static_match(outer)
        else:
            found = table.first(rest, None, known, outer)  # type: ignore[arg-type]
        if found is not None:
            return found
        wanted = self.exact_tried if self.exact_tried is not None else settings.DEBUG
        if wanted:
            raise Resolver404({"tried": tried(self.url_patterns, rest), "path": rest})
        raise Resolver404({"path": rest})

    def resolve_websocket(self, path: str) -> ResolverMatch:
        """Like ``resolve()``, over the websocket routes only."""
        outer, rest = (_NOTHING, path) if self._empty_prefix else self._enter(path)
        found = self._compiled()[1].resolve(rest, outer)
        if found is None:
            raise Resolver404({"path": rest})
        return found

    def _enter(self, path: str) -> tuple[tuple[tuple[Any, ...], dict[str, Any]], str]:
        found = self.pattern.match(path)
        if not found:
            raise Resolver404({"path": path})
        rest, args, kwargs = found
        return (args, kwargs), rest

    def _compiled(self) -> tuple[_Table, _Table]:
        """The tables, built on first use; per language if the URLconf is translated."""
        tables = self._tables
        if tables is not None:
            return tables
        with self._lock:
            if self._translated is None:
                self._translated = depends_on_language(self.url_patterns)
            if not self._translated:
                if self._tables is None:
                    self._tables = self._build(translated=False)
                return self._tables
        # Like Django's reverse_dict: i18n_patterns() and gettext_lazy() routes are read
        # in the active language, once per language.
        language = get_language()
        tables = self._by_language.get(language)
        if tables is None:
            tables = self._by_language[language] = self._build(translated=True)
        return tables

    def _build(self, translated: bool) -> tuple[_Table, _Table]:
        routes = self.routes
        return (
            _Table([r for r in routes if not r.websocket], self, translated),
            _Table([r for r in routes if r.websocket], self, translated),
        )


def compile(urlpatterns: Sequence[Any], *, tried: bool | None = None) -> list[URLResolver]:
    """``urlpatterns = routing.compile([...])``: the one line that plugs routing in."""
    return [CompiledResolver(RoutePattern(""), urlpatterns, tried=tried)]


def tried(patterns: Sequence[Any], path: str) -> list[list[Any]]:
    """The ``tried`` list Django's resolver puts in a 404 for ``path``."""
    result: list[list[Any]] = []
    for pattern in patterns:
        if is_transparent(pattern):
            found = pattern.pattern.match(path)
            if found is None:
                result.append([pattern])
            else:
                result.extend([pattern, *t] for t in tried(pattern.url_patterns, found[0]))
        elif isinstance(pattern, URLPattern):
            result.append([pattern])
        else:
            try:
                pattern.resolve(path)
            except Resolver404 as exc:
                sub_tried = exc.args[0].get("tried")
                if sub_tried is None:
                    result.append([pattern])
                else:
                    result.extend([pattern, *t] for t in sub_tried)
            else:
                result.append([pattern])
    return result


_websocket_resolvers: weakref.WeakKeyDictionary[URLResolver, CompiledResolver] = (
    weakref.WeakKeyDictionary()
)


def websocket_resolver(urlconf: str | ModuleType | None = None) -> CompiledResolver:
    """The websocket routes of ``urlconf`` (``ROOT_URLCONF`` by default), compiled.

    Cached per Django root resolver, which Django renews when ``ROOT_URLCONF`` changes.
    """
    root = get_resolver(urlconf)  # type: ignore[arg-type]
    found = _websocket_resolvers.get(root)
    if found is None:
        found = _websocket_resolvers[root] = CompiledResolver(RoutePattern(""), root.url_patterns)
    return found
