"""Prometheus export of the counters, when ``prometheus_client`` is installed.

The collector is registered with prometheus_client's default registry when the app loads,
so whatever serves your ``/metrics`` (``prometheus_client.make_asgi_app()``,
django-prometheus, ...) exports it too. The stats endpoints serve it as well, at
``/realtime/metrics/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .stats import counters

# name, kind, help
METRICS = [
    ("connections", "gauge", "Open realtime websocket connections."),
    ("connections_total", "counter", "Realtime websocket connections accepted."),
    ("subscriptions", "gauge", "Live subscriptions, admitted or being admitted."),
    ("audiences", "gauge", "Audiences: groups of subscriptions that share each event's work."),
    ("log_entries_read", "counter", "Change log entries read by this process."),
    ("events_in", "counter", "Changes of followed models read from the change log."),
    ("events_out", "counter", "Event frames queued for clients."),
    ("slow_client_disconnects", "counter", "Clients disconnected for reading too slowly."),
    ("resumes", "counter", "Subscribes with since answered with the events missed."),
    ("resets", "counter", "Subscribes with since answered with reset and a snapshot."),
    ("credential_checks", "counter", "Credentials of live subscriptions checked again."),
    ("revocations", "counter", "Subscriptions ended because their credentials failed."),
    ("rings_out", "counter", "Rings sent on the channel layer after commits."),
    ("rings_in", "counter", "Rings received from the channel layer."),
    ("log_position", "gauge", "Change log position this process has read through."),
    ("log_floor", "gauge", "Change log position that retention has pruned through."),
    ("serialization_seconds", "counter", "Time spent serializing and rendering event data."),
    ("serializations", "counter", "Objects serialized and rendered for events."),
]


class RealtimeCollector:
    """A prometheus_client collector over :data:`~django_realtime.stats.counters`."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        values = counters.snapshot()
        for name, kind, help_text in METRICS:
            family = GaugeMetricFamily if kind == "gauge" else CounterMetricFamily
            metric_name = "django_realtime_" + name.removesuffix("_total")
            yield family(metric_name, help_text, value=values[name])


def register() -> bool:
    """Register with prometheus_client's default registry; False if it is not installed."""
    try:
        from prometheus_client import REGISTRY
    except ImportError:
        return False
    if not getattr(register, "done", False):
        REGISTRY.register(RealtimeCollector())
        register.done = True  # type: ignore[attr-defined]
    return True


def exposition() -> bytes:
    """The counters in Prometheus' text format (needs prometheus_client)."""
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=True)
    registry.register(RealtimeCollector())
    return bytes(generate_latest(registry))
