"""A URLconf as a flat list of routes, in the order Django tries them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from ._regex import cannot_match_slash
from .patterns import TypedRoutePattern, WebsocketMount, WebsocketPattern
from .syntax import Param, Token, parse, to_regex

# Django's own component regex, to read the routes of django.urls.path().
_DJANGO_COMPONENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_LITERAL_REGEX = re.compile(r"\^((?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])*)")


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint of a URLconf: the resolvers that lead to it, and the endpoint itself.

    ``index`` is its position in Django's order: the first match in that order wins.
    ``entry`` is usually a ``URLPattern``; anything else with a ``resolve()`` is kept too,
    and only ever asked through its own ``resolve()``.
    """

    index: int
    chain: tuple[URLResolver, ...]
    entry: Any

    @property
    def websocket(self) -> bool:
        return isinstance(self.entry, WebsocketPattern)

    @property
    def plain(self) -> bool:
        """An endpoint whose matching routing knows: a URLPattern with Django's resolve()."""
        if self.websocket:
            return not isinstance(self.entry, WebsocketMount)  # a mount: the rest is its own
        return (
            isinstance(self.entry, URLPattern) and type(self.entry).resolve is URLPattern.resolve
        )


@dataclass(frozen=True, slots=True)
class Shape:
    """What a route matches, as tokens. ``closed`` is False when anything may follow them
    (a pattern routing cannot read, or a regex endpoint without ``$``)."""

    tokens: tuple[Token, ...]
    closed: bool


def is_transparent(entry: object) -> bool:
    """A resolver whose children routing may flatten: it resolves the way Django's does."""
    return isinstance(entry, URLResolver) and (
        type(entry).resolve is URLResolver.resolve
        or getattr(type(entry), "routing_transparent", False)
    )


def flatten(patterns: Iterable[Any]) -> list[Route]:
    routes: list[Route] = []
    for chain, entry in _walk(patterns, ()):
        routes.append(Route(len(routes), chain, entry))
    return routes


def _walk(
    patterns: Iterable[Any], chain: tuple[URLResolver, ...]
) -> Iterator[tuple[tuple[URLResolver, ...], Any]]:
    for entry in patterns:
        if is_transparent(entry) and not _includes_itself(entry, chain):
            yield from _walk(entry.url_patterns, (*chain, entry))
        else:
            yield chain, entry


def _includes_itself(entry: URLResolver, chain: tuple[URLResolver, ...]) -> bool:
    """Whether ``entry`` includes a URLconf that encloses it (directly, or through others).

    Django follows such an include only as far as a path reaches into it; expanded here, it
    would never end. It stays one opaque entry, resolved by Django's own ``resolve()``, so
    only the paths that reach it pay for the recursion, as with Django."""
    module = entry.urlconf_module
    return any(outer.urlconf_module is module for outer in chain)


def shape(route: Route, translated: bool = False) -> Shape:
    levels, closed = level_tokens(route, translated)
    return Shape(_merge([token for level in levels for token in level]), closed)


def level_tokens(route: Route, translated: bool = False) -> tuple[list[tuple[Token, ...]], bool]:
    """The tokens of each pattern along the route, as far as routing can read them, and
    whether it read them all and the endpoint must match to the end.

    ``translated``: read language-dependent patterns (i18n_patterns(), gettext_lazy()
    routes) as they are in the active language."""
    levels: list[tuple[Token, ...]] = []
    for resolver in route.chain:
        read = pattern_tokens(resolver.pattern, False, translated)
        if read is None:
            return levels, False
        levels.append(read[0])
    read = pattern_tokens(route.entry.pattern, True, translated) if route.plain else None
    if read is None:
        return levels, False
    levels.append(read[0])
    return levels, read[1]


def pattern_tokens(
    pattern: Any, is_endpoint: bool, translated: bool = False
) -> tuple[tuple[Token, ...], bool] | None:
    """The tokens of ``pattern`` and whether it must match to the end; None if unreadable."""
    if type(pattern) is LocalePrefixPattern and not is_endpoint:
        return ((pattern.language_prefix,), False) if translated else None
    if isinstance(pattern, RoutePattern) and type(pattern).match is RoutePattern.match:
        lazy = not isinstance(pattern._route, str)  # type: ignore[attr-defined]
        if lazy and not translated:
            return None  # it depends on the active language
        if isinstance(pattern, TypedRoutePattern):
            return (parse(str(pattern._route)) if lazy else pattern.tokens), is_endpoint
        tokens = _django_route_tokens(pattern)
        if tokens is None:
            return None
        return tokens, is_endpoint
    if type(pattern) is RegexPattern:
        lazy = not isinstance(pattern._regex, str)  # type: ignore[attr-defined]
        if lazy and not translated:
            return None
        return _literal_regex_tokens(str(pattern._regex), is_endpoint)  # type: ignore[attr-defined]
    return None


def depends_on_language(patterns: Iterable[Any]) -> bool:
    """Whether any pattern (include()s too) reads differently in another language."""
    return any(
        _reads_per_language(pattern)
        for route in flatten(patterns)
        for pattern in (*route.chain, route.entry)
    )


def _reads_per_language(pattern: Any) -> bool:
    inner = getattr(pattern, "pattern", None)
    if isinstance(inner, LocalePrefixPattern):
        return True
    if isinstance(inner, RoutePattern) and not isinstance(inner._route, str):  # type: ignore[attr-defined]
        return True
    if isinstance(inner, RegexPattern) and not isinstance(inner._regex, str):  # type: ignore[attr-defined]
        return True
    return not isinstance(inner, (RoutePattern, RegexPattern))  # unknown: assume the worst


def _django_route_tokens(pattern: RoutePattern) -> tuple[Token, ...] | None:
    route = str(pattern._route)  # type: ignore[attr-defined]
    tokens: list[Token] = []
    end = 0
    for component in _DJANGO_COMPONENT.finditer(route):
        tokens.append(route[end : component.start()])
        name = component["parameter"]
        if name not in pattern.converters:
            return None  # a translation renamed the parameter: leave it to Django
        tokens.append(Param(name, pattern.converters[name], component["converter"] or "str"))
        end = component.end()
    tokens.append(route[end:])
    merged = _merge(tokens)
    # A subclass may build its regex differently: then routing does not pretend to know it.
    if to_regex(merged, pattern._is_endpoint)[0] != pattern.regex.pattern:  # type: ignore[attr-defined]
        return None
    return merged


def _literal_regex_tokens(regex: str, is_endpoint: bool) -> tuple[tuple[Token, ...], bool] | None:
    """``re_path(r"^about/$")`` is the literal ``about/``; other regexes are unreadable."""
    anchored_end = regex.endswith("$") and not regex.endswith("\\$")
    body = regex[:-1] if anchored_end else regex
    literal = _LITERAL_REGEX.fullmatch(body)
    if literal is None:
        return None
    text = re.sub(r"\\(.)", r"\1", literal[1])
    if is_endpoint:
        # Django fullmatches an endpoint regex ending in "$" and searches any other one.
        return ((text,) if text else ()), regex.endswith("$")
    if anchored_end:
        return None  # an include() prefix ending in "$": too odd to be worth reading
    return ((text,) if text else ()), False


def _merge(tokens: list[Token]) -> tuple[Token, ...]:
    merged: list[Token] = []
    for token in tokens:
        if isinstance(token, str):
            if not token:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += token
                continue
        merged.append(token)
    return tuple(merged)


def slash_free(param: Param) -> bool:
    return cannot_match_slash(param.converter.regex)


def route_text(route: Route) -> str:
    """The route as written, include() prefixes joined in front: ``api/articles/<int:pk>/``."""
    parts = [written(resolver.pattern) for resolver in route.chain]
    pattern = getattr(route.entry, "pattern", None)
    parts.append(written(pattern) if pattern is not None else repr(route.entry))
    text = ""
    for part in parts:
        text = part if not text else text + part.removeprefix("^")
    return text


def written(pattern: Any) -> str:
    """A pattern's route as written: with converter arguments, unlike ``str()``."""
    return pattern.route if isinstance(pattern, TypedRoutePattern) else str(pattern)


def route_name(route: Route) -> str | None:
    """The name reverse() knows the route by, namespaces first: ``admin:index``."""
    name = getattr(route.entry, "name", None)
    if name is None:
        return None
    namespaces = [resolver.namespace for resolver in route.chain if resolver.namespace]
    return ":".join([*namespaces, name])


def params(route: Route) -> list[Param]:
    """The converters of the route, when routing can read them."""
    levels, _ = level_tokens(route)
    return [token for level in levels for token in level if isinstance(token, Param)]


def split_segments(tokens: Iterable[Token]) -> list[list[Token]]:
    """The tokens grouped by path segment: literal text is cut at every slash."""
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if isinstance(token, Param):
            segments[-1].append(token)
            continue
        first, *others = token.split("/")
        if first:
            segments[-1].append(first)
        segments.extend([other] if other else [] for other in others)
    return segments
