"""System checks: what would make realtime silently not work, with how to fix it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver

from .conf import DEFAULTS, realtime_settings


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    try:
        for name in DEFAULTS:
            getattr(realtime_settings, name)
    except ImproperlyConfigured as exc:
        hint = 'See "Settings" in the django-realtime documentation.'
        return [Error(str(exc), hint=hint, id="django_realtime.E005")]

    alias = realtime_settings.CHANNEL_LAYER
    if alias not in getattr(settings, "CHANNEL_LAYERS", {}):
        errors.append(
            Error(
                f"CHANNEL_LAYERS has no {alias!r} layer, so changes cannot reach subscribers.",
                hint="For one process (runserver): CHANNEL_LAYERS = {'default': {'BACKEND': "
                "'channels.layers.InMemoryChannelLayer'}}. For several: channels_redis "
                "(pip install 'drf-realtime[redis]').",
                id="django_realtime.E001",
            )
        )
    if not getattr(settings, "ASGI_APPLICATION", None):
        errors.append(
            Error(
                "ASGI_APPLICATION is not set, so runserver cannot serve websockets.",
                hint="Set ASGI_APPLICATION = '<project>.asgi.application', and " + _asgi_py(),
                id="django_realtime.E002",
            )
        )
    else:
        errors.extend(_check_asgi_application(settings.ASGI_APPLICATION))
    apps = list(settings.INSTALLED_APPS)
    if "daphne" not in apps:
        errors.append(
            Warning(
                "'daphne' is not in INSTALLED_APPS: manage.py runserver will serve HTTP only, "
                "and websocket connections will fail.",
                hint="Put 'daphne' first in INSTALLED_APPS (or serve the project with an ASGI "
                "server such as daphne or uvicorn).",
                id="django_realtime.W003",
            )
        )
    elif "django.contrib.staticfiles" in apps and apps.index("daphne") > apps.index(
        "django.contrib.staticfiles"
    ):
        errors.append(
            Warning(
                "'daphne' comes after 'django.contrib.staticfiles' in INSTALLED_APPS, so "
                "runserver is staticfiles' and will not serve websockets.",
                hint="Move 'daphne' to the top of INSTALLED_APPS.",
                id="django_realtime.W004",
            )
        )
    return errors


def _asgi_py() -> str:
    """What asgi.py should say, for this project's settings module."""
    module = getattr(settings, "SETTINGS_MODULE", None) or "project.settings"
    return (
        "make asgi.py:\n"
        "    import os\n"
        f"    os.environ.setdefault('DJANGO_SETTINGS_MODULE', '{module}')\n"
        "    from django_realtime.asgi import get_asgi_application\n"
        "    application = get_asgi_application()"
    )


def _check_asgi_application(dotted: str) -> list[CheckMessage]:
    """The ASGI application must serve websockets: Django's own handler (the asgi.py that
    startproject writes) answers every handshake with HTTP 500."""
    from django.core.handlers.asgi import ASGIHandler
    from django.utils.module_loading import import_string

    try:
        application = import_string(dotted)
    except Exception as exc:  # an import error, or whatever asgi.py raises
        return [
            Warning(
                f"ASGI_APPLICATION {dotted!r} cannot be imported: {exc!r}.",
                hint=f"Point ASGI_APPLICATION at asgi.py's application, and {_asgi_py()}",
                id="django_realtime.W014",
            )
        ]
    mapping = getattr(application, "application_mapping", None)  # Channels' ProtocolTypeRouter
    if isinstance(application, ASGIHandler) or (
        isinstance(mapping, dict) and "websocket" not in mapping
    ):
        return [
            Warning(
                f"{dotted} serves HTTP only (Django's own ASGI handler, as startproject "
                "writes asgi.py): every websocket handshake gets HTTP 500.",
                hint=f"In place of Django's handler, {_asgi_py()}",
                id="django_realtime.W015",
            )
        ]
    return []


@register(Tags.urls)
def check_realtime_views(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from .dependencies import declared, resolve
    from .log.catalog import realtime_views

    errors: list[CheckMessage] = []
    for view_class in realtime_views():
        name = f"{view_class.__module__}.{view_class.__qualname__}"
        try:
            model = view_class.get_realtime_model()
        except ImproperlyConfigured as exc:
            errors.append(
                Error(
                    str(exc),
                    hint="Set `queryset` on the view.",
                    obj=name,
                    id="django_realtime.E004",
                )
            )
            continue
        try:
            resolve(model, declared(view_class))
        except ImproperlyConfigured as exc:
            errors.append(
                Error(
                    str(exc),
                    hint="Each entry is an ORM lookup path from the view's model to a related "
                    "model, like 'author' or 'article__author'.",
                    obj=name,
                    id="django_realtime.E013",
                )
            )
    return errors


@register(Tags.urls)
def check_websocket_routes(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With websocket() routes in the URLconf, the realtime consumer must be among them, at
    REALTIME['ENDPOINT'] (where clients and the docs look for it)."""
    from routing.routes import flatten

    from .protocol.consumer import RealtimeConsumer

    routes = [route for route in flatten(get_resolver().url_patterns) if route.websocket]
    if not routes:
        return []  # the consumer is served at REALTIME['ENDPOINT']
    endpoint = realtime_settings.ENDPOINT
    paths = [
        "/" + "".join(str(part.pattern) for part in (*route.chain, route.entry))
        for route in routes
        if _is_consumer(route.entry.callback, RealtimeConsumer)
    ]
    if not paths:
        return [
            Warning(
                "The URLconf has websocket() routes, and none serves RealtimeConsumer: "
                "clients cannot subscribe.",
                hint=f"Add websocket({endpoint[1:]!r}, RealtimeConsumer.as_asgi(), "
                "name='realtime') to the URLconf.",
                id="django_realtime.W007",
            )
        ]
    if endpoint not in paths:
        return [
            Warning(
                f"RealtimeConsumer is routed at {', '.join(paths)}, but REALTIME['ENDPOINT'] "
                f"is {endpoint!r}.",
                hint=f"Set REALTIME['ENDPOINT'] = {paths[0]!r}, or route the consumer there.",
                id="django_realtime.W008",
            )
        ]
    return []


@register(Tags.compatibility)
def check_log_database(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The log's database must be one the capture supports, and hold every captured model."""
    from django.db import connections, router

    from .log import get_catalog, log_database
    from .log.backends import Unsupported, backend_for

    try:
        alias = log_database()
    except ImproperlyConfigured:
        return []  # check_settings says what is wrong
    if alias not in connections:
        return [
            Error(
                f"REALTIME['DATABASE'] is {alias!r}, which DATABASES does not have.",
                hint="Set REALTIME['DATABASE'] to the alias of the database that holds the "
                "models of your realtime views.",
                id="django_realtime.E008",
            )
        ]
    try:
        backend_for(connections[alias])
    except Unsupported as exc:
        return [
            Error(
                str(exc),
                hint="Changes are captured by triggers that the app installs on PostgreSQL "
                "(10 or newer) and SQLite; MySQL and MariaDB have no statement-level "
                "triggers with transition tables, and are not supported yet (see "
                '"The change log" in the documentation).',
                id="django_realtime.E009",
            )
        ]
    errors: list[CheckMessage] = []
    for model in sorted(get_catalog().models, key=lambda m: m._meta.label):
        where = router.db_for_write(model)
        if where != alias:
            errors.append(
                Error(
                    f"{model._meta.label} is written to database {where!r}, but the change "
                    f"log is on {alias!r}: its changes cannot be captured.",
                    hint="Route the model to the log's database, or set "
                    "REALTIME['DATABASE'] to the database that holds it.",
                    obj=model,
                    id="django_realtime.E010",
                )
            )
    return errors


@register(Tags.database)
def check_capture(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """The capture triggers in the log's database are the ones the catalog asks for."""
    from .log import log_database, plan
    from .log.backends import Unsupported
    from .log.install import has_log_table

    alias = log_database()
    if not databases or alias not in databases:
        return []
    try:
        if not has_log_table(alias):
            return []  # migrations are pending: Django says so, and migrate installs capture
        todo = plan(alias)
    except Unsupported:
        return []  # check_log_database says so
    if todo.up_to_date:
        return []
    return [
        Warning(
            f"Change capture on database {alias!r} is not up to date: {todo.describe()}. "
            "Changes of those tables reach no subscriber.",
            hint="Run: python manage.py realtime_capture (migrate also does it).",
            id="django_realtime.W012",
        )
    ]


def _is_consumer(app: Any, consumer_class: type) -> bool:
    found = getattr(app, "consumer_class", None)
    return isinstance(found, type) and issubclass(found, consumer_class)
