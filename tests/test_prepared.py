"""A compiled query reused with other keys returns exactly what the ORM returns."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, Value

from articles.models import Article, Comment
from django_realtime.subscriptions.prepared import SLOTS, PreparedFetch


@pytest.fixture
def data(db: Any) -> dict[str, Any]:
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    articles = [
        Article.objects.create(title=f"a{i}", author=alice if i % 2 else bob, status=status)
        for i, status in enumerate(["draft", "published"] * 10)
    ]
    for article in articles[:5]:
        Comment.objects.create(article=article, author=bob, text="c")
    return {"alice": alice, "bob": bob, "pks": [a.pk for a in articles]}


def querysets(data: dict[str, Any]) -> list[Any]:
    alice = data["alice"]
    visible = Q(status="published") | Q(author=alice)
    return [
        Article.objects.all(),
        Article.objects.filter(visible).select_related("author"),
        Article.objects.filter(visible).filter(
            pk__in=Article.objects.filter(status="published").values("pk")
        ),
        Article.objects.annotate(n=Count("comments"), mine=Value(alice.pk)).order_by("-n"),
        Article.objects.annotate(
            commented=Exists(Comment.objects.filter(article=OuterRef("pk"), author=data["bob"]))
        ),
        Article.objects.filter(pk__in=data["pks"][:7]),  # keys in the query already
        Comment.objects.select_related("article__author").prefetch_related("article__comments"),
        Article.objects.filter(status="archived"),  # nothing at all
    ]


def rows(instances: list[Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (i.pk, repr(sorted((k, v) for k, v in vars(i).items() if not k.startswith("_"))))
        for i in instances
    )


@pytest.mark.parametrize("index", range(8))
def test_same_rows_and_values_as_the_orm(data: dict[str, Any], index: int) -> None:
    queryset = querysets(data)[index]
    fetch = PreparedFetch(queryset, now=True)
    assert fetch.compiler is not None
    pks = data["pks"]
    for keys in ([pks[0]], pks[:SLOTS], pks[3 : 3 + SLOTS + 5], [pks[1], pks[1]], [10**9], pks):
        assert rows(fetch(keys)) == rows(list(queryset.filter(pk__in=keys)))


def test_related_and_prefetched_objects_come_along(
    data: dict[str, Any], django_assert_num_queries: Any
) -> None:
    fetch = PreparedFetch(
        Comment.objects.select_related("article__author").prefetch_related("article__comments")
    )
    comments = list(Comment.objects.values_list("pk", flat=True))
    with django_assert_num_queries(2):  # the comments, then the prefetch
        found = fetch(comments)
        assert {c.article.author.username for c in found} == {"alice", "bob"}
        assert all(len(c.article.comments.all()) == 1 for c in found)


def test_what_cannot_be_prepared_runs_through_the_orm(data: dict[str, Any]) -> None:
    for queryset in (Article.objects.values("pk"), Article.objects.none()):
        fetch = PreparedFetch(queryset, now=True)
        assert fetch.compiler is None
        assert list(fetch(data["pks"][:3])) == list(queryset.filter(pk__in=data["pks"][:3]))


def test_prepared_on_the_second_use(data: dict[str, Any]) -> None:
    fetch = PreparedFetch(Article.objects.all())
    fetch(data["pks"][:1])
    assert fetch.compiler is None  # one fetch: compiled by the ORM, as any query
    fetch(data["pks"][:2])
    assert fetch.compiler is not None


def test_prepared_now_is_not_prepared_again(data: dict[str, Any]) -> None:
    fetch = PreparedFetch(Article.objects.all(), now=True)
    compiler = fetch.compiler
    assert compiler is not None
    for keys in (data["pks"][:1], data["pks"][:2], data["pks"][:3]):
        assert {a.pk for a in fetch(keys)} == set(keys)
    assert fetch.compiler is compiler
