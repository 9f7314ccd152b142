"""``reverse()``: Django's answers, from tables built once per URLconf and name.

The candidates of a name come from Django's own ``reverse_dict`` (so ordering, defaults
and converters follow Django exactly); what routing saves is the work Django repeats on
every call: language lookups, namespace resolvers, regex compilation and quoting.
"""

from __future__ import annotations

import difflib
import threading
import weakref
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import NoReverseMatch, URLResolver, get_resolver, get_script_prefix, get_urlconf
from django.utils.translation import get_language

from .reverse_errors import explain, one_of
from .reverse_tables import Level
from .routes import depends_on_language


class RouteNotFound(NoReverseMatch):
    """A ``NoReverseMatch`` whose message names the missing or invalid arguments."""


def reverse(
    viewname: Any,
    urlconf: Any = None,
    args: Sequence[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
    *,
    query: Any = None,
    fragment: str | None = None,
) -> str:
    """Django's ``reverse()``, answered from precompiled tables."""
    if urlconf is None:
        urlconf = get_urlconf()
    reverser = _reverser(get_resolver(urlconf))
    url = reverser.reverse(viewname, args or (), kwargs or {}, current_app, get_script_prefix())
    return _finish(url, query, fragment)


class Reverser:
    """``reverse()`` bound to the URLconf, script prefix and language of its creation.

    Each ``reverse()`` call reads two context-local values (the URLconf of the request and
    the script prefix), which is most of its cost; a loop that builds many URLs for the
    same request can read them once: ``url = routing.reverser(); url("article", ...)``.
    """

    def __init__(self, urlconf: Any = None, current_app: str | None = None) -> None:
        self._reverser = _reverser(get_resolver(get_urlconf() if urlconf is None else urlconf))
        self._prefix = get_script_prefix()
        self._current_app = current_app
        self._level = self._reverser.top()

    def __call__(
        self,
        viewname: Any,
        args: Sequence[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        *,
        query: Any = None,
        fragment: str | None = None,
    ) -> str:
        url = self._reverser.reverse(
            viewname, args or (), kwargs or {}, self._current_app, self._prefix, self._level
        )
        return _finish(url, query, fragment)


reverser = Reverser


def _finish(url: str, query: Any, fragment: str | None) -> str:
    if query is not None:
        if isinstance(query, QueryDict):
            query_string = query.urlencode()
        else:
            query_string = urlencode(query, doseq=True)
        if query_string:
            url += "?" + query_string
    if fragment is not None:
        url += "#" + fragment
    return url


# Keyed by id(): a WeakKeyDictionary lookup costs more than the rest of a reverse().
_reversers: dict[int, tuple[weakref.ref[URLResolver], _Reverser]] = {}
_lock = threading.Lock()


def _reverser(root: URLResolver) -> _Reverser:
    found = _reversers.get(id(root))
    if found is not None and found[0]() is root:
        return found[1]
    with _lock:
        reverser = _Reverser(root)
        _reversers[id(root)] = (weakref.ref(root, _forget(id(root))), reverser)
    return reverser


def _forget(key: int) -> Any:
    def forget(ref: weakref.ref[URLResolver], table: dict[int, Any] = _reversers) -> None:
        entry = table.get(key)
        if entry is not None and entry[0] is ref:  # not a newer resolver with the same id
            del table[key]

    return forget


class _Reverser:
    def __init__(self, root: URLResolver) -> None:
        self.root = root
        self.translated = depends_on_language(root.url_patterns)
        self.levels: dict[str | None, Level] = {}

    def top(self) -> Level:
        language = get_language() if self.translated else None
        level = self.levels.get(language)
        if level is None:
            level = self.levels[language] = Level(self.root, self.root, (), "", {})
        return level

    def reverse(
        self,
        viewname: Any,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        current_app: str | None,
        prefix: str,
        level: Level | None = None,
    ) -> str:
        level = level or self.top()
        if isinstance(viewname, str) and ":" in viewname:
            *path, view = viewname.split(":")
            level = self._namespace(level, path, current_app)
        else:
            view = viewname
        if args and kwargs:
            raise ValueError("Don't mix *args and **kwargs in call to reverse()!")
        candidates = level.lookup(view)
        for candidate in candidates:
            url = candidate.url(prefix, args, kwargs)
            if url is not None:
                return url
        raise RouteNotFound(
            explain(self.top(), level, viewname, view, candidates, args, kwargs, prefix)
        )

    def _namespace(self, level: Level, path: list[str], current_app: str | None) -> Level:
        """Django's namespace walk: an app name picks the current or the default instance."""
        current_path = current_app.split(":")[::-1] if current_app else None
        resolved: list[str] = []
        for ns in path:
            current_ns = current_path.pop() if current_path else None
            app_list = level.apps.get(ns)
            if app_list is not None:
                if current_ns and current_ns in app_list:
                    ns = current_ns
                elif ns not in app_list:
                    ns = app_list[0]
            if ns != current_ns:
                current_path = None
            child = level.child(ns)
            if child is None:
                close = difflib.get_close_matches(
                    ns, list(dict.fromkeys([*level.namespaces, *level.apps])), n=3
                )
                hint = f" Did you mean {one_of(close)}?" if close else ""
                inside = f" inside '{':'.join(resolved)}'" if resolved else ""
                raise RouteNotFound(f"'{ns}' is not a registered namespace{inside}.{hint}")
            resolved.append(ns)
            level = child
        return level
