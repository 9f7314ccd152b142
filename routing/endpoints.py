"""One route of a compiled URLconf: does it match, and with which ResolverMatch.

A route whose every pattern routing can read, whose converters stay inside one segment
and whose include() prefixes end at a "/" is matched from the path's segments ("fast").
Any other route is matched by calling each pattern's own ``match()`` in turn, as Django's
nested resolvers would ("exact"). Both give the ResolverMatch Django would build.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from django.urls import Resolver404, URLPattern, URLResolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, ResolverMatch, RoutePattern

from .routes import Route, level_tokens, slash_free
from .syntax import Param, Token

# (segment index, name, converter) or (segment index, regex with named groups, converters)
_Step = tuple[int, Any, Any]
_Missing = object()
_new = object.__new__
EXACT, STATIC, FLAT, LEVELS = "exact", "static", "flat", "levels"


def _read(steps: list[_Step], segments: list[str]) -> dict[str, Any]:
    """The converted parameters of one pattern; ValueError when a converter refuses."""
    captured = {}
    for index, name_or_regex, to_python in steps:
        if name_or_regex.__class__ is str:
            captured[name_or_regex] = to_python(segments[index])
        else:
            found = name_or_regex(segments[index])
            assert found is not None  # the segment tree matched this segment already
            for name, value in found.groupdict().items():
                captured[name] = to_python[name](value)
    return captured


class Endpoint:
    __slots__ = (
        "after",
        "before",
        "chain",
        "defaults",
        "entry",
        "extra",
        "flat",
        "keys",
        "mode",
        "namespaced",
        "owner",
        "plain",
        "route",
        "route_text",
        "row",
        "single",
        "steps",
        "template",
    )

    def __init__(self, route: Route, owner: URLResolver, translated: bool = False) -> None:
        self.route = route
        self.owner = owner
        self.chain = route.chain
        self.entry = route.entry
        self.plain = route.plain
        self.row = (*route.chain, route.entry)
        # Memo keys: a resolver's match depends only on where it sits in the tree.
        self.keys = [route.chain[: i + 1] for i in range(len(route.chain))]
        self.steps = _fast_steps(route, translated)
        # Default kwargs of the owner and the include()s, then of the endpoint itself.
        self.before: dict[str, Any] = dict(owner.default_kwargs)
        for resolver in route.chain:
            self.before.update(resolver.default_kwargs)
        self.after: dict[str, Any] = dict(self.entry.default_args) if self.plain else {}
        self.extra = {**self.before, **self.after}
        self.defaults = bool(self.extra)
        # EXACT: pattern by pattern; STATIC: nothing to read; FLAT: only the endpoint
        # has converters; LEVELS: include() prefixes have converters too.
        self.mode = EXACT
        self.flat: list[_Step] = []
        self.single: _Step | None = None  # the one converter of a FLAT endpoint
        if self.steps is not None:
            if not any(self.steps):
                self.mode = STATIC
            elif not any(self.steps[:-1]):
                self.mode, self.flat = FLAT, self.steps[-1]
                if len(self.flat) == 1 and isinstance(self.flat[0][1], str):
                    self.single = self.flat[0]
            else:
                self.mode = LEVELS
        self.route_text = _route_text(route, translated)
        self.template: dict[str, Any] | None = None
        self.namespaced = False
        if self.plain and self.route_text is not None:
            self.template = ResolverMatch(
                self.entry.callback,
                (),
                {},
                self.entry.pattern.name,
                [owner.app_name, *(r.app_name for r in route.chain)],
                [owner.namespace, *(r.namespace for r in route.chain)],
                self.route_text,
            ).__dict__
            self.namespaced = bool(self.template["app_names"] or self.template["namespaces"])

    def match(
        self,
        path: str,
        segments: list[str] | None,
        memo: dict[Any, Any] | None,
        outer: tuple[tuple[Any, ...], dict[str, Any]],
    ) -> ResolverMatch | None:
        """The ResolverMatch of this route for ``path`` (already past the owner's pattern)."""
        mode = self.mode
        captured: dict[str, Any]
        if mode is STATIC:
            return self.static_match(outer)
        if mode is FLAT:
            if segments is None:
                segments = path.split("/")
            try:
                if self.single is not None:
                    index, name, to_python = self.single
                    captured = {name: to_python(segments[index])}
                else:
                    captured = _read(self.flat, segments)
            except ValueError:
                return None
            if self.defaults or outer[1]:
                kwargs = {**outer[1], **self.before, **captured, **self.after}
            else:
                kwargs = captured.copy()
        elif mode is LEVELS:
            if segments is None:
                segments = path.split("/")
            kwargs = {**outer[1], **self.owner.default_kwargs}
            captured = {}
            assert self.steps is not None
            for level, steps in zip(self.row, self.steps, strict=True):
                try:
                    captured = _read(steps, segments)
                except ValueError:
                    return None
                kwargs.update(captured)
                kwargs.update(level.default_args if level is self.entry else level.default_kwargs)
        else:
            return self._exact(path, {} if memo is None else memo, outer)
        return self._result(() if kwargs else outer[0], kwargs, captured)

    def static_match(self, outer: tuple[tuple[Any, ...], dict[str, Any]]) -> ResolverMatch:
        """The match of a route without converters, which its path alone decides."""
        if outer[1]:
            kwargs = {**outer[1], **self.extra}
            return self._result(() if kwargs else outer[0], kwargs, {})
        return self._result(() if self.defaults else outer[0], self.extra.copy(), {})

    def _result(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], captured: dict[str, Any]
    ) -> ResolverMatch:
        assert self.template is not None
        # The attributes ResolverMatch() would set; those that never change come ready-made.
        # Like a URLPattern's own match, a match records no tried list (the template's
        # None): building Django's would mean trying every earlier route.
        fields = self.template.copy()
        fields["args"] = args
        fields["kwargs"] = kwargs
        fields["captured_kwargs"] = captured
        fields["extra_kwargs"] = self.extra.copy() if self.defaults else {}
        fields["app_names"] = fields["app_names"].copy() if self.namespaced else []
        fields["namespaces"] = fields["namespaces"].copy() if self.namespaced else []
        match = _new(ResolverMatch)
        match.__dict__ = fields
        return match

    def _exact(
        self, path: str, memo: dict[Any, Any], outer: tuple[tuple[Any, ...], dict[str, Any]]
    ) -> ResolverMatch | None:
        levels = [outer]
        rest = path
        for key, resolver in zip(self.keys, self.chain, strict=True):
            found = memo.get(key, _Missing)
            if found is _Missing:
                found = memo[key] = resolver.pattern.match(rest)
            if found is None:
                return None
            rest = found[0]
            levels.append(found[1:])
        if self.plain:
            found = self.entry.pattern.match(rest)
            if found is None:
                return None
            _, args, captured = found
            sub: Any = SimpleNamespace(
                func=self.entry.callback,
                args=args,
                kwargs={**captured, **self.entry.default_args},
                url_name=self.entry.pattern.name,
                app_names=[],
                namespaces=[],
                route=str(self.entry.pattern),
                tried=None,
                captured_kwargs=captured,
                extra_kwargs=self.entry.default_args,
            )
        else:
            try:
                if self.route.websocket:  # a mount: its HTTP resolve() never matches
                    sub = self.entry.resolve_websocket(rest)
                else:
                    sub = self.entry.resolve(rest)
            except Resolver404:
                return None
            if not sub:
                return None
        match = self._nest(levels, sub)
        if hasattr(sub, "path_remaining"):
            match.path_remaining = sub.path_remaining  # type: ignore[attr-defined]
        return match

    def _nest(self, levels: list[tuple[Any, ...]], sub: Any) -> ResolverMatch:
        """What Django's nested ``URLResolver.resolve()`` calls would return."""
        resolvers = [self.owner, *self.chain]
        children = [*self.chain, self.entry]
        args, kwargs, route = sub.args, sub.kwargs, sub.route
        extra = sub.extra_kwargs
        app_names, namespaces = list(sub.app_names), list(sub.namespaces)
        for resolver, child, (level_args, level_kwargs) in zip(
            reversed(resolvers), reversed(children), reversed(levels), strict=True
        ):
            merged = {**level_kwargs, **resolver.default_kwargs}
            merged.update(kwargs)
            if not merged:
                args = level_args + args
            kwargs = merged
            current = "" if isinstance(child, URLPattern) else str(child.pattern)
            route = _join_route(current, route)
            app_names.insert(0, resolver.app_name)
            namespaces.insert(0, resolver.namespace)
            extra = {**resolver.default_kwargs, **extra}
        if self.template is not None:
            match = self._result(args, kwargs, sub.captured_kwargs)
            match.extra_kwargs = extra  # type: ignore[attr-defined]
            return match
        return ResolverMatch(
            sub.func,
            args,
            kwargs,
            sub.url_name,
            app_names,
            namespaces,
            route,
            None,
            captured_kwargs=sub.captured_kwargs,
            extra_kwargs=extra,
        )


def _join_route(route1: str, route2: str) -> str:
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")


def _stable_text(pattern: Any, translated: bool) -> str | None:
    """``str(pattern)``, when it does not depend on the active language (or may)."""
    if translated and isinstance(pattern, (RoutePattern, RegexPattern, LocalePrefixPattern)):
        return str(pattern)
    if isinstance(pattern, RoutePattern) and isinstance(pattern._route, str):  # type: ignore[attr-defined]
        return str(pattern)
    if isinstance(pattern, RegexPattern) and isinstance(pattern._regex, str):  # type: ignore[attr-defined]
        return str(pattern)
    return None


def _route_text(route: Route, translated: bool) -> str | None:
    if not route.plain:
        return None
    text = _stable_text(route.entry.pattern, translated)
    for resolver in reversed(route.chain):
        prefix = _stable_text(resolver.pattern, translated)
        if text is None or prefix is None:
            return None
        text = _join_route(prefix, text)
    return text


def _fast_steps(route: Route, translated: bool = False) -> list[list[_Step]] | None:
    """Per pattern along the route, how to read its parameters from the path's segments;
    None when the route must be matched pattern by pattern."""
    if not route.plain:
        return None
    levels, closed = level_tokens(route, translated)
    if not closed or len(levels) != len(route.chain) + 1:
        return None
    plan: list[list[_Step]] = []
    segment = 0
    for number, tokens in enumerate(levels):
        steps: list[_Step] = []
        current: list[Token] = []  # tokens of the open segment, for converters sharing it
        for token in tokens:
            if isinstance(token, Param):
                if not slash_free(token):
                    return None
                current.append(token)
                continue
            first, *others = token.split("/")
            if first:
                current.append(first)
            for other in others:
                _add_step(steps, segment, current)
                segment += 1
                current = [other] if other else []
        _add_step(steps, segment, current)
        is_prefix = number < len(levels) - 1
        if is_prefix and any(isinstance(t, Param) or t for t in current):
            return None  # the prefix ends inside a segment: Django commits to its match there
        plan.append(steps)
    return plan


def _add_step(steps: list[_Step], segment: int, tokens: list[Token]) -> None:
    params = [t for t in tokens if isinstance(t, Param)]
    if not params:
        return
    if len(params) == 1 and len(tokens) == 1:
        steps.append((segment, params[0].name, params[0].converter.to_python))
        return
    regex = "".join(
        re.escape(t) if isinstance(t, str) else f"(?P<{t.name}>{t.converter.regex})"
        for t in tokens
    )
    converters = {p.name: p.converter.to_python for p in params}
    steps.append((segment, re.compile(regex).fullmatch, converters))
