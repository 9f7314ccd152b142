"""``RealtimeMixin``: a DRF viewset whose changes reach its subscribers.

    class ArticleViewSet(RealtimeMixin, viewsets.ModelViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleSerializer

Put the mixin *before* the viewset base class. Clients can then subscribe to every URL
this viewset answers GETs on; what each subscriber receives is decided by the viewset
itself, exactly as for that GET.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model


class RealtimeMixin:
    """Accept subscriptions to this view's GET URLs. Its model is captured once the view is
    in the URLconf (and ``migrate`` has installed the triggers), whoever writes to it."""

    request: Any
    # True on the views of a GET @action declared realtime: @action(detail=False,
    # realtime=True). Such an action answers as list() (or, with detail=True, retrieve())
    # does, from get_queryset(), filter_queryset() and get_serializer().
    realtime = False

    @classmethod
    def as_view(cls, *args: Any, **initkwargs: Any) -> Any:
        """The view function, as the base class makes it; an error if django_realtime is
        not an installed app (nothing would capture changes, and no check would say so)."""
        if not apps.is_installed("django_realtime"):
            raise ImproperlyConfigured(
                f"{cls.__module__}.{cls.__qualname__} uses RealtimeMixin, but "
                "'django_realtime' is not in INSTALLED_APPS: add it there (after "
                "'rest_framework'), then run manage.py migrate."
            )
        return cast(Any, super()).as_view(*args, **initkwargs)

    @classmethod
    def get_realtime_model(cls) -> type[Model]:
        """The model whose changes this view's subscribers hear about."""
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return queryset.model  # type: ignore[no-any-return]
        meta = getattr(getattr(cls, "serializer_class", None), "Meta", None)
        model = getattr(meta, "model", None)
        if isinstance(model, type) and issubclass(model, Model):
            return model
        raise ImproperlyConfigured(
            f"{cls.__name__} uses RealtimeMixin but names no model. Set a `queryset` "
            "attribute on it (get_queryset() may still refine it), or override the "
            "`get_realtime_model()` classmethod."
        )

    def get_realtime_audience(self) -> Hashable:
        """Subscribers with equal keys share one evaluation of every event.

        Called after authentication and permissions, with ``self.request`` set. Two
        subscriptions to the same URL whose keys are equal must be shown exactly the same
        data: the default key is the user, which is always safe. Return a coarser key (for
        example ``"public"``) only when get_queryset(), the permissions and the serializer
        do not depend on who asks; see docs/audiences.md.
        """
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return ("anonymous",)
        return ("user", user.pk)
