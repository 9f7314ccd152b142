"""routing.reverse(): Django's URLs, and errors that say which argument is wrong."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix
from django.urls import reverse as django_reverse

import routing
from routing import RouteNotFound, reverse

from .views import first

URLCONF = "tests.routing.urls"


@pytest.mark.parametrize(
    ("name", "kwargs", "url"),
    [
        ("home", {}, "/"),
        ("articles:detail", {"pk": 3}, "/articles/3/"),
        ("drafts:detail", {"pk": 3}, "/drafts/3/"),
        ("articles:status", {"pk": 3, "status": "draft"}, "/articles/3/draft/"),
        ("lang", {"lang": "fr"}, "/lang/fr/"),
        ("day", {"day": datetime.date(2024, 1, 31)}, "/day/2024-01-31/"),
        ("room", {"room": 7}, "/ws/rooms/7/"),
        ("echo", {}, "/ws/echo/"),
    ],
)
def test_reverse(name: str, kwargs: dict[str, object], url: str) -> None:
    assert reverse(name, URLCONF, kwargs=kwargs) == url
    assert django_reverse(name, URLCONF, kwargs=kwargs) == url


def test_reverse_by_view_and_with_current_app() -> None:
    assert reverse(first, URLCONF) == "/"
    assert reverse("articles:list", URLCONF, current_app="drafts") == "/drafts/"


def test_query_fragment_and_script_prefix() -> None:
    set_script_prefix("/mount/")
    try:
        url = reverse(
            "articles:detail", URLCONF, kwargs={"pk": 1}, query={"a": [1, 2]}, fragment="x"
        )
    finally:
        clear_script_prefix()
    assert url == "/mount/articles/1/?a=1&a=2#x"


def test_reverse_uses_root_urlconf_by_default() -> None:
    with override_settings(ROOT_URLCONF=URLCONF):
        assert reverse("articles:detail", kwargs={"pk": 2}) == "/articles/2/"
        bound = routing.reverser()
        assert bound("articles:detail", kwargs={"pk": 2}, fragment="top") == "/articles/2/#top"


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        (
            "articles:detail",
            {"pk": 0},
            "Reverse for 'articles:detail' with keyword arguments '{'pk': 0}' not found. "
            "1 pattern(s) tried:\n  articles/<pk>/: pk=0 is invalid: 0 is less than min=1.",
        ),
        (
            "articles:detail",
            {},
            "Reverse for 'articles:detail' with no arguments not found. 1 pattern(s) tried:\n"
            "  articles/<pk>/: missing pk.",
        ),
        (
            "articles:status",
            {"pk": 1, "state": "draft"},
            "Reverse for 'articles:status' with keyword arguments "
            "'{'pk': 1, 'state': 'draft'}' not found. 1 pattern(s) tried:\n"
            "  articles/<pk>/<status>/: missing status; unexpected state.",
        ),
        (
            "lang",
            {"lang": "fra"},
            "Reverse for 'lang' with keyword arguments '{'lang': 'fra'}' not found. 1 "
            "pattern(s) tried:\n  lang/<lang>/: lang='fra' is invalid: 'fra' has 3 characters, "
            "expected 2 to 2.",
        ),
        (
            "articles:detial",
            {"pk": 1},
            "Reverse for 'articles:detial' not found. 'articles:detial' is not a valid view "
            "function or pattern name. Did you mean 'articles:detail' or 'drafts:detail'?",
        ),
        (
            "detail",
            {"pk": 1},
            "Reverse for 'detail' not found. 'detail' is not a valid view function or pattern "
            "name. Did you mean 'articles:detail' or 'drafts:detail'?",
        ),
        (
            "artciles:detail",
            {"pk": 1},
            "'artciles' is not a registered namespace. Did you mean 'articles'?",
        ),
    ],
)
def test_errors_name_the_arguments_and_close_names(
    name: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(RouteNotFound, match=f"^{re.escape(message)}$"):
        reverse(name, URLCONF, kwargs=kwargs)
    with pytest.raises(NoReverseMatch):  # Django's reverse() agrees there is no URL
        django_reverse(name, URLCONF, kwargs=kwargs)


def test_positional_arguments() -> None:
    assert reverse("articles:detail", URLCONF, args=[4]) == "/articles/4/"
    message = (
        "Reverse for 'articles:detail' with arguments '(4, 5)' not found. 1 pattern(s) tried:\n"
        "  articles/<pk>/: takes 1 argument(s) (pk), got 2."
    )
    with pytest.raises(RouteNotFound, match=f"^{re.escape(message)}$"):
        reverse("articles:detail", URLCONF, args=[4, 5])
    with pytest.raises(
        ValueError, match=r"^Don't mix \*args and \*\*kwargs in call to reverse\(\)!$"
    ):
        reverse("articles:detail", URLCONF, args=[4], kwargs={"pk": 4})
