"""Settings of the testproject: the example that the demo and the tests use.

Environment:
- ``DATABASE_URL``: any dj-database-url URL; SQLite next to this file by default.
- ``REDIS_URL``: when set, the channel layer is channels_redis (``REDIS_LAYER=pubsub`` picks
  ``RedisPubSubChannelLayer``, anything else ``RedisChannelLayer``; ``REDIS_PREFIX`` keeps
  projects that share a Redis apart; ``REDIS_CAPACITY`` sets the core layer's capacity);
  otherwise in-memory.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-the-testproject-only")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_realtime",
    "routing",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory, so that the realtime worker thread and the request
    # threads of the tests can read and write at the same time (WAL mode; see articles.apps).
    # One file per test process, so that two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"django-realtime-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _channel_layers() -> dict[str, Any]:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if os.environ.get("REDIS_LAYER") == "pubsub":
        backend = "channels_redis.pubsub.RedisPubSubChannelLayer"
    else:
        backend = "channels_redis.core.RedisChannelLayer"
    config: dict[str, Any] = {
        "hosts": [redis_url],
        "prefix": os.environ.get("REDIS_PREFIX", "asgi"),
    }
    if os.environ.get("REDIS_CAPACITY"):  # messages a channel holds; the rest are dropped
        config["capacity"] = int(os.environ["REDIS_CAPACITY"])
    return {"default": {"BACKEND": backend, "CONFIG": config}}


CHANNEL_LAYERS = _channel_layers()

REST_FRAMEWORK = {
    # Token first: an anonymous request that needs a login gets 401 with
    # "WWW-Authenticate: Token", the way an API client expects.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"articles": os.environ.get("ARTICLES_RATE", "10000/min")},
}

# REALTIME_SETTINGS='{"MAX_BUFFERED_BYTES": 65536}' tunes a deployment without editing this.
REALTIME: dict[str, Any] = json.loads(os.environ.get("REALTIME_SETTINGS", "{}"))

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_realtime": {"handlers": ["console"], "level": "INFO"}},
}
