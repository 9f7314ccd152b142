"""Every corpus path, resolved by Django's resolver and by routing's: the same answer."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLResolver,
    clear_script_prefix,
    clear_url_caches,
    get_resolver,
    set_script_prefix,
)
from django.urls import reverse as django_reverse
from django.urls.resolvers import RegexPattern

import routing
from routing import CompiledResolver

from .corpus import PATHS, REVERSES, Case


def outcome(resolver: URLResolver, path: str) -> tuple[Any, ...]:
    try:
        match = resolver.resolve(path)
    except Resolver404 as exc:
        return ("404", exc.args[0])
    except Exception as exc:  # a converter's own error must surface the same way
        return ("error", type(exc), str(exc))
    fields = dict(match.__dict__)
    return ("match", fields, fields.pop("tried"))


@pytest.fixture(autouse=True)
def _fresh_resolvers(converter_registry: None) -> Iterator[None]:
    yield
    clear_url_caches()


def _id(value: Any) -> str:
    return value.id if isinstance(value, Case) else repr(value)


@pytest.mark.parametrize(("case", "path"), PATHS, ids=_id)
def test_resolves_like_django(case: Case, path: str) -> None:
    patterns = case.build()
    expected = outcome(URLResolver(RegexPattern(r"^/"), patterns), path)
    actual = outcome(CompiledResolver(RegexPattern(r"^/"), patterns, tried=True), path)
    if expected[0] == "match":
        assert actual[:2] == expected[:2]
        # Like a URLPattern's match, routing's records no tried list (Django's would be
        # every route tried before): the one documented difference.
        assert actual[2] is None
    else:
        assert actual == expected


def _modules(case: Case) -> tuple[types.ModuleType, types.ModuleType]:
    patterns = case.build()
    plain = types.ModuleType(f"plain_{case.id}")
    plain.urlpatterns = patterns  # type: ignore[attr-defined]
    compiled = types.ModuleType(f"compiled_{case.id}")
    compiled.urlpatterns = routing.compile(patterns)  # type: ignore[attr-defined]
    return plain, compiled


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(("case", "path"), PATHS, ids=_id)
def test_plugged_in_resolves_like_django(case: Case, path: str, debug: bool) -> None:
    plain, compiled = _modules(case)
    with override_settings(DEBUG=debug):
        expected = outcome(get_resolver(plain), path)  # type: ignore[arg-type]
        actual = outcome(get_resolver(compiled), path)  # type: ignore[arg-type]
    entry = compiled.urlpatterns[0]  # type: ignore[attr-defined]
    if expected[0] != "404":
        assert actual[:2] == expected[:2]
        if expected[0] == "match":
            assert actual[2] == [[entry]]
        return
    assert actual[0] == "404"
    assert actual[1]["path"] == expected[1]["path"]
    if "tried" not in expected[1]:  # the root's own ^/ did not match
        assert "tried" not in actual[1]
    elif debug:  # what the DEBUG 404 page lists: every pattern, behind the compiled entry
        assert actual[1]["tried"] == [[entry, *tried] for tried in expected[1]["tried"]]
    else:
        assert actual[1]["tried"] == [[entry]]


def reversed_by(reverse: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return ("url", reverse(*args, **kwargs))
    except NoReverseMatch:
        return ("no match", None)
    except ValueError as exc:
        return ("error", str(exc))
    except Exception as exc:  # e.g. re.error when a name repeats across include() levels
        return ("error", type(exc))


@pytest.mark.parametrize("prefix", ["/", "/mount%20point/"])
@pytest.mark.parametrize(("case", "name", "kwargs"), REVERSES, ids=_id)
def test_reverses_like_django(case: Case, name: str, kwargs: dict[str, Any], prefix: str) -> None:
    plain, compiled = _modules(case)
    set_script_prefix(prefix)
    try:
        for extra in ({}, {"args": list(kwargs.values())}, {"current_app": "other"}):
            options = {"kwargs": kwargs, **extra} if "args" not in extra else extra
            expected = reversed_by(django_reverse, name, plain, **options)
            assert reversed_by(routing.reverse, name, plain, **options) == expected
            assert reversed_by(routing.reverse, name, compiled, **options) == expected
    finally:
        clear_script_prefix()


@pytest.mark.parametrize("language", ["en-us", "de", "fr"])
@pytest.mark.parametrize(
    "path",
    ["/en-us/about/", "/de/about/", "/fr/5/", "/about/", "/de/x/", "/plain/", "/de/lazy/2/"],
)
def test_translated_urlconfs_resolve_like_django_in_each_language(
    language: str, path: str
) -> None:
    from django.conf.urls.i18n import i18n_patterns
    from django.utils.translation import gettext_lazy, override

    from .views import first, second, third

    patterns = [
        *i18n_patterns(
            routing.path("about/", first, name="about"),
            routing.path("<int:n>/", second, name="n"),
            routing.path(gettext_lazy("lazy/<int:n>/"), third, name="lazy"),
        ),
        routing.path("plain/", third, name="plain"),
    ]
    ours = CompiledResolver(RegexPattern(r"^/"), patterns, tried=True)
    with override(language):
        expected = outcome(URLResolver(RegexPattern(r"^/"), patterns), path)
        assert outcome(ours, path)[:2] == expected[:2]
        # The tables of this language read the prefix as a literal: no route is opaque.
        table = ours._compiled()[0]
        assert all(endpoint.mode != "exact" for endpoint in table.endpoints.values())
