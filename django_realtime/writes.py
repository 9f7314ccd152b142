"""The write side: ring the doorbell once a transaction that wrote a captured table commits.

The triggers record every change in the log whoever makes it; this only makes the server
processes read the log at once instead of at their next poll. Every connection to the
log's database gets an execute wrapper (Django's own hook for instrumenting queries) that
notices statements naming a captured table, however they were made: ``save()``,
``update()``, ``bulk_create()``, a raw cursor. After the commit it rings once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from .log import get_catalog, log_database
from .transport.publisher import ring_soon

logger = logging.getLogger("django_realtime")

# The catalog's tables, and the pattern that finds them in SQL; made again with the catalog.
_tables_pattern: tuple[frozenset[str] | None, re.Pattern[str] | None] = (None, None)


def _pattern() -> re.Pattern[str] | None:
    global _tables_pattern
    tables = get_catalog().tables
    known, pattern = _tables_pattern
    if known is not tables:
        names = "|".join(re.escape(table) for table in sorted(tables, key=len, reverse=True))
        pattern = re.compile(rf"\b(?:{names})\b") if names else None
        _tables_pattern = (tables, pattern)
    return pattern


class RingAfterCommit:
    """The execute wrapper: rings after the commit of a statement that writes a captured
    table."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        head = sql.lstrip()[:6].upper()
        if head != "SELECT" and head != "SAVEPO" and _writes_captured(sql):
            ring_after_commit(self.alias)
        return result


def _writes_captured(sql: str) -> bool:
    try:
        pattern = _pattern()
    except Exception:  # the URLconf cannot be read right now: ring, which is harmless
        return True
    return pattern is not None and pattern.search(sql) is not None


def ring_after_commit(using: str) -> None:
    """Ring once the transaction in progress on ``using`` commits (at once in autocommit)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        _ring()  # autocommit: done; or a manual transaction, which the poll covers
        return
    for entry in connection.run_on_commit:
        if entry[1] is _ring:
            return  # this transaction rings already
    transaction.on_commit(_ring, using=using)


def _ring() -> None:
    try:
        ring_soon()
    except Exception:  # the write has committed; failing now would only hide that
        logger.warning("Could not ring after a commit", exc_info=True)


def watch_connection(connection: BaseDatabaseWrapper) -> None:
    """Add the wrapper to ``connection`` if it is the log's database and has none yet."""
    if connection.alias != log_database():
        return
    if not any(isinstance(w, RingAfterCommit) for w in connection.execute_wrappers):
        # First, not last: connection.execute_wrapper() removes the last wrapper when its
        # block ends, and this one may be added inside such a block (on connecting).
        connection.execute_wrappers.insert(0, RingAfterCommit(connection.alias))


def _connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    watch_connection(connection)
    if connection.vendor == "sqlite" and connection.alias == log_database():
        # Without it, the rows that INSERT OR REPLACE deletes fire no delete trigger.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")


def start() -> None:
    """Watch every connection, present and future (called when the app is ready)."""
    connection_created.connect(_connection_created, dispatch_uid="django_realtime.writes")
    for connection in connections.all(initialized_only=True):
        watch_connection(connection)
