"""``queryset.filter(pk__in=pks)``, compiled once and run for many sets of pks.

Django spends several times longer compiling a query than the database spends running
it. An audience asks the same question for every change, with other primary keys, so it
compiles the question once (per view build) and only swaps the keys in.

The compiled statement is Django's own, from its own compiler, and the rows become model
instances through Django's own ``ModelIterable``; only the values of the primary keys in
the parameters change. Whenever those cannot be found unambiguously, the ORM runs the
query as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, prefetch_related_objects
from django.db.models.query import ModelIterable

logger = logging.getLogger("django_realtime")

SLOTS = 8  # keys per statement; a batch with more runs it several times
INTEGER_KEYS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField",
}  # fmt: skip


class PreparedFetch:
    """Prepared on its second use (a fetch that runs once costs what the ORM's does), or
    at once with ``now=True``."""

    def __init__(self, queryset: Any, *, now: bool = False) -> None:
        self.queryset = queryset
        self.compiler: Any = None
        self.uses = 0
        self.tried = False
        if now:
            self.prepare()

    def prepare(self) -> None:
        self.tried = True
        try:
            self._prepare()
        except Exception:  # anything unusual: the ORM's way is always right
            logger.debug("Not preparing %r", self.queryset.query, exc_info=True)
            self.compiler = None

    def __call__(self, pks: Sequence[Any]) -> list[Model]:
        self.uses += 1
        if self.uses == 2 and not self.tried:
            self.prepare()
        if self.compiler is None:
            return list(self.queryset.filter(pk__in=pks))
        instances: list[Model] = []
        for start in range(0, len(pks), SLOTS):
            chunk = list(pks[start : start + SLOTS])
            chunk += [chunk[-1]] * (SLOTS - len(chunk))  # repeating a key changes nothing
            params = list(self.params)
            for position, pk in zip(self.positions, chunk, strict=True):
                params[position] = self._db_value(pk)
            self.current = (self.sql, tuple(params))
            instances.extend(ModelIterable(_Source(self)))  # type: ignore[arg-type]
        if self.queryset._prefetch_related_lookups:
            prefetch_related_objects(instances, *self.queryset._prefetch_related_lookups)
        return instances

    def _prepare(self) -> None:
        if self.queryset._iterable_class is not ModelIterable:
            return  # values(), values_list(), ...: not what a serializer gets
        pk_field = self.queryset.model._meta.pk
        self.connection = connections[self.queryset.db]
        self.pk_field = pk_field
        sentinels = [pk_field.to_python(value) for value in _sentinels(pk_field)]
        probe = self.queryset.filter(pk__in=sentinels)
        compiler = probe.query.get_compiler(using=self.queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return
        params = tuple(params)
        positions = []
        for sentinel in sentinels:
            value = self._db_value(sentinel)
            found = [
                i
                for i, param in enumerate(params)
                if type(param) is type(value) and param == value
            ]
            if len(found) != 1:
                return
            positions.append(found[0])
        self.sql, self.params, self.positions = sql, params, positions
        self.current = (sql, params)
        compiler.as_sql = self._as_sql  # the compiled statement, with this batch's keys
        self.compiler = compiler

    def _as_sql(self, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...]]:
        return self.current

    def _db_value(self, pk: Any) -> Any:
        field = self.pk_field
        return field.get_db_prep_value(field.get_prep_value(pk), self.connection, prepared=True)


class _Source:
    """What ModelIterable reads of a queryset, with the prepared compiler."""

    def __init__(self, prepared: PreparedFetch) -> None:
        queryset = prepared.queryset
        self.db = queryset.db
        self.model = queryset.model
        self._known_related_objects = queryset._known_related_objects
        self.query = _Query(prepared.compiler)


class _Query:
    def __init__(self, compiler: Any) -> None:
        self.compiler = compiler

    def get_compiler(self, using: str | None = None, **kwargs: Any) -> Any:
        return self.compiler


def _sentinels(field: Any) -> Iterator[Any]:
    """SLOTS distinct keys that no row has and that no other parameter is likely to equal."""
    internal = field.get_internal_type()
    if internal in INTEGER_KEYS:
        return (-7_340_032_000_000 - i for i in range(SLOTS))
    if internal == "UUIDField":
        import uuid

        return (uuid.UUID(int=(0xD7A9 << 112) + i) for i in range(SLOTS))
    if internal in ("CharField", "SlugField", "TextField"):
        return (f"\x00django-realtime-{i}\x00" for i in range(SLOTS))
    raise ValueError(f"no sentinel keys for a {internal}")
