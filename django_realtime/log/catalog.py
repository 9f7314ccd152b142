"""What is captured: the models of the URLconf's realtime views, the related models their
events depend on (see :mod:`django_realtime.dependencies`), and the registered ones; the
tables that hold them, and which models a changed row of a table stands for.

The set is known once apps are loaded and the URLconf can be read: it depends on no view
module having been imported by anything else. ``track(Model)`` in an ``AppConfig.ready()``
adds a model that no realtime view serves.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db.models import Model

_registered: set[type[Model]] = set()
_lock = threading.RLock()
_building = threading.local()
_catalog: Catalog | None = None


@dataclass(frozen=True)
class Source:
    """A table with capture triggers, and the objects each of its rows names: a
    ``(subject table, column)`` pair per object (the table's own primary key; for a
    many-to-many table, both foreign keys)."""

    table: str
    pk_column: str
    subjects: tuple[tuple[str, str], ...]
    integer_columns: frozenset[str] = frozenset()  # of ``subjects``: keys that are integers


class Catalog:
    def __init__(
        self,
        models: Iterable[type[Model]],
        related: Iterable[type[Model]] = (),
        access: Iterable[type[Model]] = (),
        views: Iterable[type[Any]] = (),
    ) -> None:
        """``models`` are served or registered; ``related`` only show in their events (their
        own many-to-many tables, a user's groups say, are none of their business);
        ``access`` are what credentials rest on (users and their groups and permissions,
        tokens, sessions): a change to them has subscriptions checked again."""
        self.views = tuple(views)  # the URLconf's realtime view classes
        access = frozenset(access)
        served = frozenset(models) | access
        self.models = served | frozenset(related)
        # subject table -> labels of the captured models whose objects its rows are
        self.labels: dict[str, tuple[str, ...]] = {}
        subjects: dict[str, dict[tuple[str, str], None]] = {}
        pk_columns: dict[str, str] = {}
        integers: dict[str, set[str]] = {}
        for model in sorted(self.models, key=lambda m: m._meta.label_lower):
            for table, column, integer in _tables(model):
                pk_columns[table] = column
                if integer:
                    integers.setdefault(table, set()).add(column)
                subjects.setdefault(table, {})[(table, column)] = None
                labels = self.labels.get(table, ())
                if model._meta.label_lower not in labels:
                    self.labels[table] = (*labels, model._meta.label_lower)
        captured_tables = set(self.labels)
        for through in _m2m_tables(served):
            meta = through._meta
            for field in meta.concrete_fields:
                target = getattr(field, "related_model", None)
                if field.many_to_one and target is not None:
                    table = target._meta.db_table
                    if table in captured_tables:
                        column = str(field.column)
                        subjects.setdefault(meta.db_table, {})[(table, column)] = None
                        pk_columns.setdefault(meta.db_table, meta.pk.column)
                        if _is_integer(field):
                            integers.setdefault(meta.db_table, set()).add(column)
        self.sources = tuple(
            Source(
                table,
                pk_columns[table],
                tuple(subjects[table]),
                frozenset(integers.get(table, ())),
            )
            for table in sorted(subjects)
        )

        self.tables = frozenset(source.table for source in self.sources)
        # Rows that grants rest on, by table; a change to a permission may reach anyone.
        permission = _model("auth.Permission")
        self.broad_tables = frozenset(
            model._meta.db_table for model in access if model is permission
        )
        self.access_tables = frozenset(
            concrete(model)._meta.db_table for model in access if model is not permission
        )

    def labels_for(self, table: str) -> tuple[str, ...]:
        """Labels of the captured models whose objects rows of ``table`` are."""
        return self.labels.get(table, ())


def register(model: type[Model]) -> None:
    """Capture this model's changes even though no realtime view in the URLconf serves it."""
    if not (isinstance(model, type) and issubclass(model, Model)):
        raise TypeError(f"track() takes a model class, not {model!r}.")
    with _lock:
        if model not in _registered:
            _registered.add(model)
            _reset()


def get_catalog() -> Catalog:
    global _catalog
    catalog = _catalog
    if catalog is None:
        with _lock:
            if getattr(_building, "active", False):
                # Importing the URLconf ran a query, whose execute wrapper asks again.
                raise RuntimeError("The realtime catalog is being built (the URLconf loads).")
            if _catalog is None:
                _building.active = True
                try:
                    views = realtime_views()
                    served, related = _view_models(views)
                    _catalog = Catalog([*served, *_registered], related, _access_models(), views)
                finally:
                    _building.active = False
            catalog = _catalog
    return catalog


def access_tables() -> tuple[frozenset[str], frozenset[str]]:
    """The tables of rows that credentials rest on, and those whose change may reach any
    credential (permissions)."""
    catalog = get_catalog()
    return catalog.access_tables, catalog.broad_tables


def _access_models() -> list[type[Model]]:
    """What credentials rest on, of what is installed: the user model with its groups and
    permissions, DRF's tokens, database sessions, and ``REALTIME['AUTH_MODELS']``."""
    from django.conf import settings

    from ..conf import realtime_settings

    models: list[type[Model]] = []
    if apps.is_installed("django.contrib.auth"):
        from django.contrib.auth import get_user_model

        models += [get_user_model(), _model("auth.Group"), _model("auth.Permission")]
    if apps.is_installed("rest_framework.authtoken"):
        models.append(_model("authtoken.Token"))
    database_sessions = (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    )
    if (
        apps.is_installed("django.contrib.sessions")
        and settings.SESSION_ENGINE in database_sessions
    ):
        models.append(_model("sessions.Session"))
    for label in realtime_settings.AUTH_MODELS:
        try:
            models.append(apps.get_model(label))
        except (LookupError, ValueError):
            raise ImproperlyConfigured(
                f"REALTIME['AUTH_MODELS'] names {label!r}, which is no installed model; "
                "give models as 'app_label.ModelName'."
            ) from None
    return [model for model in models if model is not None]


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def captured(model: type[Model]) -> bool:
    """Whether changes of ``model``'s table reach the log."""
    return concrete(model)._meta.db_table in get_catalog().labels


def concrete(model: type[Model]) -> type[Model]:
    return model._meta.concrete_model or model


def _reset(**kwargs: Any) -> None:
    global _catalog
    _catalog = None


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in (
        "ROOT_URLCONF",
        "REALTIME",
        "INSTALLED_APPS",
        "SESSION_ENGINE",
        "AUTH_USER_MODEL",
    ):
        _reset()


setting_changed.connect(_on_setting_changed)


def realtime_views() -> list[type[Any]]:
    """The view classes with RealtimeMixin in the URLconf, each once, in its order."""
    from django.urls import get_resolver

    from ..mixins import RealtimeMixin
    from ..urlconf import walk

    views = (
        getattr(entry.callback, "cls", None) for _, entry in walk(get_resolver().url_patterns)
    )
    found = (
        view for view in views if isinstance(view, type) and issubclass(view, RealtimeMixin)
    )  # fmt: skip
    return list(dict.fromkeys(found))


def _view_models(views: list[type[Any]]) -> tuple[list[type[Model]], list[type[Model]]]:
    """The models of realtime views, and the related models they show."""
    from ..dependencies import of_view_class

    apps.check_models_ready()
    served: list[type[Model]] = []
    related: list[type[Model]] = []
    for view_class in views:
        try:
            model = view_class.get_realtime_model()
            # The related rows its serializer shows, and what it declares it depends on.
            shown = [dependency.model for dependency in of_view_class(view_class, model)]
        except ImproperlyConfigured:
            continue  # the system check names the view
        served.append(model)
        related += shown
    return served, related


def _tables(model: type[Model]) -> Iterator[tuple[str, str, bool]]:
    """The tables an object of ``model`` lives in (its own, and those of the models it
    inherits from), each with the column that holds the object's primary key, and whether
    that key is an integer."""
    for owner in (concrete(model), *concrete(model)._meta.get_parent_list()):
        pk = owner._meta.pk
        yield owner._meta.db_table, pk.column, _is_integer(pk)


INTEGERS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}  # fmt: skip


def _is_integer(field: Any) -> bool:
    while field.is_relation:  # a key that is a relation: the key it points at
        field = field.target_field
    return field.get_internal_type() in INTEGERS


def _m2m_tables(models: Iterable[type[Model]]) -> Iterator[type[Model]]:
    """The many-to-many tables beside the captured models, from either side."""
    seen: set[type[Model]] = set()
    for model in models:
        meta = concrete(model)._meta
        fields = [*meta.many_to_many, *(rel.field for rel in meta.related_objects)]
        for field in fields:
            if not field.many_to_many:
                continue
            through = field.remote_field.through
            if isinstance(through, type) and through not in seen:
                seen.add(through)
                yield through
