"""Reading the log by position: what the engine asks for, whatever captured it."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, transaction

from .backends import LogBackend, backend_for
from .models import LogState

# Entries read at once; a backlog is read in several batches.
BATCH = 500


@dataclass(frozen=True)
class Entry:
    """Objects of one table that one statement (or row trigger) changed."""

    position: int
    table: str
    op: str  # "I", "U" or "D"
    pks: list[Any]
    id: int = 0  # the row's own id (on SQLite, the position)


def _keys(pks: str) -> list[Any]:
    """An entry's keys: a JSON array, or one JSON value (SQLite's integer keys)."""
    value = json.loads(pks)
    return value if isinstance(value, list) else [value]


class LogReader:
    """The log of database ``using``, read from the calling thread's connection."""

    def __init__(self, using: str) -> None:
        self.using = using

    @property
    def backend(self) -> LogBackend:
        return backend_for(connections[self.using])

    def read(self, after: int, limit: int = BATCH) -> list[Entry]:
        return [
            Entry(position, table, op, _keys(pks), id)
            for position, table, op, pks, id in self.backend.read(after, limit)
        ]

    def id_at(self, position: int) -> int | None:
        return self.backend.id_at(position)

    def head(self) -> int:
        return self.backend.head()

    def state(self) -> LogState:
        """The log's state row, made with a new epoch if the log has none (a new database,
        or one that was flushed)."""
        manager = LogState.objects.using(self.using)
        state = manager.filter(pk=1).first()
        if state is None:
            try:
                with transaction.atomic(using=self.using):
                    state = manager.create(pk=1, epoch=secrets.token_hex(4))
            except IntegrityError:  # another process made it first
                state = manager.get(pk=1)
        return state  # type: ignore[no-any-return]
