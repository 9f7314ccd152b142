from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions, viewsets
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import ScopedRateThrottle

from django_realtime import RealtimeMixin

from .filters import ArticleFilter, CommentFilter
from .models import Article, Comment, Tag
from .permissions import IsAuthorOrReadOnly
from .serializers import ArticleSerializer, CommentSerializer, TagSerializer
from .visibility import visible_articles, visible_comments


class ArticleViewSet(RealtimeMixin, viewsets.ModelViewSet):
    queryset = Article.objects.select_related("author")
    serializer_class = ArticleSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    filterset_class = ArticleFilter
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "articles"

    def get_queryset(self) -> QuerySet[Article]:
        return (
            visible_articles(self.request.user).select_related("author").prefetch_related("tags")
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.save(author=self.request.user)


class CommentViewSet(RealtimeMixin, viewsets.ModelViewSet):
    queryset = Comment.objects.select_related("author")
    serializer_class = CommentSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    filterset_class = CommentFilter

    def get_queryset(self) -> QuerySet[Comment]:
        return visible_comments(self.request.user).select_related("author")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.save(author=self.request.user)


class TagViewSet(RealtimeMixin, viewsets.ModelViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_realtime_audience(self) -> str:
        return "everyone"  # every user sees the same tags
