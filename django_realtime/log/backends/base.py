"""What every log backend provides."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from ..catalog import Source

LOG_TABLE = "django_realtime_log"
PREFIX = "realtime_"  # every trigger and function the capture installs starts with it

# (position, subject table, op, pks as JSON text, the entry's id)
Row = tuple[int, str, str, str, int]


class Unsupported(Exception):
    """The database cannot hold the log."""


@dataclass(frozen=True)
class DbObject:
    """A trigger or function the capture needs. ``name`` carries a hash of its definition,
    so a changed definition is a new name: the old object is dropped, the new created."""

    name: str
    create: Sequence[str]
    table: str = ""  # a trigger's table


def object_name(kind: str, *parts: Any) -> str:
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:12]
    return f"{PREFIX}{kind}_{digest}"


class LogBackend:
    vendor = ""
    position_field = ""  # the LogEntry field that holds the position

    def lock_pruning(self) -> bool:
        """In a transaction: whether this process may prune now (no other one is)."""
        return True

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    # -- installing -------------------------------------------------------------------------

    def objects(self, sources: Sequence[Source]) -> list[DbObject]:
        """Everything the capture of ``sources`` needs, in the order to create it."""
        raise NotImplementedError

    def installed(self) -> dict[str, str]:
        """The capture's objects in the database: name -> the statement that drops it."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Create what the log needs beside its tables and is never dropped."""

    # -- reading ----------------------------------------------------------------------------

    def read(self, after: int, limit: int) -> list[Row]:
        """Committed entries after position ``after``, oldest first, at most ``limit``;
        none that commits later will ever get a position at or below the last one read."""
        raise NotImplementedError

    def head(self) -> int:
        """The position of the newest committed entry (0 for a log never written)."""
        raise NotImplementedError

    def id_at(self, position: int) -> int | None:
        """The id of the entry at ``position``, if it is (still) there."""
        raise NotImplementedError

    def insert_sql(self) -> str:
        """An INSERT of one entry with parameters (table, op, pks)."""
        raise NotImplementedError

    def cursor(self) -> Any:
        return self.connection.cursor()
