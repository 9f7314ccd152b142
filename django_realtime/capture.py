"""Which models are captured, and a guard for code that expects a save to be announced.

Every model served by a realtime view in the URLconf is captured by database triggers
(docs/log.md). ``track(Model)``, called from an ``AppConfig.ready()``, captures one that no
view serves (its changes can then reach subscribers of views that depend on it)::

    class BlogConfig(AppConfig):
        def ready(self):
            from django_realtime import track
            track(self.get_model("Tag"))

``announce_changes()`` no longer needs to wrap writes: inside it, a save of a model that
nothing captures logs a warning, because no subscriber will hear of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model, signals

from .log import captured, register

logger = logging.getLogger("django_realtime")

_announcing: ContextVar[bool] = ContextVar("django_realtime_announcing", default=False)
_warned: set[type[Model]] = set()


@contextmanager
def announce_changes() -> Iterator[None]:
    """Within this block, warn about saves of models whose changes nothing captures."""
    token = _announcing.set(True)
    try:
        yield
    finally:
        _announcing.reset(token)


def track(model: type[Model]) -> None:
    """Capture this model's changes even though no realtime view in the URLconf serves it.

    Call it from an ``AppConfig.ready()``, so that ``migrate`` installs its triggers."""
    register(model)


def _saved(sender: type[Model], raw: bool, **kwargs: Any) -> None:
    if not _announcing.get() or raw or sender in _warned:
        return
    if not captured(sender):
        _warned.add(sender)
        logger.warning(
            "announce_changes(): %s is saved, but no realtime view serves it and it is not "
            "registered, so its changes reach no subscriber. Add its viewset to the URLconf, "
            "or call django_realtime.track(%s) in an AppConfig.ready() and run migrate.",
            sender._meta.label,
            sender.__name__,
        )


def start() -> None:
    signals.post_save.connect(_saved, weak=False, dispatch_uid="django_realtime.capture")
