"""PostgreSQL: statement-level triggers with transition tables, and a sequencer.

Each captured statement adds one entry per subject table, with the keys of every row it
touched: a bulk ``update()`` of 10,000 rows is one entry, not 10,000.

Ids come from a sequence when the row is inserted, so two transactions can commit in the
other order than their ids: a reader that went by id could pass an entry that commits
later. So entries get their *position* only once committed: every read first runs the
sequencer, which takes a transaction-level advisory lock and numbers, in id order, the
entries that have committed and have no position yet. Sequencers run one at a time, and
each numbers after the last, so positions become visible in increasing order: a reader
that has read position N never finds a new entry at or below N. (PgQ's ticker and its
snapshot batches solve the same problem; this is a simpler relative of it.)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from ..catalog import Source
from .base import LOG_TABLE, PREFIX, DbObject, LogBackend, Row, object_name

SEQUENCE = "realtime_position"
SEQUENCER_LOCK = 0x6472_746C_6F67  # "drtlog"
SCHEMA_VERSION = 4

_FOLLOW = """
CREATE FUNCTION {name}(after bigint, max_rows integer)
RETURNS TABLE (r_position bigint, r_table varchar, r_op varchar, r_pks text, r_id bigint)
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM pg_advisory_xact_lock({lock});
    -- Numbering need not wait for the disk: if the server crashes before it is durable,
    -- the entries are numbered again after the sequence's last values (a reader may then
    -- read them twice: harmless), never below a position already read.
    PERFORM set_config('synchronous_commit', 'off', true);
    UPDATE {log} AS l SET position = s.position
      FROM (SELECT u.id, nextval('{sequence}') AS position
              FROM (SELECT id FROM {log} WHERE position IS NULL ORDER BY id) AS u) AS s
     WHERE l.id = s.id;
    RETURN QUERY SELECT l.position, l.table_name, l.op, l.pks, l.id FROM {log} AS l
     WHERE l.position > after ORDER BY l.position LIMIT max_rows;
END
$f$
"""

_READ = "SELECT r_position, r_table, r_op, r_pks, r_id FROM {function}(%s, %s)"

_CAPTURE = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF TG_OP = 'INSERT' THEN
{inserted}
    ELSIF TG_OP = 'UPDATE' THEN
{updated}
    ELSE
{deleted}
    END IF;
    RETURN NULL;
END
$f$
"""

_ENTRY = (
    "        INSERT INTO {log} (table_name, op, pks, created)\n"
    "        SELECT '{subject}', '{op}', json_agg(k)::text, now()\n"
    "          FROM ({keys}) AS changed HAVING count(*) > 0;"
)

_TRIGGER = (
    "CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
)

# An UPDATE's statement trigger reads only the new rows (an old-rows transition table would
# double its cost); a key that changes (raw SQL: Django never sets a primary key or a
# many-to-many table's keys in an UPDATE) is caught row by row, and only then.
_MOVED = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
{entries}
    RETURN NULL;
END
$f$
"""

_MOVED_ENTRY = (
    "    IF OLD.{column} IS DISTINCT FROM NEW.{column} THEN\n"
    "        INSERT INTO {log} (table_name, op, pks, created)\n"
    "        VALUES ('{subject}', 'U', json_build_array(OLD.{column})::text, now());\n"
    "    END IF;"
)

_MOVED_TRIGGER = (
    "CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON {table} FOR EACH ROW "
    "WHEN ({changed}) EXECUTE FUNCTION {function}()"
)


class PostgreSQLBackend(LogBackend):
    vendor = "postgresql"
    position_field = "position"

    follow_function = object_name("follow", SCHEMA_VERSION, _FOLLOW)

    def lock_pruning(self) -> bool:
        with self.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK + 1])
            return bool(cursor.fetchone()[0])

    def prepare(self) -> None:
        with self.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
            cursor.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {LOG_TABLE}_position ON {LOG_TABLE} (position)"
            )
            cursor.execute(  # what the sequencer numbers: small, as it is numbered at once
                f"CREATE INDEX IF NOT EXISTS {LOG_TABLE}_pending ON {LOG_TABLE} (id) "
                "WHERE position IS NULL"
            )

    def objects(self, sources: Sequence[Source]) -> list[DbObject]:
        follow = self.follow_function
        objects = [
            DbObject(
                follow,
                [
                    _FOLLOW.format(
                        name=follow, lock=SEQUENCER_LOCK, log=LOG_TABLE, sequence=SEQUENCE
                    )
                ],
            )
        ]
        for source in sources:
            objects.extend(self._capture(source))
        return objects

    def _capture(self, source: Source) -> list[DbObject]:
        function = object_name("capture", SCHEMA_VERSION, _CAPTURE, _ENTRY, source)
        objects = [DbObject(function, [self._capture_function(function, source)])]
        events = (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
        for event, tables in events:
            name = object_name(event[0].lower(), SCHEMA_VERSION, _TRIGGER, function, source)
            sql = _TRIGGER.format(
                name=name,
                event=event,
                table=self.quote(source.table),
                tables=tables,
                function=function,
            )
            objects.append(DbObject(name, [sql], source.table))
        return [*objects, *self._moved(source)]

    def _moved(self, source: Source) -> list[DbObject]:
        """A row trigger for an UPDATE that changes a key: the old key's object changed."""
        columns = [self.quote(column) for column in dict.fromkeys(c for _, c in source.subjects)]
        function = object_name("moved", SCHEMA_VERSION, _MOVED, _MOVED_ENTRY, source)
        entries = "\n".join(
            _MOVED_ENTRY.format(
                column=self.quote(column), log=LOG_TABLE, subject=subject.replace("'", "''")
            )
            for subject, column in source.subjects
        )
        trigger = object_name("m", SCHEMA_VERSION, _MOVED_TRIGGER, function, source)
        sql = _MOVED_TRIGGER.format(
            name=trigger,
            columns=", ".join(columns),
            table=self.quote(source.table),
            changed=" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns),
            function=function,
        )
        return [
            DbObject(function, [_MOVED.format(name=function, entries=entries)]),
            DbObject(trigger, [sql], source.table),
        ]

    def _capture_function(self, name: str, source: Source) -> str:
        def entries(op: str, rows: str) -> str:
            lines = []
            for subject, column in source.subjects:
                own = subject == source.table and column == source.pk_column
                column_sql = self.quote(column)
                distinct = "" if own else "DISTINCT "  # many rows can name one object
                keys = (
                    f"SELECT {distinct}{column_sql} AS k FROM {rows} "
                    f"WHERE {column_sql} IS NOT NULL"
                )
                lines.append(
                    _ENTRY.format(
                        log=LOG_TABLE,
                        subject=subject.replace("'", "''"),
                        op=op if own else "U",
                        keys=keys,
                    )
                )
            return "\n".join(lines)

        return _CAPTURE.format(
            name=name,
            inserted=entries("I", "new_rows"),
            updated=entries("U", "new_rows"),
            deleted=entries("D", "old_rows"),
        )

    def installed(self) -> dict[str, str]:
        found: dict[str, str] = {}
        pattern = PREFIX.replace("_", r"\_") + "%"
        with self.cursor() as cursor:
            cursor.execute(
                "SELECT t.tgname, n.nspname, c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND n.nspname = current_schema()",
                [pattern],
            )
            for name, schema, table in cursor.fetchall():
                found[name] = f"DROP TRIGGER {name} ON {self.quote(schema)}.{self.quote(table)}"
            cursor.execute(
                "SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE %s",
                [pattern],
            )
            for name, arguments in cursor.fetchall():
                found[name] = f"DROP FUNCTION {name}({arguments})"
        return found

    def read(self, after: int, limit: int) -> list[Row]:
        sql = _READ.format(function=self.follow_function)
        self.connection.ensure_connection()  # its isolation level is known once connected
        # The sequencer must see what committed while it waited for the lock: a statement of
        # its own, at READ COMMITTED (in autocommit, the call is that statement).
        from django.db.backends.postgresql.psycopg_any import IsolationLevel

        level = getattr(self.connection, "isolation_level", None)
        if level is None or level == IsolationLevel.READ_COMMITTED:
            with self.cursor() as cursor:
                cursor.execute(sql, [after, limit])
                return list(cursor.fetchall())
        with transaction.atomic(using=self.connection.alias), self.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cursor.execute(sql, [after, limit])
            return list(cursor.fetchall())

    def head(self) -> int:
        self.read(2**62, 1)  # numbers what has committed
        with self.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(position), 0) FROM {LOG_TABLE}")
            return int(cursor.fetchone()[0])

    def id_at(self, position: int) -> int | None:
        with self.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {LOG_TABLE} WHERE position = %s", [position])
            row = cursor.fetchone()
            return None if row is None else int(row[0])

    def insert_sql(self) -> str:
        return f"INSERT INTO {LOG_TABLE} (table_name, op, pks, created) VALUES (%s, %s, %s, now())"
