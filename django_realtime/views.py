"""Small stats endpoints: this process's counters, for staff.

    # urls.py
    path("realtime/", include("django_realtime.urls")),

``GET /realtime/stats/`` answers JSON, ``GET /realtime/metrics/`` Prometheus' text format
(with prometheus_client installed), ``GET /realtime/asyncapi.json`` the AsyncAPI document
(with ``REALTIME["ASYNCAPI"] = True``). Each server process counts for itself: behind a load
balancer, every answer is the counters of the process that served it.
"""

from __future__ import annotations

import os

from django.http import Http404, HttpResponse
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .conf import realtime_settings
from .stats import counters


class StatsView(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> Response:
        return Response({"pid": os.getpid(), "counters": counters.snapshot()})


class MetricsView(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> HttpResponse:
        try:
            from .metrics import exposition

            body = exposition()
        except ImportError:
            return Response({"detail": "Install prometheus_client to export metrics."}, 501)
        return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")


class AsyncAPIView(APIView):
    """The AsyncAPI 3.0 document, for the host the request names; 404 unless enabled."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        if not realtime_settings.ASYNCAPI:
            raise Http404("Set REALTIME['ASYNCAPI'] = True to serve the AsyncAPI document.")
        from .schema import build

        protocol = "wss" if request.is_secure() else "ws"
        return Response(build(host=request.get_host(), protocol=protocol))
