"""The realtime routes of the URLconf: every URL a client can subscribe to, as a template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import get_resolver
from django.urls.resolvers import RoutePattern

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
        pieces = [_part(part.pattern) for part in parts]
        parameters = {name: regex for _, found in pieces for name, regex in found.items()}
        if "format" in parameters or any(text is None for text, _ in pieces):
            continue  # a format-suffix twin, or a regex that is no template
        template = "/" + "".join(text or "" for text, _ in pieces)
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


def _part(pattern: Any) -> tuple[str | None, dict[str, str]]:
    """One level's piece of the template and its parameters (name -> what it matches);
    None for a regex that is more than literal text and named groups."""
    if isinstance(pattern, RoutePattern):  # path(): <int:pk> -> {pk}
        parameters = {
            name: getattr(converter, "regex", "[^/]+")
            for name, converter in pattern.converters.items()
        }
        return _CONVERTER.sub(r"{\1}", str(pattern)), parameters
    regex = str(pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    out, parameters, at = [], {}, 0
    for match in _GROUP.finditer(regex):
        if match.start() < at:
            continue
        out.append(regex[at : match.start()])
        depth, end = 1, match.end()
        while end < len(regex) and depth:
            depth += {"(": 1, ")": -1}.get(regex[end], 0) if regex[end - 1] != "\\" else 0
            end += 1
        out.append("{" + match[1] + "}")
        parameters[match[1]] = regex[match.end() : end - 1]
        at = end
    out.append(regex[at:])
    text = "".join(out).replace("/?", "/")  # an optional slash: written with it
    if re.search(r"(?<!\\)[()\[\]*+?|^$]", text):
        return None, parameters
    return re.sub(r"\\(.)", r"\1", text), parameters
