"""docs/quickstart.md, word for word, in a new DRF project, from a built wheel.

The wheel of this repository is built and installed into a fresh virtualenv, as
``pip install <distribution name>`` would install it; a plain DRF project (``django-admin
startproject``, an app with a model, a serializer and a router) is made; then each step
of the quickstart is applied with the text of its code blocks, the only edit being the
project's own name; the project is served with ``manage.py runserver`` and a websocket
client does what the quickstart's JavaScript does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client import SocketClient
from tests.e2e.servers import ROOT, Server, free_port, wait_until_serving

pytestmark = pytest.mark.e2e

QUICKSTART = ROOT / "docs" / "quickstart.md"
DISTRIBUTION = re.search(r"^name = (\S+)$", (ROOT / "setup.cfg").read_text(), re.M)[1]  # type: ignore[index]
PROJECT = "mysite"  # the user's own project name; the quickstart's says "project"

# What the user has before the quickstart: a model, its serializer, a viewset, a router.
EXISTING = {
    "articles/models.py": """
        from django.db import models


        class Article(models.Model):
            title = models.CharField(max_length=200)
            status = models.CharField(max_length=20, default="draft")
    """,
    "articles/serializers.py": """
        from rest_framework import serializers

        from .models import Article


        class ArticleSerializer(serializers.ModelSerializer):
            class Meta:
                model = Article
                fields = ["id", "title", "status"]
    """,
    "articles/views.py": """
        from rest_framework import viewsets

        from .models import Article
        from .serializers import ArticleSerializer


        class ArticleViewSet(viewsets.ModelViewSet):
            queryset = Article.objects.all()
            serializer_class = ArticleSerializer
    """,
    f"{PROJECT}/urls.py": """
        from django.urls import include, path
        from rest_framework.routers import DefaultRouter

        from articles.views import ArticleViewSet

        router = DefaultRouter()
        router.register("articles", ArticleViewSet)
        urlpatterns = [path("api/", include(router.urls))]
    """,
}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", QUICKSTART.read_text(), re.S)


# A new project's shell: nothing of this test run's Django settings or import path.
ENV = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}


def run(*command: str | Path, cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with this repository's wheel, installed as the quickstart says."""
    work = tmp_path_factory.mktemp("quickstart")
    wheels = work / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT, cwd=work)
    (wheel,) = wheels.glob("*.whl")
    assert wheel.name.startswith(DISTRIBUTION.replace("-", "_") + "-"), wheel.name
    run(sys.executable, "-m", "venv", work / "venv", cwd=work)
    python = work / "venv" / "bin" / "python"
    install = blocks("sh")[0].splitlines()[0].split("#")[0].split()
    assert install == ["pip", "install", DISTRIBUTION], "the quickstart installs another name"
    # The same command, with the wheel built here in place of the package index's.
    run(python, "-m", "pip", "install", "-q", wheel, cwd=work, timeout=600)
    return work


@pytest.fixture(scope="module")
def site(venv: Path) -> Iterator[tuple[Path, Server]]:
    python = venv / "venv" / "bin" / "python"
    project = venv / "project"
    project.mkdir()
    run(venv / "venv" / "bin" / "django-admin", "startproject", PROJECT, ".", cwd=project)
    run(python, "manage.py", "startapp", "articles", cwd=project)
    for name, text in EXISTING.items():
        (project / name).write_text(textwrap.dedent(text).lstrip())

    # 2. Settings: the quickstart's block, with the project's own apps where it says so.
    settings_file = project / PROJECT / "settings.py"
    settings = settings_file.read_text()
    ours = re.search(r"INSTALLED_APPS = \[\n(.*?)\]", settings, re.S)[1]  # type: ignore[index]
    ours += '    "rest_framework",\n    "articles",\n'
    step = re.sub(r"\n\s*# \.\.\..*\n", "\n" + ours, blocks("python")[0])
    settings_file.write_text(settings + "\n" + step.replace('"project.', f'"{PROJECT}.'))
    # 3. The ASGI application.
    asgi = blocks("python")[2]
    assert asgi.startswith("# project/asgi.py"), asgi
    (project / PROJECT / "asgi.py").write_text(asgi.replace("project.", f"{PROJECT}."))
    # 4. The mixin, on the existing viewset.
    views = project / "articles" / "views.py"
    imports = views.read_text().split("\n\n\nclass")[0]
    views.write_text(imports + "\n" + blocks("python")[3])

    run(python, "manage.py", "makemigrations", "articles", cwd=project)
    run(python, "manage.py", "migrate", cwd=project)
    checked = run(python, "manage.py", "check", cwd=project)
    assert "no issues" in checked, checked
    # 5. Subscribe: the quickstart's runserver, on a port of the test's own.
    (command,) = blocks("sh")[1].split("\n")[:1]
    assert command == "python manage.py runserver"
    port = free_port()
    log = venv / "runserver.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=project,
            env=ENV,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log)
    try:
        wait_until_serving(server, "/api/")
        yield project, server
    finally:
        server.stop()


async def test_the_quickstart_works_word_for_word(site: tuple[Path, Server]) -> None:
    project, server = site
    script = blocks("js")[0]
    url = re.search(r'new WebSocket\("(.*?)"\)', script)[1]  # type: ignore[index]
    assert url == "ws://127.0.0.1:8000/ws/"
    literal = re.search(r"JSON\.stringify\(\s*(\{.*?\})\)", script, re.S)[1]  # type: ignore[index]
    frame = json.loads(re.sub(r"(\w+):", r'"\1":', literal))

    client = await SocketClient.connect(url.replace("8000", str(server.port)))
    try:
        await client.send(**frame)
        subscribed = await client.expect("subscribed", id=frame["id"])
        assert subscribed["data"] == []  # snapshot: the GET's body
        # A write from another program: the shell, as a task or a script would.
        run(
            project.parent / "venv" / "bin" / "python",
            "manage.py",
            "shell",
            "-c",
            "from articles.models import Article; "
            "Article.objects.create(title='Hello', status='published')",
            cwd=project,
        )
        event = await client.expect("event", id=frame["id"], event="created")
        assert event["data"] == {"id": event["pk"], "title": "Hello", "status": "published"}
    finally:
        await client.close()
    assert "Starting ASGI/Daphne" in server.output()


def test_the_distribution_name_is_ours_on_the_package_index() -> None:
    """``pip install <name>`` must install this project: the name is free on PyPI, or the
    project there is this one."""
    description = re.search(r"^description = (.+)$", (ROOT / "setup.cfg").read_text(), re.M)
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{DISTRIBUTION}/json", timeout=30) as r:
            summary = json.load(r)["info"]["summary"]
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return  # free
        raise
    assert summary == description[1], (  # type: ignore[index]
        f"{DISTRIBUTION!r} on PyPI is another project ({summary!r}): choose another name"
    )
