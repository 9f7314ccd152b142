"""Swap routing in for a peer project's own test suite, the way a user plugs it in.

Every URLconf module of the given test packages gets ``urlpatterns =
routing.compile(urlpatterns)`` as it is imported (what a user writes in each ``urls.py``),
and DRF's routers are routing's.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any


class _CompilingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        patterns = getattr(module, "urlpatterns", None)
        if isinstance(patterns, (list, tuple)):
            import routing

            module.urlpatterns = routing.compile(patterns)  # type: ignore[attr-defined]


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, packages: Iterable[str]) -> None:
        self.packages = tuple(packages)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] not in self.packages:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = getattr(finder, "find_spec", lambda *a: None)(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and not spec.submodule_search_locations:
                    spec.loader = _CompilingLoader(spec.loader)
                return spec  # type: ignore[no-any-return]
        return None


def compile_urlconfs(packages: Iterable[str]) -> None:
    """Wrap the ``urlpatterns`` of every module of ``packages`` as it is imported."""
    sys.meta_path.insert(0, _Finder(packages))


def routing_routers() -> None:
    """DRF's SimpleRouter and DefaultRouter are routing's."""
    from rest_framework import routers

    from routing import drf

    routers.SimpleRouter = drf.SimpleRouter  # type: ignore[misc]
    routers.DefaultRouter = drf.DefaultRouter  # type: ignore[misc]
