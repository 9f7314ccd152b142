"""The realtime routes of the URLconf: every URL a client can subscribe to, as a template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import get_resolver

from ..mixins import RealtimeMixin
from ..subscriptions.errors import SubscriptionError
from ..subscriptions.target import action_of
from ..urlconf import walk

_CONVERTER = re.compile(r"<(?:[^<>]*:)?(\w+)>")  # <pk>, <int:pk>, <int(min=1):pk>
_GROUP = re.compile(r"\(\?P<(\w+)>")


@dataclass(frozen=True)
class RealtimeRoute:
    name: str  # the URL name, or one made of the template
    template: str  # "/api/articles/{pk}/"
    parameters: dict[str, str]  # name -> what it matches (a regex)
    view_class: type[Any]
    initkwargs: dict[str, Any]
    action: str
    detail: bool


def realtime_routes(urlconf: str | None = None) -> list[RealtimeRoute]:
    """Every route whose GET is a realtime list, retrieve or @action, in URLconf order
    (format-suffix twins and routes that cannot be written as a template left out)."""
    routes: dict[str, RealtimeRoute] = {}
    for chain, entry in walk(get_resolver(urlconf).url_patterns):
        view_class = getattr(entry.callback, "cls", None)
        if not (isinstance(view_class, type) and issubclass(view_class, RealtimeMixin)):
            continue
        parts: list[Any] = [*chain, entry]
        parameters = _parameters(parts)
        template = "/" + "".join(_template(part.pattern) for part in parts)
        if "format" in parameters or not _plain(template):
            continue
        initkwargs = getattr(entry.callback, "initkwargs", {})
        actions = getattr(entry.callback, "actions", None)
        try:
            action, detail = action_of(
                view_class, initkwargs, actions, dict.fromkeys(parameters, ""), template
            )
        except SubscriptionError:
            continue  # not realtime: a GET of it is refused as not_realtime
        name = entry.name or re.sub(r"\W+", "-", template).strip("-") or "root"
        routes.setdefault(
            template,
            RealtimeRoute(name, template, parameters, view_class, initkwargs, action, detail),
        )
    return list(routes.values())


def _template(pattern: Any) -> str:
    text = str(pattern)
    if hasattr(pattern, "converters"):  # path(): <int:pk> -> {pk}
        return _CONVERTER.sub(r"{\1}", text)
    return _regex_template(text)


def _regex_template(regex: str) -> str:
    """``^articles/(?P<pk>[^/.]+)/$`` -> ``articles/{pk}/``; what is left of the regex
    after that is kept (and the route then skipped as not plain)."""
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    out, at = [], 0
    for match in _GROUP.finditer(regex):
        if match.start() < at:
            continue
        out.append(regex[at : match.start()])
        depth, end = 1, match.end()
        while end < len(regex) and depth:
            depth += {"(": 1, ")": -1}.get(regex[end], 0) if regex[end - 1] != "\\" else 0
            end += 1
        out.append("{" + match[1] + "}")
        at = end
    out.append(regex[at:])
    return re.sub(r"\\(.)", r"\1", "".join(out))


def _plain(template: str) -> bool:
    return not re.search(r"[()\[\]*+?|^$\\]", template)


def _parameters(parts: list[Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in parts:
        pattern = part.pattern
        for name, converter in getattr(pattern, "converters", {}).items():
            found[name] = getattr(converter, "regex", "[^/]+")
        if not hasattr(pattern, "converters") or not pattern.converters:
            regex = re.compile(str(pattern))
            for name in regex.groupindex:
                found.setdefault(name, "[^/]+")
    return found
