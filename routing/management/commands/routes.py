"""``manage.py routes``: every HTTP and websocket route, why a path resolves, and checks."""

from __future__ import annotations

import json
from typing import Any

from django.core.checks import ERROR
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import get_resolver

from routing.checks import run_checks
from routing.explain import as_dict, explain
from routing.routes import Route, flatten, params, route_name, route_text


class Command(BaseCommand):
    help = "List the URL routes (HTTP and websocket), explain how a path resolves, or check them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument(
            "--explain",
            metavar="PATH",
            help="Show which route matches PATH and why each earlier candidate does not.",
        )
        parser.add_argument(
            "--websocket", action="store_true", help="With --explain: resolve as a websocket."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Run routing's system checks; exit with status 1 when any reports a problem.",
        )
        parser.add_argument("--urlconf", help="A URLconf module other than ROOT_URLCONF.")

    def handle(self, *args: Any, **options: Any) -> None:
        patterns = get_resolver(options["urlconf"]).url_patterns
        if options["check"]:
            return self._check(flatten(patterns))
        if options["explain"] is not None:
            found = explain(patterns, options["explain"], websocket=options["websocket"])
            if options["json"]:
                self.stdout.write(json.dumps(as_dict(found), indent=2))
            else:
                self.stdout.write("\n".join(found.lines()))
            return
        rows = [describe(route) for route in flatten(patterns)]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        self.stdout.write(table(rows))

    def _check(self, routes: list[Route]) -> None:
        messages = run_checks(routes)
        for message in messages:
            style = self.style.ERROR if message.level >= ERROR else self.style.WARNING
            self.stderr.write(style(f"{message.id}: {message.msg}"))
            if message.hint:
                self.stderr.write(f"    HINT: {message.hint}")
        if messages:
            raise CommandError(f"{len(messages)} routing problem(s) found.", returncode=1)
        self.stdout.write(f"{len(routes)} routes checked: no problems.")


def describe(route: Route) -> dict[str, Any]:
    return {
        "kind": "websocket" if route.websocket else "http",
        "pattern": "/" + route_text(route),
        "name": route_name(route),
        "view": view_label(route.entry),
        "converters": {param.name: param.spec for param in params(route)},
    }


def view_label(entry: Any) -> str:
    callback = getattr(entry, "callback", None)
    if callback is None:
        return f"{type(entry).__module__}.{type(entry).__qualname__} (resolves on its own)"
    actions = getattr(callback, "actions", None)
    target = (
        getattr(callback, "cls", None)
        or getattr(callback, "view_class", None)
        or getattr(callback, "consumer_class", None)
        or callback
    )
    label = f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', repr(target))}"
    if actions:
        # DRF adds head=<get's action> on the first request: not part of the route.
        shown = {m: a for m, a in actions.items() if m != "head" or a != actions.get("get")}
        label += " (" + ", ".join(f"{m}={a}" for m, a in shown.items()) + ")"
    return label


def table(rows: list[dict[str, Any]]) -> str:
    headers = ("KIND", "PATTERN", "NAME", "VIEW", "CONVERTERS")
    cells = [
        (
            row["kind"],
            row["pattern"],
            row["name"] or "",
            row["view"],
            ", ".join(f"{k}: {v}" for k, v in row["converters"].items()),
        )
        for row in rows
    ]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip() for cell in cells
    )
    return "\n".join(lines)
