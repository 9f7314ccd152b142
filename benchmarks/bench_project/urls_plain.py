"""The testproject's API with plain DRF viewsets: what "realtime off" means."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from articles.views import ArticleViewSet, CommentViewSet


def plain(viewset: type) -> type:
    """The same viewset, without RealtimeMixin in its bases."""
    from django_realtime import RealtimeMixin

    bases = tuple(base for base in viewset.__mro__[1:] if base is not RealtimeMixin)
    namespace = {k: v for k, v in vars(viewset).items() if k not in ("__dict__", "__weakref__")}
    return type(viewset.__name__, (bases[0],), namespace)


router = DefaultRouter()
router.register("articles", plain(ArticleViewSet), basename="article")
router.register("comments", plain(CommentViewSet), basename="comment")

urlpatterns = [path("api/", include(router.urls))]
