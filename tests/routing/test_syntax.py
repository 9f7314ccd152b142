"""Routes with converter arguments: what they compile to, and how a mistake is reported."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, include, register_converter
from django.urls import path as django_path

from routing import TypedRoutePattern, path, websocket
from routing.converters import AnyConverter, IntConverter, StringConverter
from routing.syntax import Param, parse

from .corpus import FourDigitYear
from .views import first, socket


@pytest.mark.parametrize(
    "route",
    [
        "", "articles/", "articles/<int:pk>/", "<slug:slug>/<uuid:id>/", "<path:rest>",
        "a.b+c/<str:x>", "<name>/", "x<int:a>-<int:b>y/", "a<b", "a>b", "<>/", "ünï/<int:n>",
    ],
)  # fmt: skip
def test_routes_without_arguments_compile_like_djangos(route: str) -> None:
    ours, theirs = path(route, first).pattern, django_path(route, first).pattern
    assert ours.regex.pattern == theirs.regex.pattern
    assert ours.converters.keys() == theirs.converters.keys()
    # routing's converters subclass Django's: isinstance() checks elsewhere still hold.
    assert all(isinstance(ours.converters[k], type(v)) for k, v in theirs.converters.items())


@pytest.mark.parametrize(
    ("route", "regex"),
    [
        ("<int(min=1):pk>/", r"^(?P<pk>[0-9]+)/\Z"),
        ("<int(max=9999, signed=True):n>", r"^(?P<n>-?[0-9]+)\Z"),
        ("<str(min_length=2, max_length=2):lang>/", r"^(?P<lang>[^/]{2,2})/\Z"),
        ("<str(max_length=5):s>", r"^(?P<s>[^/]{1,5})\Z"),
        ("<str(min_length=3):s>", r"^(?P<s>[^/]{3,})\Z"),
        ("<slug(max_length=50):s>", r"^(?P<s>[-a-zA-Z0-9_]{1,50})\Z"),
        ("<any(draft, published):status>/", r"^(?P<status>(?:draft|published))/\Z"),
        ("<any('a.b', \"c,d\"):x>", r"^(?P<x>(?:a\.b|c,d))\Z"),
        ("<any(1, 007):x>", r"^(?P<x>(?:1|007))\Z"),
        ("<date:day>/", r"^(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})/\Z"),
        ("<float:f>", r"^(?P<f>[0-9]+(?:\.[0-9]+)?)\Z"),
        ("<float(signed=True):f>", r"^(?P<f>-?[0-9]+(?:\.[0-9]+)?)\Z"),
        ("<int( min = 1 ,max=2, ):pk>", r"^(?P<pk>[0-9]+)\Z"),
    ],
)
def test_converter_arguments_compile_to_regexes(route: str, regex: str) -> None:
    assert path(route, first).pattern.regex.pattern == regex


def test_tokens_keep_literal_text_and_the_converter_as_written() -> None:
    tokens = parse("a/<int( min = 1 ):pk>-<slug:s>.json")
    assert [tokens[0], tokens[2], tokens[4]] == ["a/", "-", ".json"]
    assert tokens[1] == Param("pk", IntConverter(min=1), "int(min=1)")
    assert tokens[3].spec == "slug"  # type: ignore[union-attr]


def test_path_builds_django_patterns() -> None:
    endpoint = path("a/<int(min=1):pk>/", first, {"x": 1}, name="a")
    assert isinstance(endpoint, URLPattern)
    assert isinstance(endpoint.pattern, TypedRoutePattern)
    assert (endpoint.name, endpoint.default_args) == ("a", {"x": 1})
    # str() is Django's syntax, for the tools that parse routes; .route is as written.
    assert str(endpoint.pattern) == "a/<int:pk>/"
    assert endpoint.pattern.route == "a/<int(min=1):pk>/"
    prefix = path("api/<int:v>/", include([endpoint], namespace=None), {"y": 2})
    assert isinstance(prefix, URLResolver)
    assert prefix.pattern.regex.pattern == r"^api/(?P<v>[0-9]+)/"
    assert prefix.default_kwargs == {"y": 2}


def test_django_matches_routing_patterns_on_its_own() -> None:
    pattern = path("items/<int(min=1):pk>/<date:d>/", first).pattern
    assert pattern.match("items/3/2024-01-31/") == ("", (), {"pk": 3, "d": date(2024, 1, 31)})
    assert pattern.match("items/0/2024-01-31/") is None
    assert pattern.match("items/3/2024-02-30/") is None


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (
            "a/<itn:pk>/",
            "URL route 'a/<itn:pk>/' uses unknown converter 'itn'. Did you mean 'int'? Use one "
            "of any, date, float, int, path, slug, str, uuid, or register it with "
            "django.urls.register_converter().",
        ),
        (
            "<int(min=x):pk>",
            "URL route '<int(min=x):pk>' has invalid converter arguments in <int(min=x):pk>: "
            "min must be an integer, got 'x'. Usage: <int(min=1, max=9999, signed=False):pk>.",
        ),
        (
            "<int(mni=1):pk>",
            "URL route '<int(mni=1):pk>' has invalid converter arguments in <int(mni=1):pk>: "
            "int has no argument 'mni' (it takes min, max, signed). "
            "Usage: <int(min=1, max=9999, signed=False):pk>.",
        ),
        (
            "<int(5):pk>",
            "URL route '<int(5):pk>' has invalid converter arguments in <int(5):pk>: int takes "
            "keyword arguments only (min, max, signed). "
            "Usage: <int(min=1, max=9999, signed=False):pk>.",
        ),
        (
            "<int(min=5, max=1):n>",
            "URL route '<int(min=5, max=1):n>' has invalid converter arguments in "
            "<int(min=5, max=1):n>: min=5 is greater than max=1. "
            "Usage: <int(min=1, max=9999, signed=False):n>.",
        ),
        (
            "<int(min=-1):n>",
            "URL route '<int(min=-1):n>' has invalid converter arguments in <int(min=-1):n>: "
            "a negative bound needs signed=True. Usage: <int(min=1, max=9999, signed=False):n>.",
        ),
        (
            "<int(signed=yes):n>",
            "URL route '<int(signed=yes):n>' has invalid converter arguments in "
            "<int(signed=yes):n>: signed must be True or False, got 'yes'. "
            "Usage: <int(min=1, max=9999, signed=False):n>.",
        ),
        (
            "<str(max_length=2, min_length=3):s>",
            "URL route '<str(max_length=2, min_length=3):s>' has invalid converter arguments in "
            "<str(max_length=2, min_length=3):s>: max_length=2 is less than min_length=3. "
            "Usage: <str(min_length=1, max_length=100):s>.",
        ),
        (
            "<any():s>",
            "URL route '<any():s>' has invalid converter arguments in <any():s>: any needs at "
            "least one choice. Usage: <any(draft, published):s>.",
        ),
        (
            "<any(a, a):s>",
            "URL route '<any(a, a):s>' has invalid converter arguments in <any(a, a):s>: the "
            "choices repeat: a, a. Usage: <any(draft, published):s>.",
        ),
        (
            "<date(iso=True):d>",
            "URL route '<date(iso=True):d>' has invalid converter arguments in "
            "<date(iso=True):d>: date takes no arguments. Usage: <date:d>.",
        ),
        (
            "<int:a>/<slug:a>/",
            "URL route '<int:a>/<slug:a>/' uses the parameter name 'a' twice. Rename one of "
            "them: each becomes a keyword argument of the view.",
        ),
        (
            "<int:1a>",
            "URL route '<int:1a>' uses parameter name '1a' which isn't a valid Python identifier.",
        ),
        ("<int :a>", "URL route '<int :a>' cannot contain whitespace in angle brackets <…>."),
        (
            "<int(min=1) :a>",
            "URL route '<int(min=1) :a>' has a component <int(min=1) :a> that is not "
            "<converter(arguments):name>. Write for example <int(min=1):pk>.",
        ),
        (
            "<int(min=1, min=2):a>",
            "URL route '<int(min=1, min=2):a>' repeats the argument 'min' in "
            "<int(min=1, min=2):a>.",
        ),
        (
            "<int(min=1, 2):a>",
            "URL route '<int(min=1, 2):a>' has a positional argument after a keyword argument "
            "in <int(min=1, 2):a>. Put positional arguments first.",
        ),
        (
            "<int(min=1,,max=2):a>",
            "URL route '<int(min=1,,max=2):a>' has an empty argument in <int(min=1,,max=2):a>.",
        ),
        (
            "<any('a):a>",
            "URL route \"<any('a):a>\" has an unclosed quote in <any('a):a>.",
        ),
        (
            "<int(min=1+1):a>",
            "URL route '<int(min=1+1):a>' has an argument '1+1' in <int(min=1+1):a> that is "
            "neither a number, True, False, None, a word nor a quoted text.",
        ),
    ],
)
def test_mistakes_are_reported_when_the_urlconf_loads(route: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"^{re.escape(message)}$"):
        path(route, first)


def test_converters_registered_with_django_work_unchanged(converter_registry: None) -> None:
    register_converter(FourDigitYear, "yyyy")
    ours, theirs = path("<yyyy:y>/", first).pattern, django_path("<yyyy:y>/", first).pattern
    assert ours.converters["y"] is theirs.converters["y"]
    assert ours.match("2024/") == theirs.match("2024/") == ("", (), {"y": 2024})


def test_registered_converters_take_arguments_their_class_accepts(
    converter_registry: None,
) -> None:
    class Prefixed:
        def __init__(self, prefix: str = "id") -> None:
            self.prefix = prefix
            self.regex = re.escape(prefix) + "[0-9]+"

        def to_python(self, value: str) -> int:
            return int(value.removeprefix(self.prefix))

        def to_url(self, value: int) -> str:
            return f"{self.prefix}{value}"

    register_converter(Prefixed, "prefixed")  # type: ignore[arg-type]
    pattern = path("<prefixed(prefix='n'):n>/", first).pattern
    assert pattern.match("n12/") == ("", (), {"n": 12})
    with pytest.raises(
        ImproperlyConfigured, match=r"prefixed has no argument 'x' \(it takes none\)"
    ):
        path("<prefixed(x=1):n>/", first)


def test_a_registered_name_wins_over_routings_own(converter_registry: None) -> None:
    class Weekday:
        regex = "mon|tue"

        def to_python(self, value: str) -> str:
            return value

        def to_url(self, value: str) -> str:
            return value

    register_converter(Weekday, "date")  # type: ignore[arg-type]
    assert path("<date:d>/", first).pattern.match("mon/") == ("", (), {"d": "mon"})


def test_websocket_routes_need_an_asgi_application() -> None:
    class Consumer:
        pass

    with pytest.raises(
        TypeError,
        match=r"^websocket\(\) needs an ASGI application, got the class Consumer; "
        r"pass Consumer.as_asgi\(\).$",
    ):
        websocket("ws/", Consumer)  # type: ignore[arg-type]
    assert websocket("ws/<int:room>/", socket, name="room").resolve("ws/1/") is None


@pytest.mark.parametrize(
    ("view", "error"),
    [
        (object(), "view must be a callable or a list/tuple in the case of include()."),
    ],
)
def test_path_refuses_what_djangos_refuses(view: Any, error: str) -> None:
    with pytest.raises(TypeError, match=f"^{re.escape(error)}$"):
        path("a/", view)
    with pytest.raises(TypeError, match=r"^kwargs argument must be a dict, but got list.$"):
        path("a/", first, [])  # type: ignore[arg-type]


def test_uuid_and_any_converters() -> None:
    pattern = path("<uuid:u>/<any(draft, published):s>/", first).pattern
    value = "12345678-1234-5678-1234-567812345678"
    assert pattern.match(f"{value}/draft/") == ("", (), {"u": uuid.UUID(value), "s": "draft"})
    assert pattern.match(f"{value}/gone/") is None
    assert isinstance(pattern.converters["s"], AnyConverter)
    assert isinstance(path("<str:s>", first).pattern.converters["s"], StringConverter)
