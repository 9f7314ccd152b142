"""``manage.py realtime_asyncapi``: write the AsyncAPI 3.0 document of the realtime routes.

python manage.py realtime_asyncapi --host api.example.com --protocol wss -o asyncapi.json
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...schema import build


class Command(BaseCommand):
    help = "Write the AsyncAPI 3.0 document of the project's realtime endpoint (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="The file to write (default: stdout).")
        parser.add_argument(
            "--host", default="localhost:8000", help="The server's host[:port] in the document."
        )
        parser.add_argument("--protocol", default="ws", choices=["ws", "wss"])
        parser.add_argument(
            "--title", help="The document's title (default: <project> realtime API)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = build(
            host=options["host"], protocol=options["protocol"], title=options["title"]
        )
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as output:
                output.write(text)
            self.stderr.write(
                f"Wrote {options['output']}: {len(document['channels']) - 1} realtime routes."
            )
        else:
            self.stdout.write(text, ending="")
