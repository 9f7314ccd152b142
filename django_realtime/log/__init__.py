"""The change log: every committed change of a captured table, in commit order, in the
database itself.

- :mod:`.catalog`: which models are captured, and which models a changed table's rows are;
- :mod:`.backends`: the triggers that write entries in the writer's own transaction, and
  reading entries in commit order, per database (PostgreSQL, SQLite);
- :mod:`.install`: keeping the triggers current (``migrate``, ``realtime_capture``);
- :mod:`.reader`: entries after a position, the head, the log's epoch;
- :mod:`.retention`: pruning by age and size.

The engine asks for entries after a position and never needs to know how they were
captured. See docs/log.md.
"""

from __future__ import annotations

from .catalog import captured, get_catalog, register
from .install import install, log_database, plan, uninstall
from .reader import BATCH, Entry, LogReader
from .retention import prune

__all__ = [
    "BATCH",
    "Entry",
    "LogReader",
    "captured",
    "get_catalog",
    "install",
    "log_database",
    "plan",
    "prune",
    "register",
    "uninstall",
]
