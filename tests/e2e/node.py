"""Node, and the Node tests of the JS client (tests/js), run against a server process."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.e2e.servers import MANAGE, ROOT, Deployment, Server
from tests.services import missing

JS = ROOT / "tests" / "js"


def node() -> list[str]:
    """The node command (20 or newer), with the global WebSocket on Node 20 and 21."""
    binary = shutil.which("node")
    if binary is None:
        missing("node (20 or newer)", "install Node.js 20+; scripts/install needs it too")
        raise AssertionError("unreachable")
    major = int(
        subprocess.check_output([binary, "--version"], text=True).strip("v\n").split(".")[0]
    )
    assert major >= 20, f"node {major} is too old: the JS client supports Node 20+"
    return [binary, "--experimental-websocket"] if major < 22 else [binary]


def node_modules() -> Path:
    """tests/js/node_modules, which scripts/install fills (npm ci)."""
    path = JS / "node_modules"
    if not (path / "@asyncapi" / "parser").is_dir():
        missing("tests/js/node_modules", "run scripts/install (it runs npm ci in tests/js)")
    return path


def environment(deployed: Deployment, server: Server, **extra: str) -> dict[str, str]:
    """What tests/js/helpers.mjs reads: the server, the seeded users, manage.py."""
    users = {
        name: {"token": token, "password": deployed.passwords[name]}
        for name, token in deployed.tokens.items()
    }
    return {
        **deployed.env,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "testproject"), str(ROOT)]),
        "REALTIME_HTTP": server.http,
        "REALTIME_WS": server.ws,
        "REALTIME_USERS": json.dumps(users),
        "REALTIME_PYTHON": sys.executable,
        "REALTIME_MANAGE": str(MANAGE),
        **extra,
    }


@contextlib.contextmanager
def node_tests(files: list[str], env: dict[str, str]) -> Iterator[Callable[[float], str]]:
    """Start ``node --test`` on ``files`` (under tests/js); yields ``finish(timeout)``, which
    waits for it and returns its output, failing the test if a Node test failed or it
    did not end within ``timeout`` seconds."""
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [*node(), "--test", "--test-reporter=spec", *files],
            cwd=JS,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the runner's children go with it (os.killpg)
        )

        def stop() -> None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

        def finish(timeout: float) -> str:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                stop()
            output.seek(0)
            text = output.read()
            print(text)
            assert process.returncode == 0, f"node --test {' '.join(files)}:\n{text}"
            return text

        try:
            yield finish
        finally:
            stop()
