"""The testproject's URLs plus views that exist to exercise edge cases of the protocol."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from articles.models import Announcement, Article, Comment, PublishedArticle
from articles.serializers import ArticleSerializer
from django_realtime import RealtimeMixin
from project.urls import urlpatterns as project_urlpatterns


class PrivateArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Only for logged-in users: an anonymous GET is 401."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    permission_classes = [permissions.IsAuthenticated]


class StaffArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Only for staff: a logged-in user's GET is 403."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    permission_classes = [permissions.IsAdminUser]


class PublicArticles(RealtimeMixin, generics.ListAPIView):
    """A generic (non-viewset) list view whose audience is everybody."""

    queryset = Article.objects.filter(status="published")
    serializer_class = ArticleSerializer

    def get_realtime_audience(self) -> str:
        return "public"


class BrokenArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """A view with a bug: its GET is a 500."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer

    def get_queryset(self) -> Any:
        raise RuntimeError("a bug in get_queryset")


class CutoffArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Visibility decided in Python when get_queryset() runs: titles from CUTOFF on."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    calls = 0
    cutoff = "m"

    def get_queryset(self) -> Any:
        type(self).calls += 1
        return Article.objects.filter(title__gte=type(self).cutoff)


class FollowedArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Only the articles whose titles the user follows: none at all while FOLLOWED is empty
    (a query Django knows to match nothing, without asking the database)."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    filterset_fields = ["status"]
    followed: list[str] = []

    def get_queryset(self) -> Any:
        return Article.objects.filter(title__in=list(type(self).followed))


class PublishedProxyArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """A proxy model's viewset: its changes are the rows of the concrete model's table."""

    queryset = PublishedArticle.objects.all()
    serializer_class = ArticleSerializer

    def get_serializer_class(self) -> Any:
        class Serializer(serializers.ModelSerializer):  # type: ignore[type-arg]
            class Meta:
                model = PublishedArticle
                fields = ["id", "title", "status"]

        return Serializer


class AnnouncementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Announcement
        fields = ["id", "title", "status", "pinned"]


class Announcements(RealtimeMixin, viewsets.ModelViewSet):
    """Multi-table inheritance: an announcement is a row in two tables."""

    queryset = Announcement.objects.all()
    serializer_class = AnnouncementSerializer


class CommentOnSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    on = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "text", "on"]

    def get_on(self, comment: Comment) -> str:
        return comment.article.title  # no inference can see this


class CommentsOn(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """A dependency only a declaration can tell: the article's title, via a method field."""

    queryset = Comment.objects.all()
    serializer_class = CommentOnSerializer
    realtime_depends_on = ["article"]


class MayViewArticles(permissions.BasePermission):
    """A permission that a group can grant, and take back."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("articles.view_article"))

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return obj.status == "published" or bool(request.user.has_perm("articles.change_article"))


class PermittedArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    permission_classes = [permissions.IsAuthenticated, MayViewArticles]


class JwtArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Private articles for a JWT (djangorestframework-simplejwt) or a DRF token."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    authentication_classes = [JWTAuthentication, TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class SessionArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    """Sessions only: DRF answers 403, not 401, to a request that is not authenticated."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class FragileSerializer(ArticleSerializer):
    """Fails on an article titled "boom", as a serializer with a bug would."""

    def to_representation(self, instance: Any) -> Any:
        if instance.title == "boom":
            raise ValueError("a bug in the serializer")
        return super().to_representation(instance)


class FragileArticles(RealtimeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.all()
    serializer_class = FragileSerializer


class ArticlesWithoutRealtime(generics.ListAPIView):  # type: ignore[type-arg]
    queryset = Article.objects.all()
    serializer_class = ArticleSerializer


class PlainView(APIView):
    def get(self, request: Any) -> Response:
        return Response({"hello": "world"})


class PostOnly(RealtimeMixin, viewsets.GenericViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleSerializer

    def create(self, request: Any) -> Response:
        return Response(status=201)


urlpatterns = [
    path("test/private/", PrivateArticles.as_view({"get": "list"}), name="private-list"),
    path(
        "test/private/<int:pk>/",
        PrivateArticles.as_view({"get": "retrieve"}),
        name="private-detail",
    ),
    path("test/staff/", StaffArticles.as_view({"get": "list"}), name="staff-list"),
    path("test/jwt/", JwtArticles.as_view({"get": "list"}), name="jwt-list"),
    path("test/session/", SessionArticles.as_view({"get": "list"}), name="session-list"),
    path("test/permitted/", PermittedArticles.as_view({"get": "list"}), name="permitted-list"),
    path(
        "test/permitted/<int:pk>/",
        PermittedArticles.as_view({"get": "retrieve"}),
        name="permitted-detail",
    ),
    path("test/public/", PublicArticles.as_view(), name="public-list"),
    path("test/plain/", PlainView.as_view(), name="plain"),
    path("test/no-realtime/", ArticlesWithoutRealtime.as_view(), name="no-realtime"),
    path("test/cutoff/", CutoffArticles.as_view({"get": "list"}), name="cutoff-list"),
    path(
        "test/cutoff/<int:pk>/", CutoffArticles.as_view({"get": "retrieve"}), name="cutoff-detail"
    ),
    path("test/followed/", FollowedArticles.as_view({"get": "list"}), name="followed-list"),
    path(
        "test/followed/<int:pk>/",
        FollowedArticles.as_view({"get": "retrieve"}),
        name="followed-detail",
    ),
    path("test/fragile/", FragileArticles.as_view({"get": "list"}), name="fragile-list"),
    path(
        "test/fragile/<int:pk>/",
        FragileArticles.as_view({"get": "retrieve"}),
        name="fragile-detail",
    ),
    path("test/broken/", BrokenArticles.as_view({"get": "list"}), name="broken-list"),
    path(
        "test/published-proxy/",
        PublishedProxyArticles.as_view({"get": "list"}),
        name="published-proxy-list",
    ),
    path(
        "test/published-proxy/<int:pk>/",
        PublishedProxyArticles.as_view({"get": "retrieve"}),
        name="published-proxy-detail",
    ),
    path("test/announcements/", Announcements.as_view({"get": "list"}), name="announcement-list"),
    path("test/comments-on/", CommentsOn.as_view({"get": "list"}), name="comments-on-list"),
    path(
        "test/announcements/<int:pk>/",
        Announcements.as_view({"get": "retrieve"}),
        name="announcement-detail",
    ),
    path("test/post-only/", PostOnly.as_view({"post": "create"}), name="post-only"),
    path("", include(project_urlpatterns)),
]
