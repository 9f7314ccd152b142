"""URLconfs that include themselves, through others: as Django resolves and reverses them,
never a hang (Django follows such an include only as far as a path reaches into it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.urls import resolve, reverse

ROOT = "tests.routing.recursive.outer"
PATHS = [
    "/leaf/1/",
    "/in/page/",
    "/in/out/leaf/2/",
    "/in/out/in-again/out/leaf/3/",
    "/in-again/out/in/out/in/page/",
    "/in/out/nope/",
]
NAMES = [
    ("leaf", {"n": 1}),
    ("inner:page", {}),
    ("again:page", {}),
    ("inner:outer:leaf", {"n": 2}),
    ("inner:outer:again:outer:leaf", {"n": 3}),
    ("again:outer:inner:page", {}),
]


def answers() -> list[Any]:
    found: list[Any] = []
    for path in PATHS:
        try:
            match = resolve(path)
        except Exception as exc:
            found.append(type(exc).__name__)
        else:
            found.append([match.url_name, match.namespace, match.kwargs, match.route])
    found += [reverse(name, kwargs=kwargs) for name, kwargs in NAMES]
    return found


@pytest.mark.timeout(30)
def test_recursive_includes_resolve_and_reverse_as_djangos(settings: Any) -> None:
    settings.ROOT_URLCONF = ROOT
    ours = answers()
    code = (
        "import django, json; from django.conf import settings; "
        f"settings.configure(ROOT_URLCONF={ROOT!r}); django.setup(); "
        "from tests.routing.test_recursive import answers; print(json.dumps(answers()))"
    )
    plain = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "ROUTING_RECURSIVE_PLAIN": "1", "DJANGO_SETTINGS_MODULE": ""},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(json.dumps(ours)) == json.loads(plain.stdout)
    assert ours[0][0] == "leaf"
    assert ours[-1] == "/in-again/out/in/page/"
