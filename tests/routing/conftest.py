from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import clear_url_caches
from django.urls import converters as django_converters


@pytest.fixture
def converter_registry() -> Iterator[None]:
    """Restores Django's converter registry, which register_converter() changes for good."""
    saved = dict(django_converters.REGISTERED_CONVERTERS)
    yield
    django_converters.REGISTERED_CONVERTERS.clear()
    django_converters.REGISTERED_CONVERTERS.update(saved)
    django_converters.get_converters.cache_clear()
    from django.urls import resolvers

    cache_clear = getattr(resolvers._route_to_regex, "cache_clear", None)
    if cache_clear is not None:  # Django 5.1+ caches parsed routes
        cache_clear()
    clear_url_caches()
