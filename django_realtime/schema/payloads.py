"""What a route's events carry: its serializer as a JSON Schema, and its query parameters.

drf-spectacular's serializer mapping is used when it is installed (its OpenAPI 3.0 schemas
are turned into JSON Schema: ``nullable`` becomes a null type); otherwise a minimal
mapping of DRF's fields.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework import fields, relations, serializers
from rest_framework.request import Request

from .messages import Schema
from .routes import RealtimeRoute

logger = logging.getLogger("django_realtime")


class Mapper:
    """Serializers to schemas, sharing one set of components (``#/components/schemas``)."""

    def __init__(self) -> None:
        self._spectacular: Any = None
        try:
            from drf_spectacular.plumbing import ComponentRegistry
        except ImportError:
            return
        self._spectacular = ComponentRegistry()

    def components(self) -> dict[str, Schema]:
        """The component schemas the mapped serializers refer to."""
        if self._spectacular is None:
            return {}
        built = self._spectacular.build({}).get("schemas", {})
        return {name: to_json_schema(schema) for name, schema in built.items()}

    def view(self, route: RealtimeRoute) -> Any:
        """The route's view as a GET would build it (anonymous), for its serializer."""
        request = RequestFactory().get(route.template)
        view = route.view_class(**route.initkwargs)
        view.action, view.format_kwarg, view.args, view.kwargs = route.action, None, (), {}
        view.request = Request(request)
        view.request.user = AnonymousUser()
        return view

    def item(self, route: RealtimeRoute, view: Any) -> Schema:
        """The schema of one object as the route's GET shows it."""
        try:
            serializer = view.get_serializer()
        except Exception:
            logger.warning("AsyncAPI: no serializer for %s", route.template, exc_info=True)
            return {"type": "object"}
        if self._spectacular is not None:
            return self._with_spectacular(view, route, serializer)
        return self.serializer(serializer)

    def body(self, route: RealtimeRoute, view: Any, item: Schema) -> Schema:
        """The body of the route's GET: one object, a list, or a page of one."""
        if route.detail:
            return item
        paginator = getattr(view, "paginator", None)
        if paginator is not None and hasattr(paginator, "get_paginated_response_schema"):
            page: Schema = to_json_schema(
                paginator.get_paginated_response_schema({"type": "array", "items": item})
            )
            return page
        return {"type": "array", "items": item}

    # -- drf-spectacular -------------------------------------------------------------------

    def _with_spectacular(self, view: Any, route: RealtimeRoute, serializer: Any) -> Schema:
        from drf_spectacular.openapi import AutoSchema

        inspector = AutoSchema()
        inspector.registry = self._spectacular
        inspector.view = view
        inspector.path = route.template
        inspector.path_regex = route.template
        inspector.method = "GET"
        component = inspector.resolve_serializer(serializer, "response")
        if not component:  # spectacular discards a serializer without fields
            return self.serializer(serializer)
        return dict(component.ref)

    # -- the minimal mapping ----------------------------------------------------------------

    def serializer(self, serializer: Any) -> Schema:
        if isinstance(serializer, serializers.ListSerializer):
            return {"type": "array", "items": self.serializer(serializer.child)}
        properties, required = {}, []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            properties[name] = self.field(field)
            if field.read_only or field.required:
                required.append(name)
        return {"type": "object", "properties": properties, "required": required}

    def field(self, field: Any) -> Schema:
        schema = self._field(field)
        if getattr(field, "allow_null", False) and "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            schema["type"] = [*kinds, "null"]
        elif getattr(field, "allow_null", False):
            schema = {"anyOf": [schema, {"type": "null"}]}
        if field.read_only:
            schema["readOnly"] = True
        return schema

    def _field(self, field: Any) -> Schema:
        if isinstance(field, serializers.BaseSerializer):
            return self.serializer(field)
        if isinstance(field, relations.ManyRelatedField):
            return {"type": "array", "items": self._field(field.child_relation)}
        if isinstance(field, fields.ListField):
            return {"type": "array", "items": self._field(field.child)}
        if isinstance(field, fields.DictField | fields.HStoreField):
            return {"type": "object"}
        if isinstance(field, relations.HyperlinkedRelatedField):
            return {"type": "string", "format": "uri"}
        if isinstance(field, fields.BooleanField):
            return {"type": "boolean"}
        if isinstance(field, fields.IntegerField):
            return {"type": "integer"}
        if isinstance(field, fields.FloatField):
            return {"type": "number"}
        if isinstance(field, fields.DecimalField):
            as_string = field.coerce_to_string is not False
            return {"type": "string", "format": "decimal"} if as_string else {"type": "number"}
        if isinstance(field, fields.ChoiceField):
            return {"enum": list(field.choices)}
        formats = {
            fields.DateTimeField: "date-time", fields.DateField: "date", fields.TimeField: "time",
            fields.UUIDField: "uuid", fields.EmailField: "email", fields.URLField: "uri",
        }  # fmt: skip
        for kind, format in formats.items():
            if isinstance(field, kind):
                return {"type": "string", "format": format}
        if isinstance(field, fields.CharField | relations.SlugRelatedField):
            return {"type": "string"}
        return {}  # a method field, a JSON field, a primary key of any kind: anything


def query_parameters(view: Any) -> Schema:
    """The query parameters of the view's filter backends and paginator (what DRF's own
    OpenAPI schema lists), as the properties of an object schema."""
    properties: dict[str, Schema] = {}
    sources = [backend() for backend in getattr(view, "filter_backends", [])]
    if getattr(view, "paginator", None) is not None:
        sources.append(view.paginator)
    for source in sources:
        if hasattr(source, "get_filterset_class"):  # django-filter (25 lists none itself)
            properties.update(_filterset_parameters(source, view))
            continue
        inspect = getattr(source, "get_schema_operation_parameters", None)
        if inspect is None:
            continue
        try:
            parameters = inspect(view)
        except Exception:
            logger.warning("AsyncAPI: %r listed no parameters", source, exc_info=True)
            continue
        for parameter in parameters:
            if parameter.get("in") == "query":
                schema = to_json_schema(dict(parameter.get("schema", {})))
                if parameter.get("description"):
                    schema["description"] = str(parameter["description"])
                properties[parameter["name"]] = schema
    return {"type": "object", "properties": properties}


def _filterset_parameters(backend: Any, view: Any) -> dict[str, Schema]:
    from django import forms

    try:
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            queryset = view.get_queryset()
        filterset_class = backend.get_filterset_class(view, queryset)
    except Exception:
        logger.warning("AsyncAPI: no filterset for %r", view, exc_info=True)
        return {}
    if filterset_class is None:
        return {}
    kinds = [
        (forms.NullBooleanField, {"type": "boolean"}), (forms.BooleanField, {"type": "boolean"}),
        (forms.IntegerField, {"type": "integer"}), (forms.DecimalField, {"type": "number"}),
        (forms.FloatField, {"type": "number"}),
    ]  # fmt: skip
    found: dict[str, Schema] = {}
    for name, filter in filterset_class.base_filters.items():
        choices = filter.extra.get("choices")
        if choices and not callable(choices):
            schema: Schema = {"enum": [str(value) for value, _ in choices]}
        else:
            field = filter.field_class
            schema = next(
                (dict(kind) for form, kind in kinds if issubclass(field, form)), {"type": "string"}
            )
        if filter.label or filter.extra.get("help_text"):
            schema["description"] = str(filter.extra.get("help_text") or filter.label)
        found[name] = schema
    return found


def to_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0's schema dialect -> JSON Schema: ``nullable``, ``example``."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: to_json_schema(value) for key, value in schema.items() if key != "nullable"}
    if "example" in out:
        out["examples"] = [out.pop("example")]
    out.pop("discriminator", None)  # OpenAPI's object form; AsyncAPI wants a string
    for bound, limit in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
        # OpenAPI 3.0's flag -> JSON Schema's number
        if isinstance(out.get(bound), bool) and out.pop(bound) and limit in out:
            out[bound] = out.pop(limit)
    if schema.get("nullable"):
        if "type" in out:
            kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*kinds, "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out
