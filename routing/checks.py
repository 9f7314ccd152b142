"""System checks over the routes of ``ROOT_URLCONF``.

routing.W001  a route duplicates an earlier one, so it is never reached
routing.W002  a route is shadowed: an earlier route matches every path it matches
routing.W003  two routes share a name and arguments in a namespace: reverse() reaches one
routing.E004  a converter's to_url(to_python(x)) does not give x back
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.urls import get_resolver
from django.urls.converters import DEFAULT_CONVERTERS

from .converters import BUILTIN_CONVERTERS, Converter
from .endpoints import _fast_steps
from .routes import Route, flatten, level_tokens, params, route_name, route_text, split_segments
from .syntax import Param, Token

# For converters that bring no samples of their own.
GENERIC_SAMPLES = (
    "0",
    "1",
    "42",
    "0042",
    "2024",
    "-1",
    "1.5",
    "a",
    "abc",
    "hello-world",
    "snake_case",
    "ünïcode",
    "2024-01-31",
    "12345678-1234-5678-1234-567812345678",
    "a/b",
)


@register(Tags.urls)
def check_routes(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    return run_checks(flatten(get_resolver().url_patterns))


def run_checks(routes: list[Route]) -> list[CheckMessage]:
    return [*_overlaps(routes), *_duplicate_names(routes), *_round_trips(routes)]


def _described(route: Route) -> str:
    name = route_name(route)
    return f"'{route_text(route)}'" + (f" [name='{name}']" if name else "")


def _segments(route: Route) -> list[tuple[Token, ...]] | None:
    """The route's segments, when the path's segments alone decide whether it matches."""
    if _fast_steps(route) is None:
        return None
    levels, _ = level_tokens(route)
    return [tuple(segment) for segment in split_segments(t for level in levels for t in level)]


def _overlaps(routes: list[Route]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    buckets: dict[tuple[bool, int, str | None], list[tuple[Route, list[tuple[Token, ...]]]]]
    buckets = defaultdict(list)
    for route in routes:
        segments = _segments(route)
        if segments is None:
            continue
        kind, count = route.websocket, len(segments)
        first = _static(segments[0])
        earlier = [*buckets[(kind, count, None)]]
        if first is not None:
            earlier += buckets[(kind, count, first)]
        earlier.sort(key=lambda pair: pair[0].index)
        for other, other_segments in earlier:
            if all(_same(a, b) for a, b in zip(other_segments, segments, strict=True)):
                messages.append(
                    Warning(
                        f"URL route {_described(route)} duplicates {_described(other)}, which "
                        "comes first: it is never reached.",
                        hint="Remove one of the two, or change its route.",
                        obj=route.entry,
                        id="routing.W001",
                    )
                )
                break
            if all(_covers(a, b) for a, b in zip(other_segments, segments, strict=True)):
                messages.append(
                    Warning(
                        f"URL route {_described(route)} is shadowed by {_described(other)}, "
                        "which comes first and matches every path it matches: it is never "
                        "reached.",
                        hint=f"Move {_described(route)} before {_described(other)}, or narrow "
                        "the earlier route's converter.",
                        obj=route.entry,
                        id="routing.W002",
                    )
                )
                break
        buckets[(kind, count, first)].append((route, segments))
    return messages


def _static(segment: tuple[Token, ...]) -> str | None:
    return "".join(segment) if all(isinstance(t, str) for t in segment) else None  # type: ignore[arg-type]


def _key(converter: Any) -> tuple[Any, ...]:
    """Converters with equal keys accept and convert the same texts."""
    if isinstance(converter, Converter):
        return (converter.name, converter.arguments)
    for name, default in DEFAULT_CONVERTERS.items():
        if type(converter) is type(default):
            return (name, BUILTIN_CONVERTERS[name]().arguments)
    return (type(converter).__module__, type(converter).__qualname__, converter.regex)


def _same(a: tuple[Token, ...], b: tuple[Token, ...]) -> bool:
    return len(a) == len(b) and all(
        x == y
        if isinstance(x, str) or isinstance(y, str)
        else _key(x.converter) == _key(y.converter)
        for x, y in zip(a, b, strict=True)
    )


def _covers(earlier: tuple[Token, ...], later: tuple[Token, ...]) -> bool:
    """Whether every text that segment ``later`` accepts, segment ``earlier`` accepts."""
    if _same(earlier, later):
        return True
    if len(earlier) != 1 or not isinstance(earlier[0], Param):
        return False
    converter = earlier[0].converter
    text = _static(later)
    if text is not None:  # a literal segment: simply try it
        if re.fullmatch(converter.regex, text) is None:
            return False
        try:
            converter.to_python(text)
        except ValueError:
            return False
        return True
    if not _total(converter):
        return False
    if converter.regex == "[^/]+":  # str: any non-empty text, and no segment has a slash
        return re.fullmatch(_regex(later), "") is None
    if len(later) != 1 or not isinstance(later[0], Param):
        return False
    inner = later[0].converter
    outer_name, inner_name = _key(converter)[0], _key(inner)[0]
    if outer_name == "slug" and converter.regex.endswith("+"):
        if inner_name == "any":
            return all(re.fullmatch(converter.regex, choice) for choice in inner.choices)
        return inner_name in ("int", "date", "uuid", "slug")
    if outer_name == "any" and inner_name == "any":
        return bool(set(inner.choices) <= set(converter.choices))
    if outer_name == "int" and inner_name == "int":
        return bool(converter.regex == "-?[0-9]+" or inner.regex == "[0-9]+")
    return False


def _regex(tokens: tuple[Token, ...]) -> str:
    return "".join(
        re.escape(t) if isinstance(t, str) else f"(?:{t.converter.regex})" for t in tokens
    )


def _total(converter: Any) -> bool:
    """Whether to_python accepts every text the converter's regex matches."""
    name, arguments = _key(converter)[0], _key(converter)[1:]
    if name in ("str", "slug", "uuid", "path", "any"):
        return True
    if name in ("int", "float"):
        low, high, _ = arguments[0]
        return low is None and high is None
    return False


def _duplicate_names(routes: list[Route]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    seen: dict[tuple[str, frozenset[str]], Route] = {}
    for route in routes:
        name = route_name(route)
        if name is None:
            continue
        signature = (name, _arguments(route))
        if signature in seen:
            first = seen[signature]
            names = ", ".join(sorted(signature[1])) or "no arguments"
            messages.append(
                Warning(
                    f"URL routes {_described(first)} and {_described(route)} share the name "
                    f"'{name}' and the same arguments ({names}): reverse('{name}') always "
                    f"builds the later one, so {_described(first)} cannot be reversed.",
                    hint="Give one of them another name.",
                    obj=route.entry,
                    id="routing.W003",
                )
            )
        seen[signature] = route
    return messages


def _arguments(route: Route) -> frozenset[str]:
    names: set[str] = set()
    for pattern in [*(r.pattern for r in route.chain), getattr(route.entry, "pattern", None)]:
        regex = getattr(pattern, "regex", None)
        if regex is not None:
            names.update(regex.groupindex)
            names.update(f"#{i}" for i in range(regex.groups - len(regex.groupindex)))
    return frozenset(names)


def _round_trips(routes: list[Route]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    done: set[tuple[Any, ...]] = set()
    for route in routes:
        for param in params(route):
            key = _key(param.converter)
            if key in done:
                continue
            done.add(key)
            problem = round_trip_problem(param.converter)
            if problem:
                messages.append(
                    Error(
                        f"The converter <{param.spec}> of URL route {_described(route)} does "
                        f"not round-trip: {problem}. reverse() then builds URLs that do not "
                        "resolve to the same value, or none at all.",
                        hint="Make to_url() return text that the converter's regex matches "
                        "and to_python() reads back as the same value (e.g. '%04d' % value "
                        "for a four-digit year).",
                        obj=route.entry,
                        id="routing.E004",
                    )
                )
    return messages


def round_trip_problem(converter: Any) -> str | None:
    """What goes wrong with ``to_url(to_python(sample))`` on a sample, or None."""
    regex = re.compile(converter.regex)
    for sample in getattr(converter, "samples", None) or GENERIC_SAMPLES:
        if regex.fullmatch(sample) is None:
            continue
        try:
            value = converter.to_python(sample)
        except ValueError:
            continue
        try:
            text = str(converter.to_url(value))
        except Exception as exc:  # any error here is the converter's bug to report
            return f"to_python({sample!r}) = {value!r}, and to_url() raised {exc!r}"
        if regex.fullmatch(text) is None:
            return (
                f"to_python({sample!r}) = {value!r}, to_url({value!r}) = {text!r}, which its "
                f"regex {converter.regex!r} does not match"
            )
        try:
            again = converter.to_python(text)
        except ValueError as exc:
            return f"to_url({value!r}) = {text!r}, which to_python() rejects: {exc}"
        if again != value:
            return f"to_python({sample!r}) = {value!r}, but to_python(to_url(...)) = {again!r}"
    return None
