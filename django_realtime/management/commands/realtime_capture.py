"""``manage.py realtime_capture``: install or check the triggers that capture changes.

python manage.py realtime_capture          # bring them up to date
python manage.py realtime_capture --check  # exit 1 if they are not (for CI, deploys)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...log import get_catalog, install, log_database, plan, uninstall
from ...log.backends import Unsupported
from ...log.install import has_log_table


class Command(BaseCommand):
    help = "Install the database triggers that capture changes of realtime models, or check them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Change nothing; exit 1 if not up to date."
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Drop every capture trigger and function: nothing is captured any more.",
        )
        parser.add_argument(
            "--database", default=None, help="The log's database (REALTIME['DATABASE'])."
        )

    def handle(
        self,
        *args: Any,
        check: bool = False,
        remove: bool = False,
        database: str | None = None,
        **options: Any,
    ) -> None:
        using = database or log_database()
        if not has_log_table(using):
            raise CommandError(f"Database {using!r} has no change log yet: run migrate first.")
        if remove:
            dropped = uninstall(using)
            self.stdout.write(
                f"Dropped {dropped} trigger(s) and function(s): nothing is captured until "
                "the next migrate or realtime_capture."
            )
            return
        try:
            done = plan(using) if check else install(using)
        except Unsupported as exc:
            raise CommandError(str(exc)) from None
        catalog = get_catalog()
        for model in sorted(catalog.models, key=lambda m: m._meta.label):
            self.stdout.write(f"captured: {model._meta.label}")
        for source in catalog.sources:
            subjects = ", ".join(f"{table}.{column}" for table, column in source.subjects)
            self.stdout.write(f"  table {source.table} -> {subjects}")
        if check:
            if not done.up_to_date:
                raise CommandError(
                    f"Change capture is not up to date: {done.describe()}. "
                    "Run: python manage.py realtime_capture"
                )
            self.stdout.write("Change capture is up to date.")
        elif done.up_to_date:
            self.stdout.write("Change capture was already up to date.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Change capture installed: {done.describe()}."))
