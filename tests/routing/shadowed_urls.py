"""A URLconf with a shadowed route, for ``routes --check``."""

from __future__ import annotations

import routing
from routing import path

from .views import first, second

urlpatterns = routing.compile(
    [path("<slug:s>/", first, name="page"), path("new/", second, name="new")]
)
