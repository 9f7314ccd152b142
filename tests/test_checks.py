"""System checks and the REALTIME settings."""

from __future__ import annotations

import io
import re
import types
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import path
from rest_framework import viewsets

from articles.models import Article
from articles.serializers import ArticleSerializer
from django_realtime import RealtimeMixin
from django_realtime.checks import (
    check_capture,
    check_log_database,
    check_realtime_views,
    check_settings,
)
from django_realtime.conf import DEFAULTS, realtime_settings
from django_realtime.log import get_catalog, install, uninstall


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_the_testproject_passes_every_check() -> None:
    assert check_settings() == []
    assert check_realtime_views() == []


def test_no_channel_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = {}
    (error,) = check_settings()
    assert error.id == "django_realtime.E001"
    assert "InMemoryChannelLayer" in error.hint


def test_no_asgi_application(settings: Any) -> None:
    del settings.ASGI_APPLICATION
    assert ids(check_settings()) == ["django_realtime.E002"]


def test_daphne_missing_or_after_staticfiles(settings: Any) -> None:
    apps = [app for app in settings.INSTALLED_APPS if app != "daphne"]
    settings.INSTALLED_APPS = apps
    assert ids(check_settings()) == ["django_realtime.W003"]
    settings.INSTALLED_APPS = [*apps, "daphne"]
    assert ids(check_settings()) == ["django_realtime.W004"]


def test_realtime_view_without_a_model(settings: Any) -> None:
    class Modelless(RealtimeMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
        def list(self, request: Any) -> None: ...

    # The database captures the writes, so where the mixin sits among the bases is no
    # longer a mistake.
    class MixinLast(viewsets.ReadOnlyModelViewSet, RealtimeMixin):  # type: ignore[type-arg]
        queryset = Article.objects.all()
        serializer_class = ArticleSerializer

    urlconf = types.ModuleType("realtime_check_urls")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]
        path("a/", Modelless.as_view({"get": "list"})),
        path("b/", MixinLast.as_view({"get": "list"})),
    ]
    settings.ROOT_URLCONF = urlconf
    errors = check_realtime_views()
    assert ids(errors) == ["django_realtime.E004"]
    assert errors[0].msg.startswith("Modelless uses RealtimeMixin but names no model.")
    assert Article in get_catalog().models


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"ENDPOINT": "ws"},
            "settings.REALTIME['ENDPOINT'] must start and end with '/', like '/ws/'; got 'ws'.",
        ),
        (
            {"MAX_SUBSCRIPTIONS": "10"},
            "settings.REALTIME['MAX_SUBSCRIPTIONS'] must be int, not '10'.",
        ),
        (
            {"MAX_SUBSCRIPTIONS": True},
            "settings.REALTIME['MAX_SUBSCRIPTIONS'] must be int, not True.",
        ),
        (
            {"MAX_SUBSCRIPTONS": 10},
            "Unknown key(s) in settings.REALTIME: MAX_SUBSCRIPTONS. Valid keys:",
        ),
        (["ENDPOINT"], "settings.REALTIME must be a dict, not list."),
    ],
)
def test_bad_settings_are_named(settings: Any, value: Any, message: str) -> None:
    settings.REALTIME = value

    def read_all() -> None:  # as the system check does
        for name in DEFAULTS:
            getattr(realtime_settings, name)

    with pytest.raises(ImproperlyConfigured) as raised:
        read_all()
    assert str(raised.value).startswith(message)
    (error,) = check_settings()
    assert error.id == "django_realtime.E005"


def test_settings_follow_override_settings(settings: Any) -> None:
    assert realtime_settings.ENDPOINT == "/ws/"
    settings.REALTIME = {"ENDPOINT": "/live/"}
    assert realtime_settings.ENDPOINT == "/live/"
    assert realtime_settings.MAX_SUBSCRIPTIONS == 100  # the others keep their defaults


def test_websocket_routes_must_include_the_realtime_consumer(settings: Any) -> None:
    from django_realtime.checks import check_websocket_routes
    from django_realtime.protocol.consumer import RealtimeConsumer
    from routing import compile, websocket

    async def other(scope: Any, receive: Any, send: Any) -> None: ...

    urlconf = types.ModuleType("websocket_check_urls")
    urlconf.urlpatterns = compile([websocket("chat/", other)])  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf
    assert ids(check_websocket_routes()) == ["django_realtime.W007"]

    urlconf.urlpatterns = compile(  # type: ignore[attr-defined]
        [websocket("chat/", other), websocket("live/", RealtimeConsumer.as_asgi())]
    )
    settings.ROOT_URLCONF = types.ModuleType("websocket_check_urls_2")
    settings.ROOT_URLCONF.urlpatterns = urlconf.urlpatterns
    (warning,) = check_websocket_routes()
    assert warning.id == "django_realtime.W008"
    assert warning.hint == "Set REALTIME['ENDPOINT'] = '/live/', or route the consumer there."
    settings.REALTIME = {"ENDPOINT": "/live/"}
    assert check_websocket_routes() == []


@pytest.mark.django_db(transaction=True)
def test_capture_out_of_date_is_reported_with_the_command_that_fixes_it() -> None:
    install()  # what migrate did for the URLconf of these tests
    assert check_capture(databases=["default"]) == []
    assert uninstall() > 0  # as if a migration had rebuilt the tables, or a view was added
    warnings = check_capture(databases=["default"])
    assert ids(warnings) == ["django_realtime.W012"]
    assert "articles_article" in warnings[0].msg
    assert warnings[0].hint == "Run: python manage.py realtime_capture (migrate also does it)."
    with pytest.raises(CommandError, match="Change capture is not up to date"):
        call_command("realtime_capture", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("realtime_capture", stdout=out)
    assert "Change capture installed" in out.getvalue()
    assert check_capture(databases=["default"]) == []
    call_command("realtime_capture", "--check", stdout=io.StringIO())


def test_a_database_the_capture_does_not_support_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection = connections["default"]
    monkeypatch.setattr(connection, "vendor", "mysql")
    monkeypatch.setattr(connection, "display_name", "MariaDB")
    errors = check_log_database()
    assert ids(errors) == ["django_realtime.E009"]
    assert "database 'default' is MariaDB, which it does not support" in errors[0].msg


def test_a_captured_model_on_another_database_is_refused(settings: Any) -> None:
    settings.REALTIME = {"DATABASE": "elsewhere"}
    assert ids(check_log_database()) == ["django_realtime.E008"]


def test_a_realtime_view_without_the_app_installed_is_an_error_at_startup(settings: Any) -> None:
    class Articles(RealtimeMixin, viewsets.ModelViewSet):  # type: ignore[misc]
        queryset = Article.objects.all()
        serializer_class = ArticleSerializer

    Articles.as_view({"get": "list"})  # installed: the view function, as DRF makes it
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "django_realtime"]
    with pytest.raises(ImproperlyConfigured, match="'django_realtime' is not in INSTALLED_APPS"):
        Articles.as_view({"get": "list"})  # what a router does when the URLconf is loaded


@pytest.mark.parametrize("module", ["django_default", "http_only_router"])
def test_an_asgi_application_without_websockets_is_an_error(settings: Any, module: str) -> None:
    settings.ASGI_APPLICATION = f"tests.asgi_apps.{module}.application"
    (error,) = check_settings()
    assert error.id == "django_realtime.W015"
    assert "every websocket handshake gets HTTP 500" in error.msg
    assert "from django_realtime.asgi import get_asgi_application" in error.hint
    assert "'project.settings'" in error.hint  # the project's own settings module


def test_an_asgi_application_that_cannot_be_imported_is_an_error(settings: Any) -> None:
    settings.ASGI_APPLICATION = "project.asgi.nope"
    (error,) = check_settings()
    assert error.id == "django_realtime.W014"


@pytest.mark.parametrize(
    ("package", "page"), [("django_realtime", "settings.md"), ("routing", "routing.md")]
)
def test_the_documented_check_ids_are_the_codes(package: str, page: str) -> None:
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(rf'\bid="({re.escape(package)}\.[EW]\d{{3}})"')
    in_code = {
        found
        for source in (root / package).rglob("*.py")
        for found in pattern.findall(source.read_text())
    }
    table = re.compile(rf"^\| `({re.escape(package)}\.[EW]\d{{3}})` \|", re.M)
    documented = set(table.findall((root / "docs" / page).read_text()))
    assert in_code == documented
