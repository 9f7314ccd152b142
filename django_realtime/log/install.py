"""Keep the capture triggers in the database what the catalog says they should be.

``manage.py migrate`` runs :func:`install` when it is done (a migration that rebuilds a
table, as SQLite's ALTER TABLE does, drops its triggers), and so does
``manage.py realtime_capture``. Every trigger and function is named after a hash of its
definition, so comparing names finds what is missing and what is out of date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction

from ..conf import realtime_settings
from .backends import LogBackend, Unsupported, backend_for
from .backends.base import LOG_TABLE, DbObject
from .catalog import get_catalog

logger = logging.getLogger("django_realtime")


@dataclass
class Plan:
    """What :func:`install` would do to bring the database up to date."""

    backend: LogBackend
    create: list[DbObject] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)  # statements

    @property
    def up_to_date(self) -> bool:
        return not (self.create or self.drop)

    def describe(self) -> str:
        parts = []
        if self.create:
            tables = sorted({o.table for o in self.create if o.table})
            parts.append(
                f"{len(self.create)} trigger(s) or function(s) missing"
                + (f" (tables {', '.join(tables)})" if tables else "")
            )
        if self.drop:
            parts.append(f"{len(self.drop)} out of date")
        return "; ".join(parts) or "up to date"


def log_database() -> str:
    return str(realtime_settings.DATABASE)


def has_log_table(using: str) -> bool:
    connection = connections[using]
    with connection.cursor() as cursor:
        return LOG_TABLE in connection.introspection.table_names(cursor)


def plan(using: str | None = None) -> Plan:
    backend = backend_for(connections[using or log_database()])
    wanted = backend.objects(get_catalog().sources)
    installed = backend.installed()
    wanted_names = {obj.name for obj in wanted}
    return Plan(
        backend,
        create=[obj for obj in wanted if obj.name not in installed],
        drop=[sql for name, sql in installed.items() if name not in wanted_names],
    )


def install(using: str | None = None) -> Plan:
    """Create what is missing and drop what is out of date, in one transaction; the plan
    that was carried out."""
    using = using or log_database()
    with transaction.atomic(using=using):
        todo = plan(using)
        todo.backend.prepare()
        with connections[using].cursor() as cursor:
            # Triggers go before the functions they call; a new function before its triggers.
            for sql in sorted(todo.drop, key=lambda s: not s.startswith("DROP TRIGGER")):
                cursor.execute(sql)
            for obj in todo.create:
                for sql in obj.create:
                    cursor.execute(sql)
    if not todo.up_to_date:
        logger.info("Change capture on %r: %s; now installed.", using, todo.describe())
    return todo


def uninstall(using: str | None = None) -> int:
    """Drop every capture trigger and function (the log's tables stay); how many."""
    using = using or log_database()
    with transaction.atomic(using=using):
        backend = backend_for(connections[using])
        drops = sorted(
            backend.installed().values(), key=lambda s: not s.startswith("DROP TRIGGER")
        )
        with connections[using].cursor() as cursor:
            for sql in drops:
                cursor.execute(sql)
    return len(drops)


def install_after_migrate(using: str, **kwargs: Any) -> None:
    """``post_migrate`` receiver: bring capture up to date on the log's database."""
    if using != log_database() or not has_log_table(using):
        return
    try:
        install(using)
    except Unsupported:
        return  # the system check says so, with what to do
