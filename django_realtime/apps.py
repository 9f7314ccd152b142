from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "django_realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .metrics import register

        register()  # a no-op without prometheus_client
