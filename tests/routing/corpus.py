"""URLconfs that cover every feature of routing, and paths to resolve against each.

Each case builds its patterns when called (some register a converter, some need apps).
The differential tests resolve every path with Django's resolver and with routing's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, include, re_path, register_converter
from django.urls import path as django_path
from django.urls.resolvers import RoutePattern
from django.utils.translation import gettext_lazy

import routing
from routing import path, websocket

from .views import echo, first, home, second, socket, third


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[], list[Any]]
    paths: tuple[str, ...]
    names: tuple[tuple[str, dict[str, Any]], ...] = ()  # reverse(name, kwargs=...) to compare


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


class Even:
    """A registered converter whose to_python refuses half of what its regex matches."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            raise ValueError(f"{value} is odd")
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def _register(converter: type, name: str) -> None:
    from django.urls.converters import get_converters

    if name not in get_converters():
        register_converter(converter, name)


class OwnResolver(URLResolver):
    """A third-party resolver with its own resolve(): routing only ever calls it."""

    def resolve(self, path: Any) -> Any:
        if str(path).startswith("magic/"):
            return URLPattern(RoutePattern("magic/"), third, name="magic").resolve("magic/")
        return super().resolve(path)


def order() -> list[Any]:
    return [
        path("", home, name="home"),
        path("<slug:s>/", first, name="slug"),
        path("new/", second, name="new"),
        path("old/", second, name="old"),
        path("<int:n>/", third, name="int"),
        path("a/<str:x>/", first, name="a-str"),
        path("a/b/", second, name="a-b"),
        path("static-first/", home, name="sf"),
        path("<str:x>/", third, name="str"),
    ]


def fall_through() -> list[Any]:
    _register(Even, "even")
    return [
        path("items/<int(min=1):pk>/", first, name="positive"),
        path("items/<int(signed=True):pk>/", second, name="signed"),
        path("items/<str:key>/", third, name="key"),
        path("day/<date:d>/", first, name="day"),
        path("day/<str:d>/", second, name="day-text"),
        path("even/<even:n>/", first, name="even"),
        path("even/<int:n>/", second, name="odd"),
    ]


def converters() -> list[Any]:
    _register(FourDigitYear, "yyyy")
    return [
        path("int/<int(max=9999, signed=True):n>/", first, name="int"),
        path("lang/<str(min_length=2, max_length=2):lang>/", first, name="lang"),
        path("status/<any(draft, published):status>/", first, name="status"),
        path("slug/<slug(max_length=5):s>/", first, name="slug"),
        path("uuid/<uuid:u>/", first, name="uuid"),
        path("date/<date:d>/", first, name="date"),
        path("float/<float:f>/", first, name="float"),
        path("float/<float(min=-1.5, max=1.5, signed=True):f>/x/", second, name="float-x"),
        path("year/<yyyy:year>/", first, name="year"),
        path("<str:rest>/", second, name="rest"),
    ]


def partial_segments() -> list[Any]:
    return [
        path("articles/<int:year>-<int:month>/", first, name="ym"),
        path("articles/<str:a>-<str:b>/", second, name="ab"),
        path("files/<slug:name>.<any(json, xml):fmt>", first, name="file"),
        path("files/<str:name>", second, name="file-any"),
        path("v<int:version>/", first, name="version"),
        path("x<str:a>y<str:b>z/", third, name="xyz"),
        path("<int:a><int:b>/", first, name="digits"),
    ]


def path_converter() -> list[Any]:
    return [
        path("files/<path:p>/edit/", first, name="edit"),
        path("files/<path:p>", second, name="file"),
        path("<path:p>/raw", third, name="raw"),
        path("docs/<path:p>/", include([path("x/", first, name="x"), path("", second)])),
        path("tree/<path:p>", include([path("", home, name="tree")])),
    ]


def includes() -> list[Any]:
    blog = (
        [
            path("", first, name="index"),
            path("<int:pk>/", second, name="detail"),
            path("<int:pk>/comments/", include(([path("", third, name="list")], "comments"))),
        ],
        "blog",
    )
    return [
        path("blog/", include(blog)),
        path("other-blog/", include(blog, namespace="other")),
        path("u/<int:user>/", include(blog, namespace="user-blog"), {"scope": "user"}),
        path("plain/", include([path("a/", first, {"x": 1}, name="a")]), {"x": 0, "y": 2}),
        path("same/<int:pk>/", include([path("<str:pk>/", echo, name="same")])),
        path("over/<int:pk>/", include([path("x/", echo, {"pk": "fixed"}, name="over")])),
        # Django commits to the prefix's own match ("x-y"), and then "-<str:b>/" fails.
        path("pre<str:a>", include([path("-<str:b>/", echo, name="mid")])),
        path("", include([path("", include([path("deep/", third, name="deep")]))])),
        path("nested/", include(routing.compile([path("c/<int:n>/", first, name="nc")]))),
        path("ws/", include([websocket("live/", socket, name="live")])),
        path("api/", include(([path("x/", first, name="x")], "api"), namespace="v1")),
        path("api/", include(([path("y/", second, name="y")], "api"), namespace="v2")),
    ]


def regexes() -> list[Any]:
    return [
        re_path(r"^about/$", first, name="about"),
        re_path(r"^prefix/", first, name="prefix"),
        re_path(r"^old/(\d+)/(\d+)/$", second, name="old"),
        re_path(r"^named/(?P<a>[0-9]+)/(\d+)/$", third, name="named"),
        re_path(r"^opt/(?:(?P<page>[0-9]+)/)?$", echo, name="opt"),
        re_path(r"^dollar\$$", first, name="dollar"),
        re_path(r"anywhere/$", second, name="anywhere"),
        re_path(r"^re/", include([path("<int:n>/", first, name="re-n"), re_path(r"^z$", third)])),
        re_path(r"^v(?P<version>[0-9])/", include([path("p/", echo, name="vp")])),
        path("about/", second, name="about-path"),
    ]


def mixed() -> list[Any]:
    _register(Even, "even")
    return [
        django_path("django/<int:pk>/", first, name="django-int"),
        django_path("django/<even:n>/", second, name="django-even"),
        path("routing/<int(min=10):pk>/", first, name="routing-int"),
        django_path("routing/<int:pk>/", second, name="routing-fallback"),
        django_path("shared/", include([path("<uuid:u>/", third, name="shared")])),
        path("ws/<int:room>/", socket, name="ws-looking-http"),
        websocket("ws/<int:room>/", socket, name="room"),
        path("ws/<slug:room>/", echo, name="room-http"),
        OwnResolver(RoutePattern(""), [path("own/", first, name="own")]),
        path("after-own/", second, name="after-own"),
    ]


def oddities() -> list[Any]:
    return [
        path("a//b/", first, name="double"),
        path("dots.and+plus/", second, name="special"),
        path("no-slash", third, name="no-slash"),
        path("trailing/", first, name="trailing"),
        path("ünï/<str:c>/", second, name="unicode"),
        path(gettext_lazy("lazy/<int:n>/"), third, name="lazy"),
        path("empty/", include([])),
        path("empty/", first, name="after-empty"),
        path("%41/", second, name="percent"),
    ]


def admin_and_drf() -> list[Any]:
    from django.contrib import admin
    from rest_framework.routers import DefaultRouter

    from articles.views import ArticleViewSet, CommentViewSet

    router = DefaultRouter()
    router.register("articles", ArticleViewSet, basename="article")
    router.register("comments", CommentViewSet, basename="comment")
    return [
        path("admin/", admin.site.urls),
        path("api/", include(router.urls)),
        path("api-auth/", include("rest_framework.urls")),
    ]


def i18n() -> list[Any]:
    from django.conf.urls.i18n import i18n_patterns

    return [
        *i18n_patterns(path("about/", first, name="about"), path("<int:n>/", second, name="n")),
        path("plain/", third, name="plain"),
    ]


COMMON = ("/", "", "no-leading-slash/", "/nope/", "/a/\n", "//", "/ /")

# fmt: off
CASES = [
    Case(
        "order",
        order,
        ("/new/", "/old/", "/x/", "/5/", "/a/b/", "/a/c/", "/static-first/", "/%/", "/a b/"),
        (
            ("slug", {"s": "new"}),
            ("int", {"n": 5}),
            ("a-b", {}),
            ("str", {"x": "q r"}),
            ("str", {"x": "a/b"}),
            ("slug", {"s": "ü"}),
            ("str", {"x": "//"}),
            ("home", {}),
            ("home", {"extra": 1}),
        ),
    ),
    Case(
        "fall-through",
        fall_through,
        (
            "/items/0/",
            "/items/1/",
            "/items/-3/",
            "/items/x/",
            "/day/2024-02-29/",
            "/day/2023-02-29/",
            "/day/2024-13-01/",
            "/even/4/",
            "/even/5/",
        ),
        (("positive", {"pk": 0}), ("positive", {"pk": 3}), ("signed", {"pk": -3})),
    ),
    Case(
        "converters",
        converters,
        (
            "/int/-12/",
            "/int/99999/",
            "/int/9999/",
            "/lang/en/",
            "/lang/eng/",
            "/lang/e/",
            "/status/draft/",
            "/status/deleted/",
            "/slug/abcde/",
            "/slug/abcdef/",
            "/uuid/12345678-1234-5678-1234-567812345678/",
            "/uuid/12345678/",
            "/date/2024-01-31/",
            "/float/1.5/",
            "/float/1./",
            "/float/-1.5/x/",
            "/float/2/x/",
            "/float/1/x/",
            "/year/0042/",
            "/year/42/",
        ),
        (
            ("int", {"n": -12}),
            ("int", {"n": 10000}),
            ("lang", {"lang": "fr"}),
            ("lang", {"lang": "fra"}),
            ("status", {"status": "draft"}),
            ("status", {"status": "gone"}),
            ("date", {"d": "2024-01-31"}),
            ("float", {"f": 2.5}),
            ("year", {"year": 42}),
        ),
    ),
    Case(
        "partial-segments",
        partial_segments,
        (
            "/articles/2024-05/",
            "/articles/2024-x/",
            "/articles/a-b-c/",
            "/files/x.json",
            "/files/x.txt",
            "/files/x.y.json",
            "/v2/",
            "/vx/",
            "/xayz/",
            "/xyyz/",
            "/123/",
        ),
        (("ym", {"year": 2024, "month": 5}), ("file", {"name": "a", "fmt": "xml"})),
    ),
    Case(
        "path-converter",
        path_converter,
        (
            "/files/a/b/edit/",
            "/files/a/b",
            "/files/",
            "/a/b/raw",
            "/raw",
            "/docs/a/b/x/",
            "/docs/a/x/x/",
            "/docs/a/",
            "/tree/a/b",
            "/tree/",
        ),
        (("edit", {"p": "a/b"}), ("x", {"p": "q"}), ("tree", {"p": "a/b"})),
    ),
    Case(
        "includes",
        includes,
        (
            "/blog/",
            "/blog/5/",
            "/blog/5/comments/",
            "/other-blog/5/",
            "/u/7/5/comments/",
            "/plain/a/",
            "/same/1/x/",
            "/over/3/x/",
            "/deep/",
            "/nested/c/4/",
            "/ws/live/",
            "/api/x/",
            "/api/y/",
            "/blog/x/",
            "/prex-y/",
            "/prex/-y/",
        ),
        (
            ("blog:index", {}),
            ("blog:detail", {"pk": 1}),
            ("other:detail", {"pk": 1}),
            ("user-blog:comments:list", {"user": 1, "pk": 2}),
            ("blog:comments:list", {"pk": 2}),
            ("a", {}),
            ("a", {"x": 1}),
            ("deep", {}),
            ("nc", {"n": 1}),
            ("live", {}),
            ("api:x", {}),
            ("v2:y", {}),
            ("api:y", {}),
            ("v1:y", {}),
        ),
    ),
    Case(
        "regexes",
        regexes,
        (
            "/about/",
            "/prefix/anything/else",
            "/old/1/2/",
            "/named/1/2/",
            "/opt/",
            "/opt/3/",
            "/dollar$",
            "/x/anywhere/",
            "/re/5/",
            "/re/z",
            "/v3/p/",
            "/about/x",
        ),
        (("about", {}), ("named", {"a": 1}), ("opt", {}), ("opt", {"page": 2}), ("vp", {})),
    ),
    Case(
        "mixed",
        mixed,
        (
            "/django/5/",
            "/django/x/",
            "/routing/5/",
            "/routing/50/",
            "/shared/x/",
            "/ws/3/",
            "/ws/x/",
            "/own/",
            "/magic/",
            "/after-own/",
            "/shared/12345678-1234-5678-1234-567812345678/",
        ),
        (("django-even", {"n": 4}), ("routing-int", {"pk": 5}), ("room", {"room": 3})),
    ),
    Case(
        "oddities",
        oddities,
        (
            "/a//b/",
            "/a/b/",
            "/dots.and+plus/",
            "/dotsXand+plus/",
            "/no-slash",
            "/no-slash/",
            "/trailing",
            "/ünï/x/",
            "/lazy/3/",
            "/empty/",
            "/%41/",
            "/A/",
        ),
        (("double", {}), ("unicode", {"c": "é ü"}), ("lazy", {"n": 3}), ("percent", {})),
    ),
    Case(
        "admin-and-drf",
        admin_and_drf,
        (
            "/admin/",
            "/admin/login/",
            "/admin/auth/user/",
            "/admin/auth/user/5/change/",
            "/admin/auth/",
            "/admin/nope/",
            "/api/",
            "/api/articles/",
            "/api/articles/5/",
            "/api/articles/5.json",
            "/api/articles.json",
            "/api/.json",
            "/api-auth/login/",
        ),
        (
            ("admin:index", {}),
            ("admin:auth_user_change", {"object_id": 5}),
            ("article-detail", {"pk": 5}),
            ("article-detail", {"pk": 5, "format": "json"}),
        ),
    ),
    Case(
        "i18n",
        i18n,
        ("/en-us/about/", "/en/about/", "/about/", "/en-us/5/", "/de/5/", "/plain/"),
        (("about", {}), ("n", {"n": 5})),
    ),
]
# fmt: on
for case in CASES:
    assert len(set(case.paths)) == len(case.paths), case.id

PATHS = [(case, p) for case in CASES for p in (*case.paths, *COMMON)]
REVERSES = [(case, name, kwargs) for case in CASES for name, kwargs in case.names]
