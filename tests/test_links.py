"""A serializer reused for many objects reverses each of its URLs once, with the same result."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from articles.models import Article, Comment
from articles.serializers import ArticleSerializer
from django_realtime.subscriptions.links import remember_links

pytestmark = pytest.mark.django_db


class CommentWithLinks(serializers.HyperlinkedModelSerializer):
    article = ArticleSerializer(read_only=True)  # nested: its url too
    article_link = serializers.HyperlinkedRelatedField(
        source="article", view_name="article-detail", read_only=True
    )

    class Meta:
        model = Comment
        fields = ["url", "article", "article_link", "text"]
        extra_kwargs = {"url": {"view_name": "comment-detail"}}


class ArticleWithComments(ArticleSerializer):
    comments = serializers.HyperlinkedRelatedField(
        many=True, read_only=True, view_name="comment-detail"
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "comments"]


@pytest.fixture
def request_() -> Request:
    return Request(APIRequestFactory().get("/api/articles/", HTTP_HOST="localhost"))


@pytest.fixture
def comments() -> list[Comment]:
    alice = User.objects.create_user("alice")
    articles = [Article.objects.create(title=f"a{i}", author=alice) for i in range(3)]
    return [
        Comment.objects.create(article=article, author=alice, text=f"c{i}")
        for i, article in enumerate(articles * 2)
    ]


def count_reverses(serializer: Any) -> list[str]:
    """The view names every hyperlinked field of ``serializer`` reverses from now on."""
    calls: list[str] = []

    def watch(field: Any) -> None:
        relation = getattr(field, "child_relation", field)
        if isinstance(relation, serializers.HyperlinkedRelatedField):
            reverse = relation.reverse

            def counted(viewname: str, *args: Any, **kwargs: Any) -> str:
                calls.append(viewname)
                return reverse(viewname, *args, **kwargs)  # type: ignore[no-any-return]

            relation.reverse = counted
        for child in getattr(field, "fields", {}).values():
            watch(child)

    watch(serializer)
    return calls


@pytest.mark.parametrize("serializer_class", [CommentWithLinks, ArticleWithComments])
def test_the_same_output_with_each_url_reversed_once(
    serializer_class: Any, request_: Request, comments: list[Comment]
) -> None:
    objects = comments if serializer_class is CommentWithLinks else [c.article for c in comments]
    fresh = [serializer_class(o, context={"request": request_}).data for o in objects]

    reused = serializer_class(objects[0], context={"request": request_})
    calls = count_reverses(reused)
    remember_links(reused)
    assert [reused.to_representation(o) for o in objects] == fresh
    first = len(calls)
    for _ in range(2):
        assert [reused.to_representation(o) for o in objects] == fresh
    assert len(calls) == first  # seen before: nothing reversed again
    urls = [url for data in fresh for url in _urls(data)]
    assert all(url.startswith("http://localhost/api/") for url in urls)
    assert 0 < first < len(urls)  # the same URL in one field: reversed once


def test_unhashable_arguments_are_reversed_every_time(request_: Request) -> None:
    field = serializers.HyperlinkedRelatedField(view_name="article-detail", read_only=True)
    asked: list[Any] = []

    def reverse(viewname: str, args: Any = None, kwargs: Any = None, **extra: Any) -> str:
        asked.append(kwargs)
        return f"/{kwargs['pk'][0]}/"

    field.reverse = reverse
    serializer = serializers.Serializer(context={"request": request_})
    serializer.fields["link"] = field
    remember_links(serializer)
    kwargs = {"pk": [1]}  # not hashable: asked again each time, never remembered
    for _ in range(2):
        assert field.reverse("article-detail", kwargs=kwargs, request=request_) == "/1/"
    assert asked == [kwargs, kwargs]
    assert field.reverse.known == {}


def test_a_serializer_without_fields_is_left_alone(request_: Request) -> None:
    class Plain(serializers.BaseSerializer):  # type: ignore[type-arg]
        def to_representation(self, instance: Any) -> Any:
            return {"pk": instance.pk}

    serializer = Plain(context={"request": request_})
    remember_links(serializer)
    assert serializer.to_representation(User(pk=1)) == {"pk": 1}


def test_memory_is_bounded(request_: Request, comments: list[Comment]) -> None:
    serializer = ArticleSerializer(comments[0].article, context={"request": request_})
    remember_links(serializer, size=2)
    remembered = serializer.fields["url"].reverse
    for comment in comments:
        serializer.to_representation(comment.article)
        assert len(remembered.known) <= 2


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("http") else []
    if isinstance(value, dict):
        return [url for v in value.values() for url in _urls(v)]
    if isinstance(value, list):
        return [url for v in value for url in _urls(v)]
    return []
