"""SQLite: row-level triggers; the id is the position.

SQLite lets one transaction write at a time and holds its write lock until it commits, and
the log's id is an AUTOINCREMENT key, so ids are handed out in commit order: a reader that
has read id N never finds a new entry at or below N.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog import Source
from .base import LOG_TABLE, PREFIX, DbObject, LogBackend, Row, object_name

SCHEMA_VERSION = 1
NOW = "CURRENT_TIMESTAMP"  # UTC, to the second: what retention by age needs

_TRIGGER = "CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN\n{body}\nEND"
_ENTRY = (
    "    INSERT INTO {log} (table_name, op, pks, created) "
    "VALUES ('{subject}', '{op}', {pks}, {now});"
)


class SQLiteBackend(LogBackend):
    vendor = "sqlite"
    position_field = "id"

    def objects(self, sources: Sequence[Source]) -> list[DbObject]:
        objects = []
        for source in sources:
            for event in ("INSERT", "UPDATE", "DELETE"):
                name = object_name(event[0].lower(), SCHEMA_VERSION, _TRIGGER, _ENTRY, source)
                sql = _TRIGGER.format(
                    name=name,
                    event=event,
                    table=self.quote(source.table),
                    body=self._body(event, source),
                )
                objects.append(DbObject(name, [sql], source.table))
        return objects

    def _body(self, event: str, source: Source) -> str:
        lines = []
        for subject, column in source.subjects:
            own = subject == source.table and column == source.pk_column
            op = ("U" if event == "UPDATE" else event[0]) if own else "U"
            new, old = f"NEW.{self.quote(column)}", f"OLD.{self.quote(column)}"
            # An integer key is its own JSON; the reader takes one value as a list of one.
            one = "{}" if column in source.integer_columns else "json_array({})"
            if event == "INSERT":
                pks = one.format(new)
            elif event == "DELETE":
                pks = one.format(old)
            else:  # the key may have changed: both objects changed
                pks = (
                    f"CASE WHEN {old} IS {new} THEN {one.format(new)} "
                    f"ELSE json_array({old}, {new}) END"
                )
            lines.append(
                _ENTRY.format(
                    log=LOG_TABLE, subject=subject.replace("'", "''"), op=op, pks=pks, now=NOW
                )
            )
        return "\n".join(lines)

    def installed(self) -> dict[str, str]:
        with self.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
                "ESCAPE '\\'",
                [PREFIX.replace("_", "\\_") + "%"],
            )
            return {name: f"DROP TRIGGER IF EXISTS {name}" for (name,) in cursor.fetchall()}

    def read(self, after: int, limit: int) -> list[Row]:
        with self.cursor() as cursor:
            cursor.execute(
                f"SELECT id, table_name, op, pks, id FROM {LOG_TABLE} WHERE id > %s ORDER BY id "
                "LIMIT %s",
                [after, limit],
            )
            return list(cursor.fetchall())

    def head(self) -> int:
        with self.cursor() as cursor:
            # sqlite_sequence keeps the last id even when retention has removed its entry.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [LOG_TABLE])
            row = cursor.fetchone()
            return int(row[0]) if row else 0

    def id_at(self, position: int) -> int | None:
        return position  # the id is the position; SQLite loses no commit it has answered

    def insert_sql(self) -> str:
        return f"INSERT INTO {LOG_TABLE} (table_name, op, pks, created) VALUES (%s, %s, %s, {NOW})"
