"""Capture at the database: every committed write of a captured table is in the log, in the
writer's own transaction, however it was made; servers are rung after the commit."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from articles.models import Article
from django_realtime import announce_changes, capture, emit
from django_realtime import writes as writes_module
from tests import log_writes
from tests.e2e.servers import deployment
from tests.services import require

pytestmark = pytest.mark.django_db(transaction=True)


def assert_all_captured(report: dict[str, dict[str, Any]]) -> None:
    wrong = {name: r for name, r in report.items() if r["found"] != r["expected"]}
    assert not wrong, json.dumps(wrong, indent=1)
    assert len(report) == len(log_writes.writes()) + 1


def test_every_kind_of_write_is_in_the_log() -> None:
    assert_all_captured(json.loads(json.dumps(log_writes.run())))


@pytest.mark.e2e
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_another_program_s_writes_are_in_the_log(database: str) -> None:
    """The same writes made by another process (on PostgreSQL too, statement by statement)."""
    if database == "postgres":
        require("postgres")
    with deployment("inmemory", database) as deployed:
        done = deployed.run_shell("from tests.log_writes import main; main()")
    assert done.returncode == 0, done.stderr
    assert_all_captured(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def rings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each ring asked for, with whether a transaction was open at that moment."""
    rung: list[str] = []

    def ring_soon() -> None:
        rung.append("in a transaction" if connection.in_atomic_block else "after commit")

    monkeypatch.setattr(writes_module, "ring_soon", ring_soon)
    return rung


def test_a_transaction_rings_once_after_its_commit(rings: list[str]) -> None:
    user = User.objects.create_user("writer")  # users are captured (articles show authors)
    assert rings == ["after commit"]
    rings.clear()
    with transaction.atomic():
        article = Article.objects.create(title="a", author=user)
        Article.objects.filter(pk=article.pk).update(title="b")
        emit(article)
        assert rings == []
    assert rings == ["after commit"]
    Article.objects.filter(pk=article.pk).update(title="c")  # autocommit: at once
    assert rings == ["after commit", "after commit"]


def test_a_rollback_rings_nothing_and_logs_nothing(rings: list[str]) -> None:
    user = User.objects.create_user("writer")
    position, _ = log_writes.entries_after(0)
    rings.clear()
    with transaction.atomic():
        Article.objects.create(title="kept", author=user)
        try:
            with transaction.atomic():
                Article.objects.create(title="rolled back", author=user)
                emit(Article, pk=12345)
                raise ValueError
        except ValueError:
            pass
    assert rings == ["after commit"]
    _, found = log_writes.entries_after(position)
    kept = Article.objects.get(title="kept")
    assert found == [("articles_article", "I", str(kept.pk))]
    rings.clear()
    with transaction.atomic():
        Article.objects.create(title="rolled back", author=user)
        transaction.set_rollback(True)
    assert rings == []
    assert log_writes.entries_after(position)[1] == found


def test_reads_ring_nothing(rings: list[str]) -> None:
    list(Article.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_article")
    assert rings == []


def test_a_ring_that_fails_does_not_fail_the_write(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise ConnectionError("Error connecting to the layer's server")

    monkeypatch.setattr(writes_module, "ring_soon", broken)
    user = User.objects.create_user("writer")
    with transaction.atomic():
        article = Article.objects.create(title="still saved", author=user)
    assert Article.objects.filter(pk=article.pk).exists()
    assert "Could not ring after a commit" in caplog.text


def test_emit_refuses_what_it_cannot_record(users: dict[str, User]) -> None:
    with pytest.raises(TypeError, match="emit\\(\\) takes a model instance"):
        emit("articles.article")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs the primary key of the Article"):
        emit(Article(title="unsaved", author=users["alice"]))
    with pytest.raises(ValueError, match="kind must be one of created, updated, deleted"):
        emit(Article, "changed", pk=1)  # type: ignore[arg-type]


def test_announce_changes_warns_about_a_model_nothing_captures(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capture, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="django_realtime"), announce_changes():
        user = User.objects.create_user("captured: articles show their author")
        Article.objects.create(title="captured", author=user)
        kind = ContentType.objects.create(app_label="elsewhere", model="not captured")
        kind.save()
    warnings = [r.getMessage() for r in caplog.records if "announce_changes()" in r.getMessage()]
    assert len(warnings) == 1, warnings  # once per model, and none for Article or User
    assert warnings[0].startswith(
        "announce_changes(): contenttypes.ContentType is saved, but no realtime view"
    )
    assert "django_realtime.track(ContentType)" in warnings[0]
