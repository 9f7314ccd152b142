"""Retention: the log keeps entries for ``LOG_RETENTION_SECONDS`` and at most about
``LOG_RETENTION_ENTRIES`` of them. Every server process prunes it now and then (one at a
time), so no cron job is needed; a cursor from before what was pruned gets ``reset``."""

from __future__ import annotations

from datetime import timedelta

from django.db import connections, transaction
from django.db.models import Max, Min
from django.utils import timezone

from ..conf import realtime_settings
from .backends import backend_for
from .models import LogEntry
from .reader import LogReader


def prune(using: str) -> int:
    """Remove what retention no longer keeps; the position pruned through (0: nothing)."""
    backend = backend_for(connections[using])
    field = backend.position_field
    entries = LogEntry.objects.using(using).filter(**{f"{field}__isnull": False})
    with transaction.atomic(using=using):
        if not backend.lock_pruning():
            return 0
        head = entries.aggregate(head=Max(field))["head"]
        if head is None:
            return 0
        cutoff = head - realtime_settings.LOG_RETENTION_ENTRIES
        too_old = timezone.now() - timedelta(seconds=realtime_settings.LOG_RETENTION_SECONDS)
        # Old entries, up to the first young one: a long transaction commits an old time
        # at a high position, and must not take the younger entries before it along.
        young = entries.filter(created__gte=too_old).aggregate(first=Min(field))["first"]
        cutoff = max(cutoff, head if young is None else young - 1)
        cutoff = min(cutoff, head - 1)  # the newest entry stays: it names the head
        state = LogReader(using).state()
        if cutoff <= state.pruned_through:
            return 0
        entries.filter(**{f"{field}__lte": cutoff})._raw_delete(using)
        state.pruned_through = cutoff
        state.pruned_at = timezone.now()
        state.save(using=using)
    return int(cutoff)
