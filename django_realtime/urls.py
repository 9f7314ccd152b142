from django.urls import path

from .views import AsyncAPIView, MetricsView, StatsView

app_name = "django_realtime"
urlpatterns = [
    path("stats/", StatsView.as_view(), name="stats"),
    path("metrics/", MetricsView.as_view(), name="metrics"),
    path("asyncapi.json", AsyncAPIView.as_view(), name="asyncapi"),
]
