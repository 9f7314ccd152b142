"""The app's models: the change log's tables (see :mod:`django_realtime.log`)."""

from .log.models import LogEntry, LogState

__all__ = ["LogEntry", "LogState"]
