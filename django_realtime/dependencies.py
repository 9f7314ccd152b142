"""What an object's event depends on besides its own row: related rows that its serializer
shows (``author.username``, a nested serializer, a ``SlugRelatedField``), rows its view's
queryset filters through (``article__status``), and what the view declares::

    class CommentViewSet(RealtimeMixin, viewsets.ModelViewSet):
        realtime_depends_on = ["article__author"]  # read by a SerializerMethodField, say

A dependency is an ORM lookup path from the view's model to a related model; when a row of
that model changes, the objects that reach it through the path are evaluated again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP
from django.db.models.sql.datastructures import Join


@dataclass(frozen=True)
class Dependency:
    path: str  # "author", "article__author"
    model: type[Model]  # the model at the end of the path

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def resolve(model: type[Model], paths: Iterable[str]) -> list[Dependency]:
    """The dependencies named by ``paths``; an error that says which part is wrong."""
    found = {}
    for path in paths:
        current = model
        for part in path.split(LOOKUP_SEP):
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                raise ImproperlyConfigured(
                    f"realtime_depends_on of {model.__name__}: {path!r} is not a relation "
                    f"path ({current.__name__} has no field {part!r})."
                ) from None
            related = getattr(field, "related_model", None)
            if not (field.is_relation and isinstance(related, type)):
                raise ImproperlyConfigured(
                    f"realtime_depends_on of {model.__name__}: {path!r} must end at a related "
                    f"model, but {current.__name__}.{part} is not a relation."
                )
            current = related
        found[path] = Dependency(path, current)
    return list(found.values())


def declared(view_class: type[Any]) -> list[str]:
    paths = getattr(view_class, "realtime_depends_on", None) or ()
    if isinstance(paths, str):
        raise ImproperlyConfigured(
            f"{view_class.__name__}.realtime_depends_on must be a list of paths, like "
            f"[{paths!r}], not a string."
        )
    return list(paths)


def of_view_class(view_class: type[Any], model: type[Model]) -> list[Dependency]:
    """What can be known without a request: the declared paths, and the serializer class's
    fields (for the capture, which must know its tables before any request)."""
    paths = declared(view_class)
    serializer_class = getattr(view_class, "serializer_class", None)
    if serializer_class is not None:
        # A serializer that needs its context to build its fields is left to the audience.
        with contextlib.suppress(Exception):
            paths += from_serializer(serializer_class(), model)
    return resolve(model, paths)


def of_view(view: Any, serializer: Any, queryset: Any) -> list[Dependency]:
    """Everything, for an audience: declared, its serializer, and its queryset's joins."""
    model = queryset.model
    paths = declared(type(view)) + from_serializer(serializer, model) + from_queryset(queryset)
    return resolve(model, paths)


def from_serializer(serializer: Any, model: type[Model], prefix: str = "") -> list[str]:
    """Relation paths whose rows the serializer's fields show more of than a key."""
    from rest_framework import relations, serializers

    paths: list[str] = []
    for field in serializer.fields.values():
        if field.write_only:
            continue
        child = getattr(field, "child_relation", None) or getattr(field, "child", None)
        shown = (
            child
            if isinstance(field, (relations.ManyRelatedField, serializers.ListSerializer))
            else field
        )
        if field.source == "*" or shown is None:
            continue
        walked = list(_walk(model, field.source.split(".")))
        if not walked:
            continue
        path, related, rest = walked[-1]
        full = prefix + path
        if rest:  # "author.username": an attribute of the related row
            paths.append(full)
        elif isinstance(shown, serializers.BaseSerializer):  # nested: its fields, deeper
            paths.append(full)
            paths += from_serializer(shown, related, full + LOOKUP_SEP)
        elif _shows_more_than_the_key(shown):
            paths.append(full)
    return paths


def _walk(model: type[Model], parts: list[str]) -> Iterator[tuple[str, type[Model], list[str]]]:
    """(path so far, related model, the parts left) for each relation along ``parts``."""
    path: list[str] = []
    current = model
    for i, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return  # a property, a method: not something the ORM can follow
        related = getattr(field, "related_model", None)
        if not (field.is_relation and isinstance(related, type)):
            return
        path.append(part)
        current = related
        yield LOOKUP_SEP.join(path), current, parts[i + 1 :]


def _shows_more_than_the_key(field: Any) -> bool:
    from rest_framework import relations

    if isinstance(field, relations.PrimaryKeyRelatedField):
        return False
    if isinstance(field, relations.HyperlinkedRelatedField):
        return field.lookup_field != "pk"
    return True  # SlugRelatedField, StringRelatedField, a custom RelatedField


def from_queryset(queryset: Any) -> list[str]:
    """Relation paths the queryset joins through (its filters, not select_related)."""
    alias_map = queryset.query.alias_map

    def resolve_alias(alias: str) -> tuple[list[str], Any] | None:
        join = alias_map.get(alias)
        if not isinstance(join, Join):
            return [], queryset.model
        parent = resolve_alias(join.parent_alias)
        related: Any = getattr(join.join_field, "related_model", None)
        if parent is None or not (isinstance(related, type) and issubclass(related, Model)):
            return None
        path, model = parent
        if model._meta.auto_created:  # from a many-to-many table on to its other side
            return path, related
        if related._meta.auto_created:  # into a many-to-many table: the relation's name
            name = _many_to_many_name(model, related)
            return None if name is None else ([*path, name], related)
        return [*path, str(getattr(join.join_field, "name", ""))], related

    paths = []
    for alias in alias_map:
        found = resolve_alias(alias)
        if found and found[0]:
            paths.append(LOOKUP_SEP.join(found[0]))
    model = queryset.model
    return [path for path in dict.fromkeys(paths) if _is_path(model, path)]


def _many_to_many_name(model: type[Model], through: type[Model]) -> str | None:
    """The lookup name, on ``model``, of the many-to-many relation kept in ``through``."""
    for field in model._meta.many_to_many:
        if field.remote_field.through is through:
            return str(field.name)
    for rel in model._meta.related_objects:
        if rel.many_to_many and getattr(rel, "through", None) is through:
            return str(rel.name)
    return None


def _is_path(model: type[Model], path: str) -> bool:
    try:
        resolve(model, [path])
    except ImproperlyConfigured:
        return False
    return True
