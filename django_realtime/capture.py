"""Announce the writes made while a realtime view handles a request, however they are made.

Inside :func:`announce_changes`, every save and delete of a *tracked* model (one that a
``RealtimeMixin`` view serves, or one passed to :func:`track`) calls :func:`~.changes.emit`.
``RealtimeMixin`` wraps its write requests in it, so a ``perform_create()`` override, an
``@action`` that saves, or a nested serializer are all covered; the admin, a task or a
shell can use it too::

    from django_realtime import announce_changes

    with announce_changes():
        article.status = "published"
        article.save()

Bulk operations (``QuerySet.update()``, ``bulk_create()``) send no model signals: call
``emit()`` for those.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model, signals

from .changes import emit

_announcing: ContextVar[bool] = ContextVar("django_realtime_announcing", default=False)
_tracked: set[type[Model]] = set()


@contextmanager
def announce_changes() -> Iterator[None]:
    """Within this block, saves and deletes of tracked models are announced after commit."""
    token = _announcing.set(True)
    try:
        yield
    finally:
        _announcing.reset(token)


def track(model: type[Model]) -> None:
    """Announce this model's saves and deletes made inside :func:`announce_changes`.

    Receivers are connected to this model only, so other models keep Django's fast
    delete path.
    """
    if model in _tracked:
        return
    _tracked.add(model)
    uid = f"django_realtime:{model._meta.label_lower}"
    signals.post_save.connect(_saved, sender=model, weak=False, dispatch_uid=uid)
    signals.post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=uid)
    signals.m2m_changed.connect(_m2m_changed, weak=False, dispatch_uid="django_realtime")


def tracked_models() -> frozenset[type[Model]]:
    return frozenset(_tracked)


def _saved(
    sender: type[Model], instance: Model, created: bool, raw: bool, using: str, **kwargs: Any
) -> None:
    if _announcing.get() and not raw:
        emit(instance, "created" if created else "updated", using=using)


def _deleted(sender: type[Model], instance: Model, using: str, **kwargs: Any) -> None:
    if _announcing.get():
        emit(instance, "deleted", using=using)


def _m2m_changed(
    sender: Any,
    instance: Model,
    action: str,
    model: type[Model],
    pk_set: Any,
    using: str,
    **kwargs: Any,
) -> None:
    if not _announcing.get() or not action.startswith("post_"):
        return
    if type(instance) in _tracked:
        emit(instance, "updated", using=using)
    if model in _tracked:
        for pk in pk_set or ():
            emit(model, "updated", pk=pk, using=using)
