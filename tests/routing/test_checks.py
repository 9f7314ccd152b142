"""routing's system checks: duplicates, shadowed routes, duplicate names, round trips."""

from __future__ import annotations

import types
from typing import Any

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import include, re_path, register_converter

from routing import path, websocket
from routing.checks import run_checks
from routing.routes import flatten

from .corpus import FourDigitYear
from .views import first, second, socket


def messages(patterns: list[Any]) -> list[tuple[str, str]]:
    return [(m.id, m.msg) for m in run_checks(flatten(patterns))]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (
            [path("a/<int:pk>/", first, name="one"), path("a/<int:id>/", second, name="two")],
            [(
                "routing.W001",
                "URL route 'a/<int:id>/' [name='two'] duplicates 'a/<int:pk>/' [name='one'], "
                "which comes first: it is never reached.",
            )],
        ),
        (
            [path("<slug:s>/", first, name="article"), path("new/", second, name="new")],
            [(
                "routing.W002",
                "URL route 'new/' [name='new'] is shadowed by '<slug:s>/' [name='article'], "
                "which comes first and matches every path it matches: it is never reached.",
            )],
        ),
        (
            [
                path("api/", include([path("<str:x>/", first)])),
                path("api/<int:y>-<int:m>/", second),
            ],
            [(
                "routing.W002",
                "URL route 'api/<int:y>-<int:m>/' is shadowed by 'api/<str:x>/', which comes "
                "first and matches every path it matches: it is never reached.",
            )],
        ),
        (
            [path("<slug:s>/", first), path("<int:n>/", second), path("<any(a, b):c>/", second)],
            [
                (
                    "routing.W002",
                    "URL route '<int:n>/' is shadowed by '<slug:s>/', which comes first and "
                    "matches every path it matches: it is never reached.",
                ),
                (
                    "routing.W002",
                    "URL route '<any(a, b):c>/' is shadowed by '<slug:s>/', which comes first "
                    "and matches every path it matches: it is never reached.",
                ),
            ],
        ),
        (
            [path("x/", first, name="x"), path("y/", second, name="x")],
            [(
                "routing.W003",
                "URL routes 'x/' [name='x'] and 'y/' [name='x'] share the name 'x' and the same "
                "arguments (no arguments): reverse('x') always builds the later one, so 'x/' "
                "[name='x'] cannot be reversed.",
            )],
        ),
    ],
)  # fmt: skip
def test_problems_are_reported(patterns: list[Any], expected: list[tuple[str, str]]) -> None:
    assert messages(patterns) == expected


@pytest.mark.parametrize(
    "patterns",
    [
        [path("new/", first), path("<slug:s>/", second)],  # the static route comes first
        [path("<int(min=1):pk>/", first), path("<str:x>/", second)],
        [path("<int:pk>/", first), path("<slug:s>/", second)],  # int covers less than slug
        [path("<date:d>/", first), path("2024-02-30/", second)],  # date refuses that one
        [path("<slug:s>/", first), path("a.b/", second)],
        [path("a/", first), websocket("a/", socket)],  # HTTP and websocket are apart
        [path("<int:n>/", first, name="n"), path("", second, name="n")],  # other arguments
        [path("a/", include(([path("x/", first, name="x")], "a"))), path("x/", first, name="x")],
        [re_path(r"^(?P<s>[a-z]+)/$", first), path("new/", second)],  # regexes are not read
        [path("<path:p>", first), path("x/", second)],
        [path("p<str:a>", include([path("-<str:b>/", first)])), path("px-y/", second)],
    ],
)
def test_no_false_alarms(patterns: list[Any]) -> None:
    assert messages(patterns) == []


def test_converters_that_do_not_round_trip(converter_registry: None) -> None:
    class NoPadding(FourDigitYear):
        def to_url(self, value: int) -> str:
            return str(value)

    register_converter(NoPadding, "year")
    register_converter(FourDigitYear, "padded")
    patterns = [path("a/<year:y>/", first, name="a"), path("b/<padded:y>/", first)]
    assert messages(patterns) == [
        (
            "routing.E004",
            "The converter <year> of URL route 'a/<year:y>/' [name='a'] does not round-trip: "
            "to_python('0042') = 42, to_url(42) = '42', which its regex '[0-9]{4}' does not "
            "match. reverse() then builds URLs that do not resolve to the same value, or none "
            "at all.",
        )
    ]


def test_checks_run_with_djangos(converter_registry: None) -> None:
    urls = types.ModuleType("shadowed_urls")
    urls.urlpatterns = [path("<slug:s>/", first), path("new/", second)]  # type: ignore[attr-defined]
    with override_settings(ROOT_URLCONF=urls):
        found = checks.run_checks(tags=[checks.Tags.urls])
    assert [m.id for m in found if m.id.startswith("routing.")] == ["routing.W002"]
    assert (
        found[0].hint == "Move 'new/' before '<slug:s>/', or narrow the earlier route's converter."
    )


def test_the_testproject_is_clean(settings: Any) -> None:
    settings.ROOT_URLCONF = "project.urls"
    found = checks.run_checks(tags=[checks.Tags.urls])
    assert [m for m in found if m.id.startswith("routing.")] == []
