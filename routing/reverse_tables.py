"""The tables ``reverse()`` reads: each name's candidates, compiled, per namespace."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from django.urls import URLResolver
from django.urls.resolvers import get_ns_resolver
from django.utils.http import RFC3986_SUBDELIMS

_SAFE = RFC3986_SUBDELIMS + "/~:@"
_NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_.\-~" + re.escape(_SAFE) + "]*").fullmatch


class Candidate:
    """One way to build a URL for a name: a ``reverse_dict`` entry, compiled."""

    __slots__ = ("converters", "defaults", "param_set", "params", "pattern", "prefixed", "result")

    def __init__(
        self,
        result: str,
        params: list[str],
        pattern: str,
        defaults: dict[str, Any],
        converters: dict[str, Any],
    ) -> None:
        self.result = result
        self.params = params
        self.param_set = frozenset(params)
        self.pattern = pattern
        self.defaults = defaults
        self.converters = converters
        self.prefixed: dict[str, tuple[str, Any]] = {}

    def url(self, prefix: str, args: Sequence[Any], kwargs: dict[str, Any]) -> str | None:
        """Django's ``_reverse_with_prefix`` for this candidate: the URL, or None."""
        if args:
            if len(args) != len(self.params):
                return None
            subs: dict[str, Any] = dict(zip(self.params, args, strict=True))
        else:
            defaults = self.defaults
            if defaults:
                if set(kwargs).symmetric_difference(self.param_set).difference(defaults):
                    return None
                for key, value in defaults.items():
                    if key not in self.param_set and kwargs.get(key, value) != value:
                        return None
            elif kwargs.keys() != self.param_set:
                return None
            subs = kwargs
        text: dict[str, Any] = {}
        converters = self.converters
        for key, value in subs.items():
            converter = converters.get(key)
            if converter is None:
                text[key] = str(value)
                continue
            try:
                text[key] = converter.to_url(value)
            except ValueError:
                return None
        prefixed = self.prefixed.get(prefix)
        if prefixed is None:
            prefixed = self.prefixed[prefix] = (
                prefix.replace("%", "%%") + self.result,
                re.compile(f"^{re.escape(prefix)}{self.pattern}").search,
            )
        url = prefixed[0] % text
        if prefixed[1](url) is None:
            return None
        if _NEEDS_NO_QUOTING(url) is None:
            url = quote(url, safe=_SAFE)
        if url.startswith("//"):  # no scheme-relative URLs (Django's escape_leading_slashes)
            url = "/%2F" + url[2:]
        return url

    @property
    def shown(self) -> str:
        """The route as a reader knows it: ``api/articles/<pk>/``."""
        return re.sub(r"%\((\w+)\)s", r"<\1>", self.result).replace("%%", "%")


class Level:
    """A namespace (or the root): how Django's reverse() sees the names inside it."""

    def __init__(
        self,
        resolver: URLResolver,
        names: URLResolver,
        path: tuple[str, ...],
        ns_pattern: str,
        ns_converters: dict[str, Any],
    ) -> None:
        self.resolver = resolver  # whose namespace_dict and app_dict lead further down
        self.names = names  # whose reverse_dict holds this level's names
        self.path = path
        self.ns_pattern = ns_pattern
        self.ns_converters = ns_converters
        self.apps: dict[str, list[str]] = dict(resolver.app_dict)
        self.namespaces = dict(resolver.namespace_dict)
        self.children: dict[str, Level] = {}
        self.candidates: dict[Any, list[Candidate]] = {}

    def child(self, namespace: str) -> Level | None:
        found = self.children.get(namespace)
        if found is None:
            entry = self.namespaces.get(namespace)
            if entry is None:
                return None
            extra, resolver = entry
            ns_pattern = self.ns_pattern + extra
            ns_converters = {**self.ns_converters, **resolver.pattern.converters}
            names = (
                get_ns_resolver(ns_pattern, resolver, tuple(ns_converters.items()))
                if ns_pattern
                else resolver
            )
            found = Level(resolver, names, (*self.path, namespace), ns_pattern, ns_converters)
            self.children[namespace] = found
        return found

    def lookup(self, view: Any) -> list[Candidate]:
        found = self.candidates.get(view)
        if found is None:
            found = [
                Candidate(result, params, pattern, defaults, converters)
                for possibility, pattern, defaults, converters in self.names.reverse_dict.getlist(
                    view
                )
                for result, params in possibility
            ]
            if found:  # unknown names stay out: callers may pass anything
                self.candidates[view] = found
        return found
