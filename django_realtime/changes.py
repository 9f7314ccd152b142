"""``emit()``: record a change that the database cannot see.

The capture triggers record every INSERT, UPDATE and DELETE of a captured table, whoever
makes it (see docs/log.md). What they cannot see is a change of what an object *looks
like* that no row of a captured table shows: a serializer field computed from a cache, a
file, another service. ``emit()`` writes such a change into the log, in the current
transaction::

    from django_realtime import emit

    cache.set(f"views:{article.pk}", views)
    emit(article)                          # subscribers get the article again

    emit(Article, pk=42)                   # when only the primary key is at hand

A rollback (of the transaction, or of the savepoint the call was made in) records
nothing, and servers are rung once the transaction commits.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model

from .log import log_database
from .log.backends import backend_for
from .log.catalog import concrete
from .writes import ring_after_commit

Kind = Literal["created", "updated", "deleted"]
KINDS: tuple[Kind, ...] = ("created", "updated", "deleted")
OPS = {"created": "I", "updated": "U", "deleted": "D"}  # as the triggers write them


def emit(
    obj: Model | type[Model],
    kind: Kind = "updated",
    *,
    pk: Any = None,
    using: str | None = None,
) -> None:
    """Record in the log, in the current transaction, that an object changed.

    ``obj`` is the changed instance, or its model class together with ``pk``. ``kind`` is
    ``"created"``, ``"updated"`` or ``"deleted"``; subscribers receive what the change means
    for *them* (an update can be a "created" for a list it enters), so the kind is a hint.
    ``using`` is the database alias whose transaction to write in (default: the router's
    write database for the model); it must hold the log (``REALTIME['DATABASE']``).
    """
    if isinstance(obj, Model):
        model: type[Model] = type(obj)
        if pk is None:
            pk = obj.pk
    elif isinstance(obj, type) and issubclass(obj, Model):
        model = obj
    else:
        raise TypeError(
            f"emit() takes a model instance, or a model class with pk=..., not {obj!r}."
        )
    if pk is None:
        raise ValueError(
            f"emit() needs the primary key of the {model.__name__}: save the instance "
            "first, or call emit() before deleting it, or pass pk=..."
        )
    if kind not in KINDS:
        raise ValueError(f"emit() kind must be one of {', '.join(KINDS)}; got {kind!r}.")
    using = using or router.db_for_write(model)
    if using != log_database():
        raise ImproperlyConfigured(
            f"emit() of a {model.__name__} on database {using!r}: the change log is on "
            f"{log_database()!r} (REALTIME['DATABASE']), and only changes there reach it."
        )
    table = concrete(model)._meta.db_table
    value = pk if isinstance(pk, int) and not isinstance(pk, bool) else str(pk)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            backend_for(connection).insert_sql(), [table, OPS[kind], json.dumps([value])]
        )
    ring_after_commit(using)
