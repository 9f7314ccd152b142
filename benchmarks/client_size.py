"""The JS client's size as a page downloads it: minified (esbuild) and gzipped.

    .venv/bin/python benchmarks/client_size.py

Prints a table against the 6 KB (min+gzip) budget of the client. Needs tests/js's node
packages (scripts/install).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENT = ROOT / "django_realtime" / "static" / "django_realtime" / "realtime.js"
ESBUILD = ROOT / "tests" / "js" / "node_modules" / ".bin" / "esbuild"
BUDGET = 6 * 1024


def main() -> int:
    if not ESBUILD.exists():
        print("Run scripts/install first: it installs esbuild in tests/js.", file=sys.stderr)
        return 1
    source = CLIENT.read_bytes()
    minified = subprocess.run(
        [str(ESBUILD), str(CLIENT), "--minify", "--format=esm"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    rows = [
        ("source", len(source)),
        ("source, gzip -9", len(gzip.compress(source, 9))),
        ("minified (esbuild)", len(minified)),
        ("minified, gzip -9", len(gzip.compress(minified, 9))),
    ]
    print(f"{'realtime.js':<22} {'bytes':>8} {'of 6 KB budget':>15}")
    for name, size in rows:
        print(f"{name:<22} {size:>8} {size / BUDGET:>14.0%}")
    return 0 if rows[-1][1] <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
