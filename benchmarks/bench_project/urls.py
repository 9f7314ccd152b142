"""The testproject's URLs, plus the same REST API without realtime under ``/plain/``.

``/plain/api/`` serves the testproject's viewsets with RealtimeMixin taken out of their
bases: what "realtime off" means in benchmarks/fanout.py. Serving both from one process
lets scenario (c) alternate writes with and without realtime in the same server, so that
the ratio does not depend on which server process ran faster.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from articles.views import ArticleViewSet, CommentViewSet
from django_realtime import RealtimeMixin
from project.urls import urlpatterns as project_urlpatterns


def plain(viewset: type) -> type:
    """The same viewset, without RealtimeMixin in its bases."""
    bases = tuple(base for base in viewset.__mro__[1:] if base is not RealtimeMixin)
    namespace = {k: v for k, v in vars(viewset).items() if k not in ("__dict__", "__weakref__")}
    return type(viewset.__name__, (bases[0],), namespace)


router = DefaultRouter()
router.register("articles", plain(ArticleViewSet), basename="article")
router.register("comments", plain(CommentViewSet), basename="comment")

# Namespaced, so that reverse("article-detail") keeps naming the realtime API's URLs.
urlpatterns = [path("plain/api/", include((router.urls, "plain"))), *project_urlpatterns]
