"""Real server processes of the testproject, for end-to-end tests and benchmarks.

A :class:`Deployment` is a database (a fresh SQLite file or PostgreSQL database, migrated
and seeded) plus a channel layer (in-memory, or Redis with a private prefix); any number
of server processes (uvicorn, daphne, or ``manage.py runserver``) can be started on it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "testproject" / "manage.py"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@dataclass
class RedisServer:
    """A Redis of the test's own, on a port of its own, to kill and restart."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not listen on {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Deployment:
    layer: str  # "inmemory", "redis" or "pubsub"
    database: str  # "sqlite" or "postgres"
    redis_url: str = REDIS_URL
    env: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    servers: list[Server] = field(default_factory=list)
    _workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="realtime-e2e-")))
    _pg_name: str | None = None

    def setup(self, extra_env: dict[str, str] | None = None) -> Deployment:
        env = {**os.environ, "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if self.database == "postgres":
            self._pg_name = f"realtime_e2e_{uuid.uuid4().hex[:10]}"
            env["DATABASE_URL"] = create_postgres_database(self._pg_name)
        else:
            env["DATABASE_URL"] = f"sqlite:///{self._workdir / 'db.sqlite3'}"
        if self.layer != "inmemory":
            env["REDIS_URL"] = self.redis_url
            env["REDIS_LAYER"] = "pubsub" if self.layer == "pubsub" else "core"
            env["REDIS_PREFIX"] = f"e2e{uuid.uuid4().hex[:10]}"
        self.env = env
        self.manage("migrate", "--noinput", "-v0")
        out = self.manage("seed_demo")
        for name, password, token in re.findall(r"user (\w+)\s+password (\S+)\s+token (\w+)", out):
            self.tokens[name], self.passwords[name] = token, password
        return self

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run_shell(self, code: str) -> subprocess.CompletedProcess[str]:
        """``manage.py shell -c code`` in this deployment, as another program; not checked."""
        return subprocess.run(
            [sys.executable, str(MANAGE), "shell", "-c", code],
            env={
                **self.env,
                "PYTHONPATH": os.pathsep.join([str(ROOT / "testproject"), str(ROOT)]),
            },
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def start(
        self,
        kind: str = "uvicorn",
        env: dict[str, str] | None = None,
        args: Sequence[str] = (),
        port: int | None = None,
    ) -> Server:
        """Start a server process; on ``port`` (the port of one stopped, say), if given."""
        server = launch(kind, {**self.env, **(env or {})}, self._workdir, args=args, port=port)
        self.servers.append(server)
        return server

    def teardown(self) -> None:
        for server in self.servers:
            server.stop()
        if self._pg_name:
            drop_postgres_database(self._pg_name)


MAX_FRAME_BYTES = 64 * 1024  # REALTIME['MAX_FRAME_BYTES'] of the testproject (the default)


def launch(
    kind: str,
    env: dict[str, str],
    workdir: Path,
    app: str = "project.asgi:application",
    ready_path: str = "/api/",
    args: Sequence[str] = (),
    port: int | None = None,
) -> Server:
    """Start ``kind`` (uvicorn, daphne or runserver) on ``port`` (a free one by default),
    with the server's own command line ``args`` added; return once it answers."""
    port = port or free_port()
    commands = {
        "uvicorn": [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
                    "--port", str(port), "--no-access-log", "--lifespan", "off",
                    "--ws-max-size", str(MAX_FRAME_BYTES)],  # as docs/deployment.md says
        "daphne": [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app],
        "runserver": [sys.executable, str(MANAGE), "runserver", "--noreload", f"127.0.0.1:{port}"],
    }  # fmt: skip
    command = [*commands[kind], *args]
    log = workdir / f"server-{port}.log"
    python_path = os.pathsep.join([str(ROOT / "testproject"), str(ROOT)])
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command,
            cwd=ROOT / "testproject",
            env={**env, "PYTHONPATH": python_path},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port, process, log)
    wait_until_serving(server, ready_path)
    return server


def wait_until_serving(server: Server, ready_path: str, timeout: float = 30) -> None:
    """Return once a GET of ``ready_path`` answers 200; raise (and stop it) if it exits
    or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.process.args} exited early:\n{server.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.http + ready_path, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(
        f"{server.process.args} did not answer on port {server.port} within {timeout} s:\n"
        f"{server.output()}"
    )


def create_postgres_database(name: str) -> str:
    """Create database ``name`` on the PostgreSQL service; its URL."""
    _postgres_admin(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(name: str) -> None:
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def deployment(
    layer: str, database: str, redis_url: str = REDIS_URL, **extra_env: str
) -> Iterator[Deployment]:
    deployed = Deployment(layer, database, redis_url)
    try:
        yield deployed.setup(extra_env)
    finally:
        deployed.teardown()
