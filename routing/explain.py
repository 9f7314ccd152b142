"""Why a path resolves the way it does: the route that matched, and why earlier ones did not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern
from django.urls.resolvers import RoutePattern

from .resolver import CompiledResolver
from .routes import Route, route_name, route_text, written


@dataclass(frozen=True)
class Attempt:
    route: Route
    reason: str | None  # None: this route matched


@dataclass(frozen=True)
class Explanation:
    path: str
    attempts: list[Attempt]  # the candidates tried, in order, up to the match
    ruled_out: int  # routes the segment tree never tried
    match: Any  # the ResolverMatch, or None for a 404

    def lines(self) -> list[str]:
        lines = [f"Resolving {self.path!r}:"]
        for number, attempt in enumerate(self.attempts, 1):
            name = route_name(attempt.route)
            label = f"'{route_text(attempt.route)}'" + (f" [{name}]" if name else "")
            if attempt.reason is None:
                lines.append(f"  {number}. {label} matched.")
            else:
                lines.append(f"  {number}. {label} failed: {attempt.reason}")
        if self.match is not None:
            match = self.match
            lines.append(f"View: {match._func_path}, args {match.args!r}, kwargs {match.kwargs!r}")
        else:
            lines.append("No route matched: 404.")
        if self.ruled_out:
            lines.append(
                f"{self.ruled_out} other route(s) were ruled out by their segments without "
                "being tried."
            )
        return lines


def explain(urlpatterns: list[Any], path: str, websocket: bool = False) -> Explanation:
    """Resolve ``path`` (with its leading ``/``) the way Django's root resolver would."""
    resolver = CompiledResolver(RoutePattern(""), urlpatterns, tried=False)
    routes = [route for route in resolver.routes if route.websocket == websocket]
    rest = path.removeprefix("/")
    table = resolver._compiled()[1 if websocket else 0]
    candidates = set(table.matcher.candidates(rest))
    attempts = []
    match = None
    for route in routes:
        if route.index not in candidates:
            continue
        found = table.endpoints[route.index].match(rest, None, {}, ((), {}))
        if found is not None:
            attempts.append(Attempt(route, None))
            match = found
            break
        attempts.append(Attempt(route, why_not(route, rest)))
    if not path.startswith("/"):
        attempts, match = [], None
    ruled_out = len(routes) - len(candidates)
    return Explanation(path, attempts, ruled_out, match)


def why_not(route: Route, path: str) -> str:
    """The first pattern along ``route`` that refuses ``path``, and why."""
    rest = path
    for resolver in route.chain:
        found = resolver.pattern.match(rest)
        if found is None:
            return _refusal(resolver.pattern, rest, prefix=True)
        rest = found[0]
    entry = route.entry
    if isinstance(entry, URLPattern):
        return _refusal(entry.pattern, rest, prefix=False)
    return f"{entry!r} did not match {rest!r} (it resolves on its own)."


def _refusal(pattern: Any, text: str, prefix: bool) -> str:
    regex = getattr(pattern, "regex", None)
    shown = f"'{written(pattern)}'"
    if isinstance(regex, re.Pattern):
        found = regex.search(text)
        if found is not None:
            for name, value in found.groupdict().items():
                converter = getattr(pattern, "converters", {}).get(name)
                if converter is None or value is None:
                    continue
                try:
                    converter.to_python(value)
                except ValueError as exc:
                    return f"<{name}> got {value!r}, which its converter rejects: {exc}."
            if not prefix and isinstance(pattern, RoutePattern):
                return f"{text!r} does not match {shown} to its end."
    what = "start with" if prefix else "match"
    return f"{text!r} does not {what} {shown}."


def as_dict(explanation: Explanation) -> dict[str, Any]:
    return {
        "path": explanation.path,
        "attempts": [
            {
                "route": route_text(a.route),
                "name": route_name(a.route),
                "matched": a.reason is None,
                "reason": a.reason,
            }
            for a in explanation.attempts
        ],
        "ruled_out": explanation.ruled_out,
        "matched": explanation.match is not None,
    }
