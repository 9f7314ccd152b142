"""pytest plugin for DRF's own test suite: its routers are routing's (``-p drf_plugin``)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(trylast=True)
def pytest_configure(config: Any) -> None:
    from peer_swap import routing_routers

    routing_routers()  # after DRF's conftest has configured Django
