"""Walking a URLconf that includes itself ends (Django follows such an include only as far
as a path reaches; a walk that expanded it would never end)."""

from __future__ import annotations

from typing import Any

from django.urls import get_resolver

from django_realtime.log.catalog import realtime_views
from django_realtime.schema.routes import realtime_routes
from django_realtime.urlconf import walk

CYCLE = "tests.routing.recursive.outer"  # outer includes inner, which includes outer


def test_a_self_including_urlconf_is_walked_once_around() -> None:
    routes = ["".join(str(part.pattern) for part in (*chain, entry)) for chain, entry in walk(
        get_resolver(CYCLE).url_patterns
    )]  # fmt: skip
    # Plain, the include back to outer is followed once (in/out/leaf/...); compiled, routing
    # keeps it opaque, as Django resolves it; either way the walk ends.
    assert routes[:2] == ["leaf/<int:n>/", "in/page/"]
    assert "in-again/page/" in routes
    assert not [route for route in routes if route.count("in/") + route.count("out/") > 2]


def test_the_catalog_and_the_asyncapi_routes_walk_it(settings: Any) -> None:
    settings.ROOT_URLCONF = CYCLE
    assert realtime_views() == []
    assert realtime_routes() == []
