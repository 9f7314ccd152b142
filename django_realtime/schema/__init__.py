"""The AsyncAPI 3.0 document of the realtime endpoint: ``manage.py realtime_asyncapi``."""

from .document import build

__all__ = ["build"]
