"""The testproject's URLs, plus the same REST API without realtime, twice.

- ``/off/api/``: the testproject's article viewset with RealtimeMixin taken out of its
  bases, on twin tables that nothing captures (models.py): what "realtime off" means in
  benchmarks/fanout.py, for scenario (c) and for the direct bound. Serving it from the same
  process lets (c) alternate writes with and without realtime in one server, so that the
  ratio does not depend on which server process ran faster.
- ``/plain/api/``: the viewsets without RealtimeMixin on the testproject's own tables, for
  the baselines that watch those (Channels' group_send, dcrf); their writes pay for the
  capture triggers too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import include, path
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from articles.serializers import ArticleSerializer
from articles.views import ArticleViewSet, CommentViewSet
from django_realtime import RealtimeMixin
from project.urls import urlpatterns as project_urlpatterns

from .models import PlainArticle, PlainTag


def plain(viewset: type) -> type:
    """The same viewset, without RealtimeMixin in its bases."""
    bases = tuple(base for base in viewset.__mro__[1:] if base is not RealtimeMixin)
    namespace = {k: v for k, v in vars(viewset).items() if k not in ("__dict__", "__weakref__")}
    return type(viewset.__name__, (bases[0],), namespace)


class PlainArticleSerializer(ArticleSerializer):
    tags = serializers.SlugRelatedField(
        many=True, slug_field="name", queryset=PlainTag.objects.all(), required=False
    )

    class Meta(ArticleSerializer.Meta):
        model = PlainArticle
        extra_kwargs = {"url": {"view_name": "off:article-detail"}}


class PlainArticleViewSet(plain(ArticleViewSet)):  # type: ignore[misc]
    serializer_class = PlainArticleSerializer
    filterset_class = None
    filterset_fields = ["status", "author"]

    def get_queryset(self) -> QuerySet[PlainArticle]:
        user: Any = self.request.user
        visible = (
            Q(status="published") | Q(author=user)
            if user.is_authenticated
            else Q(status="published")
        )
        return (
            PlainArticle.objects.filter(visible).select_related("author").prefetch_related("tags")
        )


router = DefaultRouter()
router.register("articles", plain(ArticleViewSet), basename="article")
router.register("comments", plain(CommentViewSet), basename="comment")
off = DefaultRouter()
off.register("articles", PlainArticleViewSet, basename="article")

# Namespaced, so that reverse("article-detail") keeps naming the realtime API's URLs.
urlpatterns = [
    path("plain/api/", include((router.urls, "plain"))),
    path("off/api/", include((off.urls, "off"))),
    *project_urlpatterns,
]
