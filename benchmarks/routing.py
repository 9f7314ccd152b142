"""Resolve and reverse with Django's resolver, werkzeug's matcher and routing, in one run.

    .venv/bin/python benchmarks/routing.py            # the table in docs/performance.md
    .venv/bin/python benchmarks/routing.py --quick    # fewer repeats, for a quick look

Every number is the best per-call time (µs) over several rounds; the rounds interleave
the three implementations, so a noisy neighbour slows all of them alike and the ratios,
measured in the same run, stay comparable. werkzeug comes from the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.conf import settings

# This file is benchmarks/routing.py: "import routing" must not import the file itself.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

SIZES = (10, 100, 1000, 5000)
VIEWSETS = 50


def configure() -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        ROOT_URLCONF="bench_django_10",
        USE_TZ=True,
    )
    django.setup()


def view(request: Any, *args: Any, **kwargs: Any) -> None:
    """Never called: only resolved."""


@dataclass
class Workload:
    label: str
    django_patterns: list[Any]
    routing_patterns: list[Any]
    rules: list[Any]
    paths: dict[str, str]  # operation -> path
    reverse: tuple[str, dict[str, Any]]
    modules: dict[str, str] = field(default_factory=dict)


def synthetic(size: int) -> Workload:
    """``size`` routes, half static (``static4/``), half with an int (``items5/<int:pk>/``)."""
    from django.urls import path as django_path
    from werkzeug.routing import Rule

    import routing

    def route(i: int) -> str:
        return f"static{i}/" if i % 2 == 0 else f"items{i}/<int:pk>/"

    def url(i: int) -> str:
        return f"/static{i}/" if i % 2 == 0 else f"/items{i}/42/"

    middle = size // 2
    kind = {True: "static", False: "int"}
    return Workload(
        label=f"{size:,} routes",
        django_patterns=[django_path(route(i), view, name=f"r{i}") for i in range(size)],
        routing_patterns=routing.compile(
            [routing.path(route(i), view, name=f"r{i}") for i in range(size)]
        ),
        rules=[Rule("/" + route(i), endpoint=f"r{i}") for i in range(size)],
        paths={
            "first (static)": url(0),
            f"middle ({kind[middle % 2 == 0]})": url(middle),
            "last (int)": url(size - 1),
            "404": "/nowhere/42/",
        },
        reverse=(f"r{size - 1}", {"pk": 42}),
    )


def drf_app() -> Workload:
    """50 ModelViewSets through DefaultRouter, each with a list and a detail @action."""
    from django.contrib.auth.models import Group, Permission, User
    from django.urls import include
    from django.urls import path as django_path
    from rest_framework import routers, serializers, viewsets
    from rest_framework.decorators import action
    from rest_framework.response import Response
    from werkzeug.routing import Rule

    import routing
    import routing.drf

    viewset_classes = []
    for i in range(VIEWSETS):
        model = (User, Group, Permission)[i % 3]

        class Serializer(serializers.ModelSerializer):  # type: ignore[type-arg]
            class Meta:
                fields = "__all__"

        Serializer.Meta.model = model  # type: ignore[attr-defined]

        class ViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
            queryset = model.objects.all()
            serializer_class = Serializer

            @action(detail=False)
            def recent(self, request: Any) -> Response:
                return Response([])

            @action(detail=True, methods=["post"])
            def publish(self, request: Any, pk: Any = None) -> Response:
                return Response({})

        viewset_classes.append(ViewSet)

    django_router = routers.DefaultRouter()
    routing_router = routing.drf.DefaultRouter()
    rules = [Rule("/api/", endpoint="api-root"), Rule("/api/.<fmt>", endpoint="api-root-f")]
    for i, viewset in enumerate(viewset_classes):
        django_router.register(f"res{i}", viewset, basename=f"res{i}")
        routing_router.register(f"res{i}", viewset, basename=f"res{i}")
        for suffix, name in (("/", ""), (".<fmt>", "-f")):
            rules += [
                Rule(f"/api/res{i}{suffix}", endpoint=f"res{i}-list{name}"),
                Rule(f"/api/res{i}/recent{suffix}", endpoint=f"res{i}-recent{name}"),
                Rule(f"/api/res{i}/<int:pk>{suffix}", endpoint=f"res{i}-detail{name}"),
                Rule(f"/api/res{i}/<int:pk>/publish{suffix}", endpoint=f"res{i}-publish{name}"),
            ]
    return Workload(
        label=f"DRF, {VIEWSETS} viewsets",
        django_patterns=[django_path("api/", include(django_router.urls))],
        routing_patterns=routing.compile([routing.path("api/", include(routing_router.urls))]),
        rules=rules,
        paths={
            "first (list)": "/api/res0/",
            "middle (detail)": f"/api/res{VIEWSETS // 2}/42/",
            "last (detail action)": f"/api/res{VIEWSETS - 1}/42/publish/",
            "404": f"/api/res{VIEWSETS - 1}/42/nowhere/",
        },
        reverse=(f"res{VIEWSETS - 1}-detail", {"pk": 42}),
    )


def install(workload: Workload, index: int) -> None:
    """Each URLconf becomes a module, as ROOT_URLCONF and reverse() expect."""
    for kind, patterns in (
        ("django", workload.django_patterns),
        ("routing", workload.routing_patterns),
    ):
        name = f"bench_{kind}_{index}"
        module = types.ModuleType(name)
        module.urlpatterns = patterns  # type: ignore[attr-defined]
        sys.modules[name] = module
        workload.modules[kind] = name


def resolving(
    resolve: Callable[[str], Any], path: str, missing: type[Exception]
) -> Callable[[], Any]:
    def run() -> Any:
        try:
            return resolve(path)
        except missing:
            return None

    return run


def best_times(functions: list[Callable[[], Any]], rounds: int) -> list[float]:
    """Best µs per call of each function; the rounds interleave the functions."""
    numbers = []
    for function in functions:
        function()  # first calls compile (routing) or build state machines (werkzeug)
        number = 1
        while timeit.timeit(function, number=number) < 0.005:
            number *= 2
        numbers.append(number * 4)  # about 20 ms a batch
    best = [float("inf")] * len(functions)
    for _ in range(rounds):
        for i, (function, number) in enumerate(zip(functions, numbers, strict=True)):
            best[i] = min(best[i], timeit.timeit(function, number=number) / number * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 15")
    rounds = 3 if parser.parse_args().quick else 15

    configure()
    from django.urls import Resolver404, get_resolver, set_script_prefix, set_urlconf
    from django.urls import reverse as django_reverse
    from werkzeug.exceptions import NotFound
    from werkzeug.routing import Map

    import routing

    workloads = [synthetic(size) for size in SIZES] + [drf_app()]
    for index, workload in enumerate(workloads):
        install(workload, index)

    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, werkzeug "
        f"{_version('werkzeug')}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; best of {rounds} interleaved rounds, "
        "µs per call\n"
    )
    header = (
        "| URLconf | operation | Django | werkzeug bind().match | routing "
        "| Django ÷ routing | werkzeug ÷ routing | werkzeug, adapter reused |"
    )
    print(header)
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    results: dict[tuple[str, str], list[float]] = {}
    maps = {workload.label: Map(workload.rules) for workload in workloads}
    for workload in workloads:
        django_resolver = get_resolver(workload.modules["django"])
        routing_resolver = get_resolver(workload.modules["routing"])
        url_map = maps[workload.label]
        adapter = url_map.bind("example.com")
        for operation, path in workload.paths.items():
            times = best_times(
                [
                    resolving(django_resolver.resolve, path, Resolver404),
                    resolving(lambda p, m=url_map: m.bind("example.com").match(p), path, NotFound),
                    resolving(routing_resolver.resolve, path, Resolver404),
                    resolving(adapter.match, path, NotFound),
                ],
                rounds,
            )
            results[(workload.label, operation)] = times
            django_time, werkzeug_time, routing_time, bound_time = times
            print(
                f"| {workload.label} | {operation} | {django_time:,.1f} | {werkzeug_time:.1f} "
                f"| {routing_time:.1f} | {django_time / routing_time:,.0f}x "
                f"| {werkzeug_time / routing_time:.2f}x | {bound_time:.1f} |"
            )

    print(
        "\nreverse(name, kwargs={'pk': 42}) in a request's state (URLconf, script prefix set):\n"
    )
    print(
        "| URLconf | Django reverse() | werkzeug build() | routing.reverse() "
        "| routing.reverser() | Django ÷ reverse() | Django ÷ reverser() |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    reverse_ratios = []
    for workload in workloads:
        name, kwargs = workload.reverse
        adapter = maps[workload.label].bind("example.com")
        # As in a view: the handler has set the URLconf and the script prefix.
        set_urlconf(workload.modules["routing"])
        set_script_prefix("/")
        bound = routing.reverser()
        calls = [
            lambda n=name, k=kwargs: django_reverse(n, kwargs=k),
            lambda n=name, k=kwargs, a=adapter: a.build(n, k),
            lambda n=name, k=kwargs: routing.reverse(n, kwargs=k),
            lambda n=name, k=kwargs, b=bound: b(n, kwargs=k),
        ]
        assert calls[0]() == calls[2]() == calls[3](), "routing must build Django's URL"
        django_time, werkzeug_time, routing_time, bound_time = best_times(calls, rounds)
        reverse_ratios.append((django_time / routing_time, django_time / bound_time))
        print(
            f"| {workload.label} | {django_time:.1f} | {werkzeug_time:.1f} | {routing_time:.1f} "
            f"| {bound_time:.1f} | {django_time / routing_time:.1f}x "
            f"| {django_time / bound_time:.1f}x |"
        )
        set_urlconf(None)

    print("\nTargets:")
    last_1000 = results[("1,000 routes", "last (int)")]
    first_10 = results[("10 routes", "first (static)")]
    last_5000 = results[("5,000 routes", "last (int)")]
    last_10 = results[("10 routes", "last (int)")]
    slower = [key for key, times in results.items() if times[2] >= times[1]]
    checks = [
        (f"last of 1,000 routes: {last_1000[0] / last_1000[2]:.0f}x faster than Django "
         "(target ≥ 50x)", last_1000[0] / last_1000[2] >= 50),
        (f"last of 5,000 (int) / first of 10 (static): {last_5000[2] / first_10[2]:.2f}x "
         f"(target ≤ 1.5x; last of 5,000 / last of 10, both int: "
         f"{last_5000[2] / last_10[2]:.2f}x)", last_5000[2] / first_10[2] <= 1.5),
        (f"faster than werkzeug bind().match in {len(results) - len(slower)} of {len(results)} "
         f"rows{'' if not slower else ' (not: ' + ', '.join(' '.join(k) for k in slower) + ')'}",
         not slower),
        (f"routing.reverse() {min(r[0] for r in reverse_ratios):.1f}x to "
         f"{max(r[0] for r in reverse_ratios):.1f}x faster than Django's; routing.reverser() "
         f"{min(r[1] for r in reverse_ratios):.1f}x to {max(r[1] for r in reverse_ratios):.1f}x "
         "(target ≥ 5x)", min(r[0] for r in reverse_ratios) >= 5),
    ]  # fmt: skip
    for text, met in checks:
        print(f"- {'met' if met else 'NOT met'}: {text}")


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


if __name__ == "__main__":
    main()
