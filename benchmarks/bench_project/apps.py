from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "benchmarks.bench_project"
    label = "bench_project"

    def ready(self) -> None:
        from . import baselines

        baselines.connect_signals()
