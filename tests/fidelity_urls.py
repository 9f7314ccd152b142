"""Standard DRF patterns a realtime viewset must follow as its GET does: a lighter list
serializer, every versioning scheme, one router under two prefixes, pagination."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import include, path
from rest_framework import filters, pagination, routers, serializers, versioning, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from articles.models import Article
from django_realtime import RealtimeMixin


class Summary(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Article
        fields = ["id", "title"]


class Full(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Article
        fields = ["id", "title", "status", "body"]


class SummaryArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """The list shows less than the detail, as many APIs do."""

    queryset = Article.objects.all()

    def get_serializer_class(self) -> Any:
        return Summary if self.action == "list" else Full


class Versioned(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """v1 shows a summary, v2 everything: the serializer depends on request.version."""

    queryset = Article.objects.all()

    def get_serializer_class(self) -> Any:
        return {"v1": Summary, "v2": Full}[self.request.version]


class AcceptHeaderV1(versioning.AcceptHeaderVersioning):
    default_version = "v1"  # what a GET without a version in its Accept header gets


class PathVersioned(Versioned):
    versioning_class = versioning.URLPathVersioning


class QueryVersioned(Versioned):
    versioning_class = versioning.QueryParameterVersioning


class NamespaceVersioned(Versioned):
    versioning_class = versioning.NamespaceVersioning


class AcceptVersioned(Versioned):
    versioning_class = AcceptHeaderV1


class HostVersioned(Versioned):
    versioning_class = versioning.HostNameVersioning


class OffsetArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Paginated by limit and offset, ordered by a filter the client picks."""

    queryset = Article.objects.all()
    serializer_class = Summary
    pagination_class = pagination.LimitOffsetPagination
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["title", "id"]
    ordering = ["title"]


class ActionArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Custom GET actions: two declared realtime, one not."""

    queryset = Article.objects.all()

    def get_queryset(self) -> Any:
        if self.action == "published":
            return Article.objects.filter(status="published")
        if self.action == "titled":
            return Article.objects.filter(title=self.kwargs["title"])
        return Article.objects.all()

    def get_serializer_class(self) -> Any:
        return Summary if self.action in ("published", "headline", "titled") else Full

    @action(detail=False, realtime=True, url_path=r"titled/(?P<title>[^/.]+)")
    def titled(self, request: Any, title: str) -> Response:
        return self.list(request)

    @action(detail=False, realtime=True)
    def published(self, request: Any) -> Response:
        return self.list(request)

    @action(detail=True, realtime=True)
    def headline(self, request: Any, pk: Any = None) -> Response:
        return self.retrieve(request, pk=pk)

    @action(detail=False)
    def stats(self, request: Any) -> Response:
        return Response({"count": self.get_queryset().count()})


class Counted(serializers.ModelSerializer):  # type: ignore[type-arg]
    tag_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "tag_count"]


class AnnotatedArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """The list annotates what its serializer shows; the detail does not."""

    queryset = Article.objects.all()

    def get_queryset(self) -> Any:
        if self.action == "list":
            return Article.objects.annotate(tag_count=Count("tags")).order_by("id")
        return Article.objects.all()

    def get_serializer_class(self) -> Any:
        return Counted if self.action == "list" else Full


class CursorArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.all()
    serializer_class = Summary

    class pagination_class(pagination.CursorPagination):
        ordering = "-id"


def routes(prefix: str, view: Any, basename: str) -> list[Any]:
    router = routers.SimpleRouter()
    router.register(prefix, view, basename=basename)
    return router.urls


shared = routes("articles", SummaryArticles, "shared")  # one router, two prefixes
optional = routers.SimpleRouter()
optional.trailing_slash = "/?"  # a common recipe: the slash is optional
optional.register("optional", SummaryArticles, basename="optional")
namespaced = routes("ns", NamespaceVersioned, "nsv")

urlpatterns = [
    path("fid/", include(routes("summary", SummaryArticles, "summary"))),
    path("fid/<str:version>/", include(routes("path", PathVersioned, "pathv"))),
    path("fid/", include(routes("query", QueryVersioned, "queryv"))),
    path("fid/v1/", include((namespaced, "articles"), namespace="v1")),
    path("fid/v2/", include((namespaced, "articles"), namespace="v2")),
    path("fid/", include(routes("accept", AcceptVersioned, "acceptv"))),
    path("fid/", include(routes("host", HostVersioned, "hostv"))),
    path("fid/", include(routes("offset", OffsetArticles, "offset"))),
    path("fid/", include(routes("actions", ActionArticles, "actions"))),
    path("fid/", include(routes("annotated", AnnotatedArticles, "annotated"))),
    path("fid/", include(routes("cursor", CursorArticles, "cursor"))),
    path("fid/", include(optional.urls)),
    path("one/", include(shared)),
    path("one/v1/", include(shared)),
    path("", include("tests.urls")),
]
