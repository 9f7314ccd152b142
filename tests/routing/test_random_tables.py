"""Random route tables and random paths: Django's resolver and routing's agree on all."""

from __future__ import annotations

import re
import types
from typing import Any

from django.urls import URLResolver, clear_url_caches, include, re_path
from django.urls import path as django_path
from django.urls import reverse as django_reverse
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing
from routing import CompiledResolver, path, websocket
from routing.routes import written

from .test_differential import outcome, reversed_by
from .views import echo, first, second, socket

WORDS = ["a", "b", "new", "1", "x-y", "2024-01-31"]
SPECS = [
    "int", "int(min=1)", "int(max=5)", "int(signed=True)", "str", "str(max_length=2)",
    "slug", "any(a, new, 1)", "date", "float", "path", "uuid",
]  # fmt: skip
PATH_SEGMENTS = [
    "a", "b", "new", "1", "0", "5", "-3", "x-y", "2024-01-31", "2024-02-30", "1.5", "ab",
    "", "a-b-c", "1-2", "new.json", "12345678-1234-5678-1234-567812345678",
]  # fmt: skip


@st.composite
def segments(draw: st.DrawFn, names: list[str], outer: list[str]) -> str:
    def param() -> str:
        # Sometimes an outer level's name comes back: Django lets the inner level win.
        reusable = [name for name in outer if name not in names]
        if reusable and draw(st.integers(0, 4)) == 0:
            name = draw(st.sampled_from(reusable))
        else:
            name = f"p{len(outer) + len(names)}"
        names.append(name)
        return f"<{draw(st.sampled_from(SPECS))}:{name}>"

    kind = draw(st.sampled_from(["word", "word", "param", "param", "partial"]))
    if kind == "word":
        return draw(st.sampled_from(WORDS))
    if kind == "param":
        return param()
    return draw(st.sampled_from(["", "v", "x"])) + param() + draw(st.sampled_from(["", "-", "."]))


@st.composite
def routes(draw: st.DrawFn, outer: list[str]) -> str:
    names: list[str] = []
    parts = [draw(segments(names, outer)) for _ in range(draw(st.integers(0, 3)))]
    outer.extend(name for name in names if name not in outer)
    route = "/".join(parts)
    return route + draw(st.sampled_from(["/", "/", ""])) if route else route


@st.composite
def tables(draw: st.DrawFn, depth: int = 0, outer: tuple[str, ...] = ()) -> list[Any]:
    table: list[Any] = []
    for i in range(draw(st.integers(1, 6 if depth == 0 else 3))):
        names = list(outer)
        route = draw(routes(names))
        kind = draw(st.sampled_from(["path", "path", "path", "django", "include", "re", "ws"]))
        kwargs = draw(st.sampled_from([None, None, {"extra": i}, {"p0": "default"}]))
        name = f"n{depth}-{i}"
        if kind == "include" and depth < 2:
            sub = draw(tables(depth + 1, tuple(names)))
            namespace = draw(st.sampled_from([None, f"ns{depth}{i}"]))
            included = include((sub, namespace), namespace) if namespace else include(sub)
            table.append(path(route, included, kwargs))
        elif (
            kind == "django"
            and "(" not in route
            and all(spec not in route for spec in ("<any", "<date", "<float"))
        ):
            table.append(django_path(route, first, kwargs, name=name))
        elif kind == "re":
            literal = route.replace("<", "").replace(">", "").replace("(", "").replace(")", "")
            table.append(re_path("^" + literal.replace(".", r"\.") + "$", second, kwargs, name))
        elif kind == "ws":
            table.append(websocket(route, socket, kwargs, name=name))
        else:
            table.append(path(route, draw(st.sampled_from([first, second, echo])), kwargs, name))
    return table


paths = (
    st.lists(st.sampled_from(PATH_SEGMENTS), max_size=4)
    .map("/".join)
    .flatmap(lambda p: st.sampled_from(["/" + p, "/" + p + "/"]))
)
VALUES = {
    "int": ["0", "7", "-1"], "int(min=1)": ["0", "3"], "int(max=5)": ["5", "6"],
    "int(signed=True)": ["-2", "2"], "str": ["a", "x-y", "new", "a.b"],
    "str(max_length=2)": ["ab", "abc"], "slug": ["a-b", "new"], "any(a, new, 1)": ["a", "b"],
    "date": ["2024-01-31", "2024-02-30"], "float": ["1.5", "2"], "path": ["a/b", "a", "a/"],
    "uuid": ["12345678-1234-5678-1234-567812345678"],
}  # fmt: skip
_COMPONENT = re.compile(r"<([^>]+):(\w+)>")


def full_routes(table: list[Any], prefix: str = "") -> list[str]:
    """Every endpoint's route, its include() prefixes joined in front."""
    found = []
    for entry in table:
        text = written(entry.pattern)
        if isinstance(entry.pattern, RegexPattern):
            text = text.removeprefix("^").removesuffix("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            found.extend(full_routes(entry.url_patterns, prefix + text))
        else:
            found.append(prefix + text)
    return found


@st.composite
def paths_of(draw: st.DrawFn, table: list[Any]) -> str:
    """A path made from one of the table's routes, with values that may or may not fit."""
    route = draw(st.sampled_from(full_routes(table) or [""]))
    return "/" + _COMPONENT.sub(lambda m: draw(st.sampled_from(VALUES[m[1]])), route)


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(table=tables(), data=st.data())
def test_random_tables_resolve_like_django(table: list[Any], data: st.DataObject) -> None:
    sample = data.draw(st.lists(paths, max_size=6)) + data.draw(
        st.lists(paths_of(table), min_size=1, max_size=6)
    )
    django_resolver = URLResolver(RegexPattern(r"^/"), table)
    ours = CompiledResolver(RegexPattern(r"^/"), table, tried=True)
    for candidate in sample:
        expected = outcome(django_resolver, candidate)
        actual = outcome(ours, candidate)
        if expected[0] == "match":
            assert actual[:2] == expected[:2], candidate
            assert actual[2] is None, candidate
        else:
            assert actual == expected, candidate


@settings(max_examples=150, derandomize=True, deadline=None)
@given(table=tables(), data=st.data())
def test_random_tables_reverse_like_django(table: list[Any], data: st.DataObject) -> None:
    module = types.ModuleType("random_urls")
    module.urlpatterns = table  # type: ignore[attr-defined]
    compiled = types.ModuleType("random_compiled_urls")
    compiled.urlpatterns = routing.compile(table)  # type: ignore[attr-defined]
    names = full_names(table)
    try:
        for name, route in (
            data.draw(st.lists(st.sampled_from(names), max_size=5)) if names else []
        ):
            kwargs = {
                m[2]: data.draw(st.sampled_from(VALUES[m[1]])) for m in _COMPONENT.finditer(route)
            }
            expected = reversed_by(django_reverse, name, module, kwargs=kwargs)
            assert reversed_by(routing.reverse, name, module, kwargs=kwargs) == expected
            assert reversed_by(routing.reverse, name, compiled, kwargs=kwargs) == expected
    finally:
        clear_url_caches()


def full_names(table: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(namespaced name, full route) of every named endpoint."""
    found = []
    for entry in table:
        text = written(entry.pattern)
        if isinstance(entry.pattern, RegexPattern):
            text = text.removeprefix("^").removesuffix("$").replace("\\\\", "")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(full_names(entry.url_patterns, prefix + text, inner))
        elif entry.name:
            found.append((namespace + entry.name, prefix + text))
    return found
