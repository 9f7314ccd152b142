"""URLconfs that include one another in a cycle, as Django's own tests do: ``outer``
includes ``inner`` (namespaced), which includes ``outer`` again. With ``COMPILED`` each is
wrapped in ``routing.compile()``, as a user writes it; without, they are Django's."""

from __future__ import annotations

import os
from typing import Any


def maybe_compile(patterns: list[Any]) -> list[Any]:
    if os.environ.get("ROUTING_RECURSIVE_PLAIN"):
        return patterns
    import routing

    return routing.compile(patterns)
