"""Every way of writing a captured table, each followed by the log entries it made.

Run in the test process (SQLite) and, as another program, against PostgreSQL:

    python testproject/manage.py shell -c "from tests.log_writes import main; main()"
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction

from articles.models import Article, Comment, Tag
from django_realtime import emit
from django_realtime.log import LogReader

Entry = tuple[str, str, list[Any]]  # table, op, pks
# One (table, op, pk) per changed object: PostgreSQL logs one entry per statement, SQLite one
# per row, so only the objects can be compared.
Change = tuple[str, str, str]


def flat(entries: list[Entry]) -> list[Change]:
    return sorted({(table, op, str(pk)) for table, op, pks in entries for pk in pks})


def entries_after(position: int) -> tuple[int, list[Change]]:
    """The objects changed after ``position``, and the new last position."""
    entries = LogReader("default").read(position, 10_000)
    found = flat([(e.table, e.op, e.pks) for e in entries])
    return (entries[-1].position if entries else position), found


def writes() -> list[
    tuple[str, Callable[[dict[str, Any]], Any], Callable[[dict[str, Any]], list[Entry]]]
]:
    """(name, write, the entries it must make) in order; ``ctx`` carries objects along."""
    A, C, T = "articles_article", "articles_comment", "articles_tag"

    def setup(ctx: dict[str, Any]) -> None:
        ctx["user"] = User.objects.create_user("capture-writer")
        ctx["a"] = Article.objects.create(title="a", author=ctx["user"])

    def bulk_create(ctx: dict[str, Any]) -> None:
        ctx["bulk"] = Article.objects.bulk_create(
            [Article(title=f"b{i}", author=ctx["user"]) for i in range(3)]
        )

    def bulk_update(ctx: dict[str, Any]) -> None:
        for article in ctx["bulk"]:
            article.title += "!"
        Article.objects.bulk_update(ctx["bulk"], ["title"])

    def raw_sql(ctx: dict[str, Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE articles_article SET body = 'raw' WHERE id = %s", [ctx["a"].pk])

    def key_change(ctx: dict[str, Any]) -> None:
        moved = ctx["bulk"][0]
        ctx["old key"] = moved.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_article SET id = id + 100000 WHERE id = %s", [moved.pk]
            )
        moved.pk += 100000

    def tags(ctx: dict[str, Any]) -> None:
        ctx["t1"], ctx["t2"] = Tag.objects.create(name="t1"), Tag.objects.create(name="t2")

    def comment(ctx: dict[str, Any]) -> None:
        ctx["c"] = Comment.objects.create(article=ctx["a"], author=ctx["user"], text="c")

    a = lambda ctx: ctx["a"].pk  # noqa: E731
    bulk = lambda ctx: sorted(x.pk for x in ctx["bulk"])  # noqa: E731
    return [
        # Users are captured too: the articles show their author's name.
        ("create", setup, lambda ctx: [("auth_user", "I", [ctx["user"].pk]), (A, "I", [a(ctx)])]),
        ("save", lambda ctx: ctx["a"].save(), lambda ctx: [(A, "U", [a(ctx)])]),
        ("bulk_create", bulk_create, lambda ctx: [(A, "I", bulk(ctx))]),
        ("bulk_update", bulk_update, lambda ctx: [(A, "U", bulk(ctx))]),
        (
            "update",
            lambda ctx: Article.objects.filter(pk__in=bulk(ctx)).update(status="published"),
            lambda ctx: [(A, "U", bulk(ctx))],
        ),
        ("raw_sql", raw_sql, lambda ctx: [(A, "U", [a(ctx)])]),
        (
            "raw_key_change",  # both objects changed: the one gone, the one there now
            key_change,
            lambda ctx: [(A, "U", [ctx["old key"], ctx["bulk"][0].pk])],
        ),
        ("emit", lambda ctx: emit(ctx["a"]), lambda ctx: [(A, "U", [a(ctx)])]),
        ("tags", tags, lambda ctx: [(T, "I", [ctx["t1"].pk]), (T, "I", [ctx["t2"].pk])]),
        (
            "m2m_add",
            lambda ctx: ctx["a"].tags.add(ctx["t1"], ctx["t2"]),
            lambda ctx: [(A, "U", [a(ctx)]), (T, "U", [ctx["t1"].pk, ctx["t2"].pk])],
        ),
        (
            "m2m_remove_reverse",
            lambda ctx: ctx["t1"].articles.remove(ctx["a"]),
            lambda ctx: [(A, "U", [a(ctx)]), (T, "U", [ctx["t1"].pk])],
        ),
        (
            "m2m_set",
            lambda ctx: ctx["a"].tags.set([ctx["t1"]]),  # removes t2, adds t1
            lambda ctx: [(A, "U", [a(ctx)]), (T, "U", [ctx["t1"].pk, ctx["t2"].pk])],
        ),
        (
            "m2m_clear_reverse",
            lambda ctx: ctx["t1"].articles.clear(),
            lambda ctx: [(A, "U", [a(ctx)]), (T, "U", [ctx["t1"].pk])],
        ),
        ("comment", comment, lambda ctx: [(C, "I", [ctx["c"].pk])]),
        (
            "queryset_delete",
            lambda ctx: Article.objects.filter(pk__in=bulk(ctx)).delete(),
            lambda ctx: [(A, "D", bulk(ctx))],
        ),
        (
            "delete_cascades",
            lambda ctx: ctx["a"].delete(),  # its comment goes with it
            lambda ctx: [(C, "D", [ctx["c"].pk]), (A, "D", [ctx["c"].article_id])],
        ),
    ]


def run() -> dict[str, dict[str, list[Change]]]:
    """Each write in autocommit, and what it logged and should have logged."""
    position, _ = entries_after(0)
    ctx: dict[str, Any] = {}
    report = {}
    for name, write, expected in writes():
        write(ctx)
        position, found = entries_after(position)
        report[name] = {"found": found, "expected": flat(expected(ctx))}
    with transaction.atomic():
        Article.objects.create(title="rolled back", author=ctx["user"])
        transaction.set_rollback(True)
    position, found = entries_after(position)
    report["rollback"] = {"found": found, "expected": []}
    return report


def main() -> None:
    print(json.dumps(run()))
