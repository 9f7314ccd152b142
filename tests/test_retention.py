"""Retention: the log keeps entries by age and by number, and always its newest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Article
from django_realtime.log import LogReader, prune
from django_realtime.models import LogEntry

pytestmark = pytest.mark.django_db(transaction=True)


def positions() -> list[int]:
    return [entry.position for entry in LogReader("default").read(0, 1000)]


def test_entries_older_than_the_retention_are_pruned(settings: Any) -> None:
    settings.REALTIME = {"LOG_RETENTION_SECONDS": 60}
    user = User.objects.create_user("writer")
    for title in "abc":
        Article.objects.create(title=title, author=user)
    old = positions()
    LogEntry.objects.update(created=timezone.now() - timedelta(minutes=2))
    Article.objects.create(title="fresh", author=user)
    fresh = [p for p in positions() if p not in old]
    assert prune("default") == old[-1]
    assert positions() == fresh
    assert LogReader("default").state().pruned_through == old[-1]
    assert prune("default") == 0  # nothing more to do


def test_the_newest_entry_stays_even_when_everything_is_old(settings: Any) -> None:
    settings.REALTIME = {"LOG_RETENTION_SECONDS": 60}
    user = User.objects.create_user("writer")
    Article.objects.create(title="a", author=user)
    LogEntry.objects.update(created=timezone.now() - timedelta(days=2))
    head = LogReader("default").head()
    prune("default")
    assert positions() == [head]  # it names the head: a cursor at it is still valid
    assert LogReader("default").head() == head


def test_the_log_keeps_about_the_number_of_entries_asked_for(settings: Any) -> None:
    settings.REALTIME = {"LOG_RETENTION_ENTRIES": 3}
    user = User.objects.create_user("writer")
    for i in range(10):
        Article.objects.create(title=str(i), author=user)
    before = positions()
    prune("default")
    assert positions() == before[-3:]


def test_a_long_transaction_s_old_time_takes_no_younger_entry_along(settings: Any) -> None:
    """PostgreSQL stamps an entry with its transaction's start: one that committed late
    has an old time at a high position."""
    settings.REALTIME = {"LOG_RETENTION_SECONDS": 60}
    user = User.objects.create_user("writer")
    for title in "abc":
        Article.objects.create(title=title, author=user)
    before = positions()
    LogEntry.objects.filter(id=LogEntry.objects.order_by("-id")[1].id).update(
        created=timezone.now() - timedelta(minutes=5)
    )  # the one before the newest: the long transaction
    assert prune("default") < before[0]  # nothing of it, whatever came before it
    assert positions() == before


def test_insert_or_replace_on_sqlite_logs_the_row_it_replaces() -> None:
    from django.db import connection

    from articles.models import Tag

    tag = Tag.objects.create(name="news")
    head = LogReader("default").head()
    with connection.cursor() as cursor:
        cursor.execute("INSERT OR REPLACE INTO articles_tag (id, name) VALUES (99, 'news')")
    found = {(e.table, e.op, pk) for e in LogReader("default").read(head) for pk in e.pks}
    assert found == {("articles_tag", "D", tag.pk), ("articles_tag", "I", 99)}
