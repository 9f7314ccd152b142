"""Run the peers' own test suites with routing swapped in, as a user plugs it in.

    .venv/bin/python tests/peers/run.py            # the installed Django's and DRF's
    .venv-oldest/bin/python tests/peers/run.py     # the oldest supported versions

Downloads the source distributions of the installed Django and Django REST framework
from the package index (cached in ``.peers/``), then runs

- Django's ``urlpatterns``, ``urlpatterns_reverse``, ``resolve_url`` and
  ``check_framework`` tests, each test URLconf wrapped in ``routing.compile()`` as it is
  imported (``peer_swap.compile_urlconfs``);
- DRF's ``tests/test_routers.py``, with ``SimpleRouter`` and ``DefaultRouter`` being
  routing's (``drf_plugin``).

A test that fails must be in ``DIFFERENCES`` (a difference by design, with its reason,
also listed in docs/routing.md); one listed there that passes is reported too, so the
list stays true. Exits 1 on either.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CACHE = ROOT / ".peers"

DJANGO_APPS = ["urlpatterns", "urlpatterns_reverse", "resolve_url", "check_framework"]

# Failing by design: test id -> why (docs/routing.md#what-stays-different says the same).
DIFFERENCES = {
    "urlpatterns_reverse.tests.ResolverTests.test_404_tried_urls_have_names": (
        "a 404's `tried` list is built only with DEBUG (or compile(tried=True)): building "
        "it costs as much as Django's own resolving, and only the DEBUG 404 page reads it"
    ),
    "tests/test_routers.py::TestTrailingSlashIncluded::test_urls_have_trailing_slash_by_default": (
        "routing's routers make typed path() routes: their regex is Django's path() regex "
        "(`\\Z`, the lookup converter's pattern), not DRF's `[^/.]+` regex route"
    ),
    "tests/test_routers.py::TestTrailingSlashRemoved::test_urls_can_have_trailing_slash_removed": (
        "the same: typed path() routes, not DRF's regex routes"
    ),
}


def source(distribution: str, version: str) -> Path:
    """The unpacked source distribution of ``distribution==version``, downloaded once."""
    target = CACHE / f"{distribution}-{version}"
    if target.exists():
        return target
    CACHE.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
         ":all:", "--dest", str(CACHE), f"{distribution}=={version}"],
        check=True,
    )  # fmt: skip
    (archive,) = [
        found
        for found in CACHE.glob("*.tar.gz")
        if re.fullmatch(rf"{distribution}-{re.escape(version)}\.tar\.gz", found.name, re.I)
    ]
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+: refuse odd members
            tar.extractall(CACHE, filter="data")
        else:
            tar.extractall(CACHE)  # an sdist from the package index
    (CACHE / top).rename(target)
    return target


def run_django(version: str) -> tuple[int, list[str]]:
    tests = source("django", version) / "tests"
    code = (
        "import os, runpy, sys; sys.path.insert(0, os.getcwd()); "
        "from peer_swap import compile_urlconfs; "
        f"compile_urlconfs({DJANGO_APPS!r}); "
        f"sys.argv = ['runtests.py', '--parallel', '1', '-v', '2', *{DJANGO_APPS!r}]; "
        "runpy.run_path('runtests.py', run_name='__main__')"
    )
    output = _output([sys.executable, "-c", code], tests)
    ran = re.search(r"^Ran (\d+) tests?", output, re.M)
    if ran is None:
        sys.exit(f"Django's test runner did not run:\n{output[-4000:]}")
    failed = {
        where if where.endswith(f".{name}") else f"{where}.{name}"  # Python 3.10 or 3.11+
        for name, where in re.findall(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)", output, re.M)
    }
    return int(ran[1]), sorted(failed)


def run_drf(version: str) -> tuple[int, list[str]]:
    root = source("djangorestframework", version)
    output = _output(
        [sys.executable, "-m", "pytest", "tests/test_routers.py", "-p", "drf_plugin", "-q",
         "-p", "no:cacheprovider", "-rfE", "--no-header"],
        root,
    )  # fmt: skip
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|error)", output)}
    if not counts:
        sys.exit(f"DRF's test suite did not run:\n{output[-4000:]}")
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
    return sum(counts.values()), sorted(set(failed))


def _output(command: list[str], cwd: Path) -> str:
    """What ``command`` printed, run with routing's swap on the import path."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT)])
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return done.stdout + done.stderr


def main() -> int:
    import django
    import rest_framework

    results = {
        f"Django {django.__version__}": run_django(django.__version__),
        f"DRF {rest_framework.__version__}": run_drf(rest_framework.__version__),
    }
    problems = 0
    print("| suite | tests | failed | of which by design |")
    print("|---|---:|---:|---:|")
    for name, (ran, failed) in results.items():
        by_design = [test for test in failed if test in DIFFERENCES]
        print(f"| {name} | {ran} | {len(failed)} | {len(by_design)} |")
        for test in failed:
            if test not in DIFFERENCES:
                problems += 1
                print(f"  UNEXPECTED FAILURE: {test}")
    every_failure = {test for _, failed in results.values() for test in failed}
    for test in DIFFERENCES:
        if test not in every_failure:
            problems += 1
            print(f"  LISTED AS DIFFERENT, BUT PASSES: {test} (remove it from DIFFERENCES)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
