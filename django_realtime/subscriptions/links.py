"""Hyperlinks of a serializer that serves many objects, each reversed once.

``HyperlinkedRelatedField`` (the ``url`` of a ``HyperlinkedModelSerializer``, and any
hyperlinked relation) calls DRF's ``reverse()`` for every object it represents, which
costs as much as the rest of the serialization. A list audience represents the same
objects again and again with one serializer (see docs/audiences.md), and the URL depends
only on the arguments and on the request, which is the serializer's own.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rest_framework.relations import HyperlinkedRelatedField
from rest_framework.serializers import BaseSerializer, ListSerializer


def remember_links(serializer: Any, size: int = 4096) -> None:
    """Make every hyperlinked field of ``serializer`` (nested ones too) remember the last
    ``size`` URLs it reversed, for as long as the serializer is used. A serializer
    without fields (a plain ``BaseSerializer``) is left as it is."""
    for field in getattr(serializer, "fields", {}).values():
        if isinstance(field, ListSerializer):
            field = field.child
        if isinstance(field, BaseSerializer):
            remember_links(field, size)
            continue
        relation = getattr(field, "child_relation", field)  # many=True
        if isinstance(relation, HyperlinkedRelatedField):
            relation.reverse = Remembered(relation.reverse, size)


class Remembered:
    """A ``reverse`` that answers a question it was asked before from memory."""

    def __init__(self, reverse: Any, size: int) -> None:
        self.reverse, self.size = reverse, size
        self.known: dict[Hashable, str] = {}

    def __call__(self, viewname: Any, args: Any = None, kwargs: Any = None, **extra: Any) -> str:
        request = extra.get("request")
        try:
            key: Hashable = (
                viewname,
                tuple(args or ()),
                tuple(sorted((kwargs or {}).items())),
                tuple(sorted((k, v) for k, v in extra.items() if k != "request")),
                id(request),  # the serializer's: the same for all its objects
            )
            return self.known[key]
        except KeyError:
            pass
        except TypeError:  # unhashable arguments: just ask
            return self.reverse(viewname, args=args, kwargs=kwargs, **extra)  # type: ignore[no-any-return]
        url: str = self.reverse(viewname, args=args, kwargs=kwargs, **extra)
        if len(self.known) >= self.size:
            self.known.clear()
        self.known[key] = url
        return url
