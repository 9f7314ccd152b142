from django.contrib import admin
from rest_framework.authtoken.views import obtain_auth_token

import routing
from articles.views import ArticleViewSet, CommentViewSet, TagViewSet
from django_realtime.protocol.consumer import RealtimeConsumer
from project.views import index
from routing import include, path, websocket
from routing.drf import DefaultRouter

router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("comments", CommentViewSet, basename="comment")
router.register("tags", TagViewSet, basename="tag")

urlpatterns = routing.compile(
    [
        path("", index, name="index"),
        path("admin/", admin.site.urls),
        path("api/", include(router.urls)),
        path("api/token/", obtain_auth_token, name="api-token"),
        path("api-auth/", include("rest_framework.urls")),
        path("realtime/", include("django_realtime.urls")),
        websocket("ws/", RealtimeConsumer.as_asgi(), name="realtime"),
    ]
)
