"""Live updates for Django REST framework APIs: a subscription is a GET that stays open.

from django_realtime import RealtimeMixin, announce_changes, emit
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["RealtimeMixin", "announce_changes", "emit", "track"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .capture import announce_changes, track
    from .changes import emit
    from .mixins import RealtimeMixin


def __getattr__(name: str) -> Any:
    # Lazy, so that listing the app in INSTALLED_APPS imports neither DRF nor the ORM.
    if name == "emit":
        from .changes import emit

        return emit
    if name in ("announce_changes", "track"):
        from . import capture

        return getattr(capture, name)
    if name == "RealtimeMixin":
        from .mixins import RealtimeMixin

        return RealtimeMixin
    raise AttributeError(f"module 'django_realtime' has no attribute {name!r}")
