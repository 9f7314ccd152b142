"""The testproject's URLconf runs on routing: the API, the admin, the websocket endpoint."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import get_resolver
from django.urls import reverse as django_reverse
from rest_framework.test import APIClient

import routing
from articles.models import Article
from routing import CompiledResolver


@pytest.fixture(autouse=True)
def _project_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "project.urls"


@pytest.fixture
def article(db: Any) -> Article:
    author = User.objects.create_user("alice", password="alice-password")
    return Article.objects.create(title="Hello", status="published", author=author)


def test_the_urlconf_is_compiled() -> None:
    (entry,) = get_resolver().url_patterns
    assert isinstance(entry, CompiledResolver)


@pytest.mark.parametrize(
    ("name", "kwargs", "url"),
    [
        ("index", {}, "/"),
        ("article-list", {}, "/api/articles/"),
        ("article-detail", {"pk": 7}, "/api/articles/7/"),
        ("article-detail", {"pk": 7, "format": "json"}, "/api/articles/7.json/"),
        ("api-root", {}, "/api/"),
        ("admin:index", {}, "/admin/"),
        ("rest_framework:login", {}, "/api-auth/login/"),
        ("realtime", {}, "/ws/"),
    ],
)
def test_reverse(name: str, kwargs: dict[str, Any], url: str) -> None:
    assert routing.reverse(name, kwargs=kwargs) == django_reverse(name, kwargs=kwargs) == url


def test_api_detail_lookups_are_typed(article: Article) -> None:
    client = APIClient()
    assert client.get(f"/api/articles/{article.pk}/").json()["title"] == "Hello"
    assert client.get(f"/api/articles/{article.pk}.json").status_code == 200
    assert client.get("/api/articles/").status_code == 200
    assert client.get("/api/articles/999/")["Content-Type"] == "application/json"  # the view's
    # Refused by the route, before the view: Django's own 404 page, not the API's JSON.
    for path in ("/api/articles/0/", "/api/articles/abc/", "/api/articles/-1/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_resolver_match_a_view_sees(article: Article) -> None:
    response = APIClient().get(f"/api/articles/{article.pk}/")
    match = response.resolver_match
    assert (match.url_name, match.route, match.kwargs) == (
        "article-detail",
        "api/articles/<int:pk>/",
        {"pk": article.pk},
    )


def test_admin_still_works(db: Any) -> None:
    assert Client().get("/admin/login/").status_code == 200
    assert Client().get("/admin/").status_code == 302


def test_debug_404_page_lists_the_routes(settings: Any, db: Any) -> None:
    settings.DEBUG = True
    response = Client().get("/api/nowhere/")
    assert response.status_code == 404
    # Django's list: every top-level route, and inside api/ every route of the router.
    items = [
        " ".join(re.sub("<[^>]+>", " ", item).split())
        for item in re.findall(r"<li>(.*?)</li>", response.content.decode(), re.DOTALL)
    ]
    assert "api/ articles/&lt;int:pk&gt;/ [name='article-detail']" in items
    assert "admin/" in items


def test_url_template_tag() -> None:
    from django.template import Context, Template

    template = Template(
        "{% url 'article-detail' pk=3 %} {% url 'admin:index' %} {% url 'realtime' %}"
    )
    assert template.render(Context()) == "/api/articles/3/ /admin/ /ws/"
