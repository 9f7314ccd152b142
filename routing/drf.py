"""DRF routers whose lookup converter comes from the model: ``<int(min=1):pk>``, not ``<str:pk>``.

    from routing.drf import DefaultRouter

    router = DefaultRouter()
    router.register("articles", ArticleViewSet)
    urlpatterns = routing.compile([path("api/", include(router.urls))])

The lookup converter follows the model field named by the viewset's ``lookup_field``;
a viewset's ``lookup_value_converter`` (DRF's own attribute) overrides it.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import re_path, register_converter
from django.urls.converters import get_converters
from django.urls.resolvers import RegexPattern
from rest_framework import routers
from rest_framework.settings import api_settings

from .patterns import path
from .routes import written

# Text any() can carry as one choice: no separators, quotes, brackets or slashes.
_PLAIN_CHOICE = re.compile(r"[^\s,'\"()<>/:]+")
_AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)
_POSITIVE_FIELDS = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def field_converter(field: models.Field[Any, Any]) -> str:
    """The converter, as written in a route, for lookups on ``field``."""
    if field.is_relation and field.target_field is not None:  # type: ignore[attr-defined]
        return field_converter(field.target_field)  # type: ignore[attr-defined]
    if field.choices:
        values = [str(value) for value, _ in field.flatchoices]
        if (
            values
            and all(_PLAIN_CHOICE.fullmatch(v) for v in values)
            and len(set(values)) == len(values)
        ):
            return f"any({', '.join(values)})"
    if isinstance(field, _AUTO_FIELDS):
        return "int(min=1)"
    if isinstance(field, models.IntegerField):
        low, high = _bounds(field)
        if isinstance(field, _POSITIVE_FIELDS):
            low = max(low if low is not None else 0, 0)
        arguments = [f"min={low}"] if low is not None else []
        arguments += [f"max={high}"] if high is not None else []
        if low is None or low < 0 or (high is not None and high < 0):
            arguments.append("signed=True")
        return f"int({', '.join(arguments)})"
    if isinstance(field, models.UUIDField):
        return "uuid"
    if isinstance(field, models.SlugField):
        return "slug"
    if isinstance(field, models.CharField) and field.max_length:
        return f"str(max_length={field.max_length})"
    return "str"


def _bounds(field: models.Field[Any, Any]) -> tuple[int | None, int | None]:
    # The validators given to the field, not the database's range (that needs a connection).
    low = high = None
    for validator in getattr(field, "_validators", ()):
        limit = validator.limit_value
        if not isinstance(limit, int):
            continue
        if isinstance(validator, MinValueValidator):
            low = limit if low is None else max(low, limit)
        elif isinstance(validator, MaxValueValidator):
            high = limit if high is None else min(high, limit)
    return low, high


def lookup_converter(viewset: type[Any]) -> str:
    """The viewset's ``lookup_value_converter``, or the one its model's lookup field implies."""
    explicit = getattr(viewset, "lookup_value_converter", None)
    if explicit:
        return str(explicit)
    model: Any = getattr(getattr(viewset, "queryset", None), "model", None)
    if model is None:  # no queryset, or a plain list: nothing says what a lookup is
        return "str"
    lookup = getattr(viewset, "lookup_field", "pk")
    field: Any = None
    for part in lookup.split("__"):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return "str"  # a transform or annotation: the view knows, the router cannot
        model = field.related_model if field.is_relation else None
        if model is None and part != lookup.split("__")[-1]:
            return "str"
    return field_converter(field)


# Routing's placeholders in a route ("<int(min=1):pk>"), not regex named groups.
_PLACEHOLDER = re.compile(r"(?<!\?P)<[^<>]+>")
_REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")
_LOOKUP = "\x00"  # where the lookup goes, while a route's kind is decided


class SimpleRouter(routers.SimpleRouter):
    """DRF's ``SimpleRouter`` producing routing's routes.

    ``routes``, ``get_routes()`` and ``get_lookup_regex()`` keep the shapes DRF documents
    (regex templates), which router extensions build on. Each route becomes a typed
    ``path()`` with the lookup's converter, unless its prefix or ``url_path`` is a regex,
    or the viewset sets ``lookup_value_regex``: then it is DRF's own ``re_path()``.
    """

    def __init__(self, trailing_slash: bool = True, **kwargs: Any) -> None:
        kwargs.pop("use_regex_path", None)
        super().__init__(trailing_slash=trailing_slash, use_regex_path=True, **kwargs)

    def get_lookup_regex(self, viewset: type[Any], lookup_prefix: str = "") -> str:
        """The lookup component of detail routes (DRF's name: nested routers call it): a
        converter placeholder, or DRF's regex for a viewset with ``lookup_value_regex``."""
        if _uses_regex_lookup(viewset):
            return str(super().get_lookup_regex(viewset, lookup_prefix))
        field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or field
        return f"<{lookup_converter(viewset)}:{lookup_prefix}{kwarg}>"

    def get_urls(self) -> list[Any]:
        urls = []
        for prefix, viewset, basename in self.registry:
            lookup = self.get_lookup_regex(viewset)
            regex_lookup = super().get_lookup_regex(viewset)  # DRF's, always a regex
            for route in self.get_routes(viewset):
                mapping: dict[str, Any] = self.get_method_map(viewset, route.mapping)
                if not mapping:
                    continue
                template = route.url.format(
                    prefix=prefix, lookup=_LOOKUP, trailing_slash=self.trailing_slash
                )
                if not prefix:  # the router sits in an include(): no leading slash
                    template = template.replace("^/", "^", 1)
                initkwargs = {**route.initkwargs, "basename": basename, "detail": route.detail}
                view = viewset.as_view(mapping, **initkwargs)
                name = route.name.format(basename=basename)
                body = template.removeprefix("^").removesuffix("$")
                if _uses_regex_lookup(viewset) or _REGEX_SYNTAX.search(
                    _PLACEHOLDER.sub("", body.replace(_LOOKUP, ""))
                ):
                    regex = template.replace(_LOOKUP, regex_lookup)
                    if _PLACEHOLDER.search(regex):
                        raise ImproperlyConfigured(
                            f"{viewset.__name__}'s route {regex!r} needs a regex (its url_path "
                            "or lookup_value_regex), and its prefix has a typed placeholder, "
                            "which a regex route cannot read (a nested router, say). Write "
                            "the url_path with converters, or set lookup_value_converter."
                        )
                    urls.append(re_path(regex, view, name=name))
                else:
                    urls.append(path(body.replace(_LOOKUP, lookup), view, name=name))
        return urls


def _uses_regex_lookup(viewset: type[Any]) -> bool:
    return bool(getattr(viewset, "lookup_value_regex", None)) and not getattr(
        viewset, "lookup_value_converter", None
    )


class DefaultRouter(SimpleRouter, routers.DefaultRouter):
    """DRF's ``DefaultRouter`` (API root view, ``.json`` suffixes) producing routing's routes."""

    def get_urls(self) -> list[Any]:
        urls = SimpleRouter.get_urls(self)
        if self.include_root_view:
            view = self.get_api_root_view(api_urls=urls)
            urls.append(path("", view, name=self.root_view_name))
        if self.include_format_suffixes:
            urls = format_suffix_patterns(urls)
        return urls


class _FormatSuffixConverter:
    """DRF's own suffix converter (``.json``), under DRF's name, for path() routes."""

    regex = r"\.[a-z0-9]+/?"

    def to_python(self, value: str) -> str:
        return value.strip("./")

    def to_url(self, value: str) -> str:
        return "." + value + "/"


def format_suffix_patterns(urlpatterns: list[Any]) -> list[Any]:
    """Each route, then the same route with a ``.json`` style suffix (DRF's behaviour)."""
    if "drf_format_suffix" not in get_converters():
        register_converter(_FormatSuffixConverter, "drf_format_suffix")
    suffix = f"<drf_format_suffix:{api_settings.FORMAT_SUFFIX_KWARG}>"
    result = []
    for pattern in urlpatterns:
        result.append(pattern)
        if isinstance(pattern.pattern, RegexPattern):  # as DRF suffixes its regex routes
            regex = str(pattern.pattern.regex.pattern).rstrip("$").rstrip("/")
            regex += rf"\.(?P<{api_settings.FORMAT_SUFFIX_KWARG}>[a-z0-9]+)/?$"
            result.append(re_path(regex, pattern.callback, pattern.default_args, pattern.name))
            continue
        route = written(pattern.pattern).rstrip("$").rstrip("/") + suffix
        result.append(path(route, pattern.callback, pattern.default_args, pattern.name))
    return result
