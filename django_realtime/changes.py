"""The write side: announce committed changes to every subscriber.

:func:`emit` is what :class:`~django_realtime.mixins.RealtimeMixin` calls after a create,
update or destroy, and what you call for changes made anywhere else (admin, shell, tasks)::

    from django_realtime import emit

    with transaction.atomic():
        article.status = "published"
        article.save()
        emit(article)                      # "updated" is the default kind

    emit(article, "deleted")               # before or after article.delete()
    emit(Article, "deleted", pk=42)        # when only the primary key is left

Nothing is sent until the transaction commits; a rollback (of the transaction, or of the
savepoint the call was made in) sends nothing, and several calls for one object in one
transaction send one notification.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from django.db import connections, router, transaction
from django.db.models import Model

from .transport.publisher import publish_soon

logger = logging.getLogger("django_realtime")

Kind = Literal["created", "updated", "deleted"]
KINDS: tuple[Kind, ...] = ("created", "updated", "deleted")


def emit(
    obj: Model | type[Model],
    kind: Kind = "updated",
    *,
    pk: Any = None,
    using: str | None = None,
) -> None:
    """Announce, once the current transaction commits, that an object changed.

    ``obj`` is the changed instance, or its model class together with ``pk``. ``kind`` is
    ``"created"``, ``"updated"`` or ``"deleted"``; subscribers receive what the change means
    for *them* (an update can be a "created" for a list it enters), so the kind is a hint.
    ``using`` is the database alias whose transaction to wait for (default: the router's
    write database for the model).
    """
    if isinstance(obj, Model):
        model: type[Model] = type(obj)
        if pk is None:
            pk = obj.pk
    elif isinstance(obj, type) and issubclass(obj, Model):
        model = obj
    else:
        raise TypeError(
            f"emit() takes a model instance, or a model class with pk=..., not {obj!r}."
        )
    if pk is None:
        raise ValueError(
            f"emit() needs the primary key of the {model.__name__}: save the instance "
            "first, or call emit() before deleting it, or pass pk=..."
        )
    if kind not in KINDS:
        raise ValueError(f"emit() kind must be one of {', '.join(KINDS)}; got {kind!r}.")
    model = model._meta.concrete_model or model
    using = using or router.db_for_write(model)
    notice = _Notice(_batch_for(using), model._meta.label_lower, str(pk), kind)
    transaction.on_commit(notice, using=using)


class _Batch:
    """The notifications of one transaction: each object is announced once."""

    def __init__(self) -> None:
        self.sent: set[tuple[str, str]] = set()


class _Notice:
    """One ``on_commit`` callback. Django drops it if its savepoint rolls back."""

    def __init__(self, batch: _Batch, label: str, pk: str, kind: str) -> None:
        self.batch, self.label, self.pk, self.kind = batch, label, pk, kind

    def __call__(self) -> None:
        key = (self.label, self.pk)
        if key in self.batch.sent:
            return
        self.batch.sent.add(key)
        try:
            publish_soon(self.label, [(self.pk, self.kind)])
        except Exception:
            # The write has committed; failing the request now would only hide that.
            logger.exception(
                "Could not publish the %s change of %s pk=%s to the channel layer; "
                "subscribers will not see it. Check CHANNEL_LAYERS and that its server "
                "(Redis) is reachable.",
                self.kind,
                self.label,
                self.pk,
            )

    def __repr__(self) -> str:
        return f"<realtime notice {self.kind} {self.label} pk={self.pk}>"


def _batch_for(using: str) -> _Batch:
    """The batch of the transaction in progress on ``using``, found among its callbacks."""
    connection = connections[using]
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            callback = entry[1]
            if isinstance(callback, _Notice):
                return callback.batch
    return _Batch()
