from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from django_realtime.conf import realtime_settings


@ensure_csrf_cookie  # the page writes over HTTP with the session, when logged in
def index(request: HttpRequest) -> HttpResponse:
    """The demo page: a live article list driven by the realtime protocol."""
    return render(request, "index.html", {"endpoint": realtime_settings.ENDPOINT})
