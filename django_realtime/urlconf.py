"""Walking a URLconf: every URL pattern with the includes above it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver


def walk(
    patterns: Iterable[Any], chain: tuple[URLResolver, ...] = ()
) -> Iterator[tuple[tuple[URLResolver, ...], URLPattern]]:
    """Each URL pattern of ``patterns`` with the chain of includes that leads to it (an
    URLconf that includes itself is not followed into again)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if any(outer.urlconf_name == entry.urlconf_name for outer in chain):
                continue
            yield from walk(entry.url_patterns, (*chain, entry))
        elif isinstance(entry, URLPattern):
            yield chain, entry
