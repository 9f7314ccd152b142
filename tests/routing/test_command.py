"""``manage.py routes``: the table, --json, --explain and --check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

URLCONF = "tests.routing.urls"
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command("routes", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


TABLE = """\
KIND       PATTERN                                                    NAME             VIEW                                  CONVERTERS
http       /                                                          home             tests.routing.views.first
http       /articles/                                                 articles:list    tests.routing.views.first
http       /articles/<int(min=1):pk>/                                 articles:detail  tests.routing.views.second            pk: int(min=1)
http       /articles/<int(min=1):pk>/<any(draft, published):status>/  articles:status  tests.routing.views.echo              pk: int(min=1), status: any(draft, published)
http       /drafts/                                                   drafts:list      tests.routing.views.first
http       /drafts/<int(min=1):pk>/                                   drafts:detail    tests.routing.views.second            pk: int(min=1)
http       /drafts/<int(min=1):pk>/<any(draft, published):status>/    drafts:status    tests.routing.views.echo              pk: int(min=1), status: any(draft, published)
http       /lang/<str(min_length=2, max_length=2):lang>/              lang             tests.routing.views.echo              lang: str(min_length=2, max_length=2)
http       /day/<date:day>/                                           day              tests.routing.views.echo              day: date
http       /<str:section>/<str:page>/                                 page             tests.routing.views.echo              section: str, page: str
websocket  /ws/rooms/<int:room>/                                      room             tests.routing.consumers.EchoConsumer  room: int
websocket  /ws/echo/                                                  echo             tests.routing.consumers.EchoConsumer
"""


def test_table() -> None:
    assert run("--urlconf", URLCONF) == TABLE


def test_json() -> None:
    rows = json.loads(run("--urlconf", URLCONF, "--json"))
    assert rows[2] == {
        "kind": "http",
        "pattern": "/articles/<int(min=1):pk>/",
        "name": "articles:detail",
        "view": "tests.routing.views.second",
        "converters": {"pk": "int(min=1)"},
    }
    assert rows[-2:] == [
        {
            "kind": "websocket",
            "pattern": "/ws/rooms/<int:room>/",
            "name": "room",
            "view": "tests.routing.consumers.EchoConsumer",
            "converters": {"room": "int"},
        },
        {
            "kind": "websocket",
            "pattern": "/ws/echo/",
            "name": "echo",
            "view": "tests.routing.consumers.EchoConsumer",
            "converters": {},
        },
    ]


def test_drf_views_show_their_actions() -> None:
    rows = json.loads(run("--urlconf", "project.urls", "--json"))
    detail = next(row for row in rows if row["name"] == "article-detail")
    assert detail["view"] == (
        "articles.views.ArticleViewSet (get=retrieve, put=update, patch=partial_update, "
        "delete=destroy)"
    )


@pytest.mark.parametrize(
    ("path", "lines"),
    [
        (
            "/articles/0/",
            [
                "Resolving '/articles/0/':",
                "  1. 'articles/<int(min=1):pk>/' [articles:detail] failed: <pk> got '0', "
                "which its converter rejects: 0 is less than min=1.",
                "  2. '<str:section>/<str:page>/' [page] matched.",
                "View: tests.routing.views.echo, args (), kwargs {'section': 'articles', "
                "'page': '0'}",
                "8 other route(s) were ruled out by their segments without being tried.",
            ],
        ),
        (
            "/articles/3/draft/",
            [
                "Resolving '/articles/3/draft/':",
                "  1. 'articles/<int(min=1):pk>/<any(draft, published):status>/' "
                "[articles:status] matched.",
                "View: tests.routing.views.echo, args (), kwargs {'pk': 3, 'status': 'draft'}",
            ],
        ),
    ],
)
def test_explain(path: str, lines: list[str]) -> None:
    output = run("--urlconf", URLCONF, "--explain", path).splitlines()
    assert output[: len(lines)] == lines


def test_explain_websocket_and_json() -> None:
    found = json.loads(
        run("--urlconf", URLCONF, "--explain", "/ws/rooms/1/", "--websocket", "--json")
    )
    assert found == {
        "path": "/ws/rooms/1/",
        "attempts": [
            {"route": "ws/rooms/<int:room>/", "name": "room", "matched": True, "reason": None}
        ],
        "ruled_out": 1,
        "matched": True,
    }


def test_check_passes_and_fails() -> None:
    assert run("--urlconf", URLCONF, "--check") == "12 routes checked: no problems.\n"
    with pytest.raises(CommandError, match=r"^1 routing problem\(s\) found\.$") as caught:
        run("--urlconf", "tests.routing.shadowed_urls", "--check")
    assert caught.value.returncode == 1


def test_check_exit_status_from_the_command_line() -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'testproject'}"}
    command = [sys.executable, str(ROOT / "testproject" / "manage.py"), "routes", "--check"]
    bad = subprocess.run([*command, "--urlconf", "tests.routing.shadowed_urls"], env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 1
    assert "routing.W002: URL route 'new/' [name='new'] is shadowed by" in bad.stderr
    good = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert good.returncode == 0
    assert good.stdout.endswith(" routes checked: no problems.\n")
