from django.http import HttpResponse
from django.urls import include, path

from tests.routing.recursive import maybe_compile


def view(request: object, **kwargs: object) -> HttpResponse:
    return HttpResponse()


app_name = "outer"

urlpatterns = maybe_compile(
    [
        path("leaf/<int:n>/", view, name="leaf"),
        path("in/", include("tests.routing.recursive.inner", namespace="inner")),
        path("in-again/", include("tests.routing.recursive.inner", namespace="again")),
    ]
)
