"""drf-nested-routers on routing's routers: nested routes resolve, reverse and are typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path, resolve, reverse
from rest_framework import serializers, viewsets

import routing
from articles.models import Article, Comment
from routing.drf import DefaultRouter
from routing.drf_nested import NestedDefaultRouter, NestedSimpleRouter


class Articles(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    queryset = Article.objects.all()
    serializer_class = serializers.Serializer


class Comments(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    queryset = Comment.objects.all()
    serializer_class = serializers.Serializer


class Replies(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    queryset = Comment.objects.all()
    serializer_class = serializers.Serializer


router = DefaultRouter()
router.register("articles", Articles, basename="article")
comments = NestedSimpleRouter(router, "articles", lookup="article")
comments.register("comments", Comments, basename="article-comments")
replies = NestedDefaultRouter(comments, "comments", lookup="comment")
replies.register("replies", Replies, basename="comment-replies")

urlpatterns = routing.compile(
    [
        path("api/", include(router.urls)),
        path("api/", include(comments.urls)),
        path("api/", include(replies.urls)),
    ]
)


def test_nested_routes_resolve_typed(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    found = resolve("/api/articles/7/comments/3/")
    assert (found.url_name, found.kwargs) == (
        "article-comments-detail",
        {"article_pk": 7, "pk": 3},
    )
    found = resolve("/api/articles/7/comments/3/replies/")
    assert (found.url_name, found.kwargs) == (
        "comment-replies-list",
        {"article_pk": 7, "comment_pk": 3},
    )
    for nonsense in ("/api/articles/x/comments/", "/api/articles/0/comments/3/"):
        assert resolve_or_none(nonsense) is None  # 404 from the route: no such lookup


def test_nested_routes_reverse(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    assert (
        reverse("article-comments-list", kwargs={"article_pk": 7}) == "/api/articles/7/comments/"
    )
    assert (
        reverse("comment-replies-detail", kwargs={"article_pk": 7, "comment_pk": 3, "pk": 1})
        == "/api/articles/7/comments/3/replies/1/"
    )


def resolve_or_none(path: str) -> Any:
    from django.urls import Resolver404

    try:
        return resolve(path)
    except Resolver404:
        return None


def test_a_regex_route_under_a_typed_parent_is_refused_at_startup() -> None:
    class Numbered(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
        queryset = Comment.objects.all()
        serializer_class = serializers.Serializer
        lookup_value_regex = "[0-9]+"

    nested = NestedSimpleRouter(router, "articles", lookup="article")
    nested.register("numbered", Numbered, basename="numbered")
    with pytest.raises(ImproperlyConfigured, match=r"Numbered's route .* typed placeholder"):
        nested.get_urls()
