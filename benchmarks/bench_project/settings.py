"""The testproject, plus the baselines that benchmarks/fanout.py compares it with.

The REST API is served twice: at ``/api/`` with django-realtime's mixin, and at
``/plain/api/`` without it ("realtime off", see urls.py); the websocket baselines are
served at their own paths.

On PostgreSQL, connections come from Django's connection pool (Django 5.1+, psycopg_pool),
as Django recommends under ASGI rather than a new connection per request: every system
is measured with it.
"""

from __future__ import annotations

import django
from django.core.exceptions import ImproperlyConfigured

from project.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.bench_project"]  # noqa: F405
ROOT_URLCONF = "benchmarks.bench_project.urls"
ASGI_APPLICATION = "benchmarks.bench_project.asgi.application"
# Every client of the benchmark comes from one address.
REALTIME = {"STATS_LOG_INTERVAL": 0, "MAX_CONNECTIONS_PER_CLIENT": 100_000}
LOGGING = {"version": 1, "disable_existing_loggers": False}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    if django.VERSION < (5, 1):
        raise ImproperlyConfigured("The benchmark needs Django 5.1+ (its connection pool).")
    DATABASES["default"]["OPTIONS"] = {"pool": True}  # noqa: F405
