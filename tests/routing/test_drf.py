"""routing.drf routers: DRF's API, with lookup converters taken from the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.test.utils import isolate_apps
from django.urls import URLResolver
from django.urls.resolvers import RegexPattern
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from routing import CompiledResolver, include, path
from routing.drf import DefaultRouter, SimpleRouter, field_converter, lookup_converter
from routing.routes import written

from .test_differential import outcome


@pytest.fixture
def models_module(converter_registry: None) -> Iterator[dict[str, type[models.Model]]]:
    with isolate_apps("articles"):

        class Base(models.Model):
            class Meta:
                abstract = True
                app_label = "articles"

            def __str__(self) -> str:
                return str(self.pk)

        class Author(Base):
            name = models.SlugField()

        class Thing(Base):
            class Kind(models.IntegerChoices):
                SMALL = 1
                LARGE = 2

            code = models.UUIDField()
            slug = models.SlugField(max_length=20)
            title = models.CharField(max_length=30)
            status = models.CharField(max_length=10, choices=[("draft", "D"), ("published", "P")])
            kind = models.IntegerField(choices=Kind.choices)
            rank = models.IntegerField()
            score = models.IntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
            position = models.PositiveSmallIntegerField()
            body = models.TextField()
            author = models.ForeignKey(Author, on_delete=models.CASCADE)
            odd = models.CharField(max_length=5, choices=[("a b", "A"), ("c", "C")])

        class Small(Base):
            id = models.SmallAutoField(primary_key=True)

        class Big(Base):
            id = models.BigAutoField(primary_key=True)

        class Plain(Base):
            pass

        yield {"Thing": Thing, "Small": Small, "Big": Big, "Plain": Plain, "Author": Author}


@pytest.mark.parametrize(
    ("model", "field", "converter"),
    [
        ("Plain", "id", "int(min=1)"),
        ("Big", "id", "int(min=1)"),
        ("Small", "id", "int(min=1)"),
        ("Thing", "code", "uuid"),
        ("Thing", "slug", "slug"),
        ("Thing", "title", "str(max_length=30)"),
        ("Thing", "status", "any(draft, published)"),
        ("Thing", "kind", "any(1, 2)"),
        ("Thing", "rank", "int(signed=True)"),
        ("Thing", "score", "int(min=1, max=10)"),
        ("Thing", "position", "int(min=0)"),
        ("Thing", "body", "str"),
        ("Thing", "author", "int(min=1)"),
        ("Thing", "odd", "str(max_length=5)"),  # "a b" cannot be an any() choice
    ],
)
def test_lookup_converter_follows_the_field(
    models_module: dict[str, Any], model: str, field: str, converter: str
) -> None:
    assert field_converter(models_module[model]._meta.get_field(field)) == converter
    path(f"<{converter}:x>/", lambda request: None)  # a valid route


def _viewset(model: type[models.Model], **attributes: Any) -> type[viewsets.ModelViewSet[Any]]:
    class Serializer(serializers.ModelSerializer[Any]):
        class Meta:
            fields = "__all__"

    Serializer.Meta.model = model  # type: ignore[attr-defined]
    return type(
        f"{model.__name__}ViewSet",
        (viewsets.ModelViewSet,),
        {"queryset": model.objects.all(), "serializer_class": Serializer, **attributes},
    )


@pytest.mark.parametrize(
    ("attributes", "converter"),
    [
        ({}, "int(min=1)"),
        ({"lookup_field": "slug"}, "slug"),
        ({"lookup_field": "author__name"}, "slug"),
        ({"lookup_field": "author"}, "int(min=1)"),
        ({"lookup_field": "title__iexact"}, "str"),
        ({"lookup_field": "status", "lookup_value_converter": "str"}, "str"),
        ({"queryset": None}, "str"),
    ],
)
def test_per_viewset_lookup(
    models_module: dict[str, Any], attributes: dict[str, Any], converter: str
) -> None:
    assert lookup_converter(_viewset(models_module["Thing"], **attributes)) == converter


def test_lookup_value_regex_keeps_drfs_regex_routes(models_module: dict[str, Any]) -> None:
    viewset = _viewset(models_module["Thing"], lookup_value_regex="[0-9a-f]{32}")
    router = SimpleRouter()
    router.register("things", viewset)
    assert [url.pattern.regex.pattern for url in router.urls] == [
        "^things/$",
        "^things/(?P<pk>[0-9a-f]{32})/$",
    ]  # DRF's own routes: a lookup regex is not a converter


def test_a_viewset_without_a_model_gets_the_str_converter() -> None:
    class Listed(viewsets.ViewSet):
        queryset = [1, 2, 3]  # a plain list, as DRF's own tests have

        def retrieve(self, request: Any, pk: str) -> Response:
            return Response({"pk": pk})

    router = SimpleRouter()
    router.register("listed", Listed, basename="listed")
    assert _routes(router.urls) == [("listed/<str:pk>/", "listed-detail")]


def test_a_regex_url_path_is_drfs_regex_route() -> None:
    class Years(viewsets.ViewSet):
        @action(detail=False, url_path=r"in/(?P<year>[0-9]{4})")
        def in_year(self, request: Any, year: str) -> Response:
            return Response({"year": year})

        @action(detail=True, url_path=r"on/(?P<day>[0-9]{2})")
        def on_day(self, request: Any, pk: str, day: str) -> Response:
            return Response({"pk": pk, "day": day})

    router = SimpleRouter()
    router.register("years", Years, basename="years")
    resolver = URLResolver(RegexPattern(r"^/"), router.urls)
    found = resolver.resolve("/years/in/2024/")
    assert (found.url_name, found.kwargs) == ("years-in-year", {"year": "2024"})
    found = resolver.resolve("/years/7/on/05/")
    assert (found.url_name, found.kwargs) == ("years-on-day", {"pk": "7", "day": "05"})


def _routes(urls: list[Any]) -> list[tuple[str, str | None]]:
    return [(written(url.pattern), url.name) for url in urls]


def test_simple_router_routes_with_actions(models_module: dict[str, Any]) -> None:
    class ThingViewSet(_viewset(models_module["Thing"], lookup_field="slug")):  # type: ignore[misc]
        @action(detail=True, methods=["post"], url_path="set-status/<any(draft, published):to>")
        def set_status(self, request: Any, slug: str, to: str) -> Response:
            return Response({"slug": slug, "to": to})

        @action(detail=False, url_name="recent-things")
        def recent(self, request: Any) -> Response:
            return Response([])

    router = SimpleRouter()
    router.register("things", ThingViewSet, basename="thing")
    assert _routes(router.urls) == [
        ("things/", "thing-list"),
        ("things/recent/", "thing-recent-things"),
        ("things/<slug:slug>/", "thing-detail"),
        ("things/<slug:slug>/set-status/<any(draft, published):to>/", "thing-set-status"),
    ]
    slashless = SimpleRouter(trailing_slash=False)
    slashless.register("things", ThingViewSet, basename="thing")
    assert _routes(slashless.urls)[2] == ("things/<slug:slug>", "thing-detail")
    resolver = CompiledResolver(RegexPattern(r"^/"), router.urls)
    match = resolver.resolve("/things/abc/set-status/draft/")
    assert (match.url_name, match.kwargs) == ("thing-set-status", {"slug": "abc", "to": "draft"})
    assert match.func.actions == {"post": "set_status"}  # type: ignore[attr-defined]


def test_default_router_adds_root_view_and_suffixes(models_module: dict[str, Any]) -> None:
    router = DefaultRouter()
    router.register("things", _viewset(models_module["Plain"]), basename="thing")
    router.register("", _viewset(models_module["Big"]), basename="big")
    assert _routes(router.urls) == [
        ("things/", "thing-list"),
        ("things<drf_format_suffix:format>", "thing-list"),
        ("things/<int(min=1):pk>/", "thing-detail"),
        ("things/<int(min=1):pk><drf_format_suffix:format>", "thing-detail"),
        ("", "big-list"),
        ("<drf_format_suffix:format>", "big-list"),
        ("<int(min=1):pk>/", "big-detail"),
        ("<int(min=1):pk><drf_format_suffix:format>", "big-detail"),
        ("", "api-root"),
        ("<drf_format_suffix:format>", "api-root"),
    ]
    patterns = [path("api/", include(router.urls))]
    ours = CompiledResolver(RegexPattern(r"^/"), patterns, tried=True)
    django = URLResolver(RegexPattern(r"^/"), patterns)
    for candidate, kwargs in [
        ("/api/things/5.json", {"pk": 5, "format": "json"}),
        ("/api/things/5/", {"pk": 5}),
        ("/api/things/0/", None),
        ("/api/3/", {"pk": 3}),
        ("/api/", {}),
        ("/api/.json", {"format": "json"}),
    ]:
        expected = outcome(django, candidate)
        assert outcome(ours, candidate)[:2] == expected[:2]
        assert (expected[1]["kwargs"] if expected[0] == "match" else None) == kwargs


def test_drf_schema_generators_read_the_routes(settings: Any) -> None:
    from rest_framework.schemas.generators import EndpointEnumerator

    settings.ROOT_URLCONF = "project.urls"
    paths = [path for path, method, view in EndpointEnumerator().get_api_endpoints()]
    assert "/api/articles/{pk}/" in paths
    assert "/api/articles/{pk}{format}" in paths
