"""drf-nested-routers' routers on routing's routers: nested routes typed too.

    from routing.drf import DefaultRouter
    from routing.drf_nested import NestedSimpleRouter

    router = DefaultRouter()
    router.register("articles", ArticleViewSet)
    comments = NestedSimpleRouter(router, "articles", lookup="article")
    comments.register("comments", CommentViewSet, basename="article-comments")
    urlpatterns = routing.compile(
        [path("api/", include(router.urls)), path("api/", include(comments.urls))]
    )

``/api/articles/<int(min=1):article_pk>/comments/<int(min=1):pk>/``: the parent's lookup
converter comes from its model, as for the parent's own routes. Needs
``drf-nested-routers`` (``pip install drf-nested-routers``); its own classes, built on
DRF's regex routers, cannot nest under routing's routers.
"""

from __future__ import annotations

from rest_framework_nested.routers import NestedMixin

from .drf import DefaultRouter, SimpleRouter


class NestedSimpleRouter(NestedMixin, SimpleRouter):
    """drf-nested-routers' ``NestedSimpleRouter``, making routing's routes."""


class NestedDefaultRouter(NestedMixin, DefaultRouter):
    """drf-nested-routers' ``NestedDefaultRouter``, making routing's routes."""
