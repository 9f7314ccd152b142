"""The SQL of the log, one module per database: the capture triggers, and reading the log
in commit order."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from .base import LogBackend, Unsupported


def backend_for(connection: BaseDatabaseWrapper) -> LogBackend:
    """The log backend of ``connection``'s database, or :class:`Unsupported`."""
    if connection.vendor == "postgresql":
        from .postgresql import PostgreSQLBackend

        return PostgreSQLBackend(connection)
    if connection.vendor == "sqlite":
        from .sqlite import SQLiteBackend

        return SQLiteBackend(connection)
    raise Unsupported(
        f"django_realtime captures changes with triggers on PostgreSQL and SQLite; database "
        f"{connection.alias!r} is {connection.display_name}, which it does not support. "
        "Point REALTIME['DATABASE'] at a PostgreSQL or SQLite database."
    )


__all__ = ["LogBackend", "Unsupported", "backend_for"]
