from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RealtimeConfig(AppConfig):
    name = "django_realtime"
    verbose_name = "Realtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import capture, checks, writes  # noqa: F401  (checks registers the checks)
        from .log.install import install_after_migrate
        from .metrics import register

        register()  # a no-op without prometheus_client
        writes.start()
        capture.start()
        # After every migrate: a migration may have rebuilt a captured table (and dropped
        # its triggers), or added a view; bring capture up to date.
        post_migrate.connect(install_after_migrate, sender=self)
        limit_runserver_frames()


def limit_runserver_frames() -> None:
    """``runserver`` (daphne) refuses websocket messages larger than the protocol allows
    before buffering them, unless the project set its own limit."""
    from django.conf import settings

    from .conf import realtime_settings

    for name in ("DAPHNE_WEBSOCKET_MAX_MESSAGE_SIZE", "DAPHNE_WEBSOCKET_MAX_FRAME_SIZE"):
        if not hasattr(settings, name):
            setattr(settings, name, realtime_settings.MAX_FRAME_BYTES)
