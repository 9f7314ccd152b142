from django.urls import include, path

from tests.routing.recursive import maybe_compile
from tests.routing.recursive.outer import view

app_name = "inner"

urlpatterns = maybe_compile(
    [
        path("page/", view, name="page"),
        path("out/", include("tests.routing.recursive.outer", namespace="outer")),
    ]
)
