"""The log's tables: one row per captured statement (PostgreSQL) or row (SQLite), and the
log's identity and retention state."""

from __future__ import annotations

from django.db import models


class LogEntry(models.Model):
    """Objects of one table that one statement changed, written by the capture triggers in
    the writer's own transaction.

    ``position`` orders entries by commit: on PostgreSQL the follower assigns it to
    committed entries, one reader at a time (see :mod:`.backends.postgresql`); on SQLite,
    whose writers commit one at a time, ``id`` is already in commit order and is the
    position.
    """

    id = models.BigAutoField(primary_key=True)
    # PostgreSQL only; its indexes (unique, and of the entries without one) are made there
    # by the capture's installer: on SQLite they would only slow every write.
    position = models.BigIntegerField(null=True)
    table_name = models.CharField(max_length=128)
    op = models.CharField(max_length=1)  # I, U, D: a hint; the row is read again anyway
    pks = models.TextField()  # the changed objects' primary keys, as JSON
    created = models.DateTimeField()

    class Meta:
        db_table = "django_realtime_log"

    def __str__(self) -> str:
        return f"{self.position or self.id}: {self.op} {self.table_name} {self.pks}"


class LogState(models.Model):
    """One row: the log's epoch (cursors name it) and how far retention has pruned it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    epoch = models.CharField(max_length=16)
    pruned_through = models.BigIntegerField(default=0)
    pruned_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "django_realtime_logstate"

    def __str__(self) -> str:
        return f"log {self.epoch}, pruned through {self.pruned_through}"
