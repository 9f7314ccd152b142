"""Fan-out benchmark: django-realtime against the floor, the direct bound, Channels and dcrf.

    .venv/bin/python benchmarks/fanout.py            # every scenario (about twelve minutes here)
    .venv/bin/python benchmarks/fanout.py --quick    # fewer updates and sizes, one run each
    .venv/bin/python benchmarks/fanout.py --database sqlite   # SQLite instead of PostgreSQL

Every system runs in one uvicorn process on this machine, is driven by the same client
(this process: N websocket connections; the REST writers in a process of their own), and
is measured in the same run, so the ratios are what count on a noisy machine. The
database is a fresh one on the PostgreSQL service (``TEST_POSTGRES_URL``, as for the
tests), dropped at the end; with ``--database sqlite`` a file in a temporary directory.

- Writes: 50 updates by REST PATCH from 5 concurrent clients, each updating its own
  article one PATCH after another (the floor: a trivial POST that makes it write a frame
  shaped like ours, so that the client reads the same frames from both).
- deliveries/s: updates times subscribers, divided by the time from the first write until
  every subscriber has every update.
- latency: for each subscriber and update, from the update's commit (the ``updated_at``
  in the PATCH's answer; the floor answers with its send time) to the moment the
  subscriber has a frame with that state of the article or a newer one, queueing
  included; p50 and p99.
  Systems that read the row when they send (dcrf, and this project) may skip a state that
  a newer one replaces; their subscribers have that update with the newer state.
- KiB/conn: growth of the server's resident memory per idle, subscribed connection.
- CPU: the server's and this client's CPU time over the same time, in percent of one
  core; a side near 100% is what bounds the run (the server's Python runs on one core).
  machine CPU: all cores' busy time, in percent of all of them (the database, the
  writers and the kernel's share of loopback networking included).
- direct: the least a realtime system can spend per update on this stack, measured: the
  same PATCHes through the REST API without realtime, and after each commit one frame like
  ours, serialized and encoded once, written to every socket with the server's own send
  (no channel layer, no visibility, no per-subscriber buffer).
- write overhead (c): REST creates/s by 8 concurrent writers through the API with
  RealtimeMixin (``/api/``) and through the same viewset without it on twin tables that
  nothing captures (``/off/api/``), in alternating batches in one server, so that both see
  the same drift of this machine's speed; first with nobody subscribed, then with 500
  subscribers connected.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "testproject"), str(ROOT)]

from tests.e2e.servers import (  # noqa: E402
    POSTGRES_ADMIN_URL,
    Server,
    create_postgres_database,
    drop_postgres_database,
    launch,
)

APP = "benchmarks.bench_project.asgi:application"
T = TypeVar("T")
SPAWN = multiprocessing.get_context("spawn")  # a fork of a running event loop would inherit it
WRITERS = 5  # concurrent REST clients, each with its own article


# -- the systems: how to subscribe, how to write, how to read a frame ------------------------


@dataclass
class System:
    name: str
    path: str  # websocket path
    realtime: bool = False  # writes go to the REST API with RealtimeMixin

    @property
    def api(self) -> str:
        """Where its writes go: the API with RealtimeMixin; the same without it, on twin
        tables that nothing captures (direct, the bound); or the same without it on the
        testproject's tables (the baselines that watch those)."""
        if self.realtime:
            return "/api"
        return "/off/api" if self.name == "direct" else "/plain/api"

    def url(self, base: str, token: str | None) -> str:
        query = f"?token={token}" if token and self.name != "ours" else ""
        return base + self.path + query

    def subscribe_frames(
        self, scenario: str, token: str | None, articles: list[int]
    ) -> list[dict[str, Any]]:
        if self.name == "ours":
            frames: list[dict[str, Any]] = []
            if token:
                frames.append({"type": "auth", "authorization": f"Token {token}"})
            path = "/api/articles/" if scenario == "b" else "/api/articles/?status=published"
            return [*frames, {"type": "subscribe", "id": "s", "path": path}]
        if self.name == "dcrf":
            if scenario == "b":  # one instance subscription per article that changes
                return [
                    {"action": "subscribe_instance", "pk": pk, "request_id": i}
                    for i, pk in enumerate(articles)
                ]
            return [{"action": "subscribe_to_articles", "request_id": 1}]
        return []  # floor and group: connected means subscribed

    def acks(self, frames: list[dict[str, Any]]) -> int:
        return len(frames) if self.name == "dcrf" else int(self.name == "ours")

    def is_ack(self, frame: dict[str, Any]) -> bool:
        if self.name == "ours":
            return frame.get("type") == "subscribed"
        if self.name == "dcrf":
            return str(frame.get("action", "")).startswith("subscribe")
        return False

    def read(self, frame: dict[str, Any]) -> tuple[int, int] | None:
        """(article, update number) of an update's frame."""
        if self.name in ("ours", "floor", "direct"):
            if frame.get("type") != "event":
                return None
            data = frame["data"]
        elif self.name == "dcrf":
            data = frame.get("data")
            if not isinstance(data, dict) or "title" not in data:
                return None
        else:
            data = frame
        title = data["title"]
        if not title.startswith("u"):
            return None
        return data["id"], int(title[1:])


SYSTEMS = {
    "floor": System("floor", "/floor/"),
    "direct": System("direct", "/direct/"),
    "group": System("group", "/group/"),
    "dcrf": System("dcrf", "/dcrf/model/"),
    "ours": System("ours", "/ws/", realtime=True),
}


def per_user(system: System) -> System:
    """In (b), dcrf's subscribers use its per-subscriber instance observer."""
    return System("dcrf", "/dcrf/instance/") if system.name == "dcrf" else system


async def _receive(pipe: Any, expected: str) -> None:
    """Wait (without blocking the event loop) for the writer process to say ``expected``."""
    loop = asyncio.get_running_loop()
    if not await loop.run_in_executor(None, pipe.poll, 120):
        raise RuntimeError(f"the writer process did not say {expected!r} within 120 s")
    message = pipe.recv()
    if message != expected:
        raise RuntimeError(message)


def _timestamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# -- the updates: which article each one changes ---------------------------------------------


@dataclass
class Plan:
    articles: list[int]  # the articles that change, one writer each
    updates: int

    def __post_init__(self) -> None:
        step = len(self.articles)
        self._of = {a: list(range(i, self.updates, step)) for i, a in enumerate(self.articles)}

    def of(self, article: int) -> list[int]:
        """The updates of one article, in the order its writer makes them."""
        return self._of[article]


# -- the client: N sockets in this process ---------------------------------------------------


@dataclass
class Fleet:
    system: System
    size: int
    plan: Plan
    receipts: list[tuple[int, float]] = field(default_factory=list)  # (update, time)
    acks: int = 0
    sockets: list[Any] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    last_receipt: float = 0.0
    complete: int = 0  # subscribers that have every update
    done: asyncio.Future[None] | None = None

    async def connect(
        self, url_for: Callable[[int], str], frames_for: Callable[[int], list[dict[str, Any]]]
    ) -> None:
        expected_acks = 0

        async def one(i: int) -> None:
            nonlocal expected_acks
            url = url_for(i)
            origin = "http://" + url.split("/")[2]  # the server's own host: an allowed Origin
            socket = await websockets.connect(
                url,
                origin=origin,
                open_timeout=30,
                max_queue=None,
                compression=None,  # type: ignore[arg-type]
            )
            self.sockets.append(socket)
            self.tasks.append(asyncio.get_running_loop().create_task(self._read(socket)))
            frames = frames_for(i)
            expected_acks += self.system.acks(frames)
            for frame in frames:
                await socket.send(json.dumps(frame))

        for start in range(0, self.size, 50):
            await asyncio.gather(*(one(i) for i in range(start, min(start + 50, self.size))))
        deadline = time.monotonic() + 60
        while self.acks < expected_acks:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.acks} of {expected_acks} subscriptions acknowledged")
            await asyncio.sleep(0.01)

    async def _read(self, socket: Any) -> None:
        latest: dict[int, int] = {}  # article -> the newest update of it this subscriber has
        finals = {a: updates[-1] for a in self.plan.articles if (updates := self.plan.of(a))}
        missing = len(finals)
        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in socket:
                frame = json.loads(text)
                if self.system.is_ack(frame):
                    self.acks += 1
                    continue
                update = self.system.read(frame)
                if update is None:
                    continue
                article, k = update
                before = latest.get(article, -1)
                if k <= before or article not in finals:
                    continue
                now = time.time()
                # This state brings every earlier update of the article too.
                for j in self.plan.of(article):
                    if before < j <= k:
                        self.receipts.append((j, now))
                latest[article] = k
                self.last_receipt = now
                if before < finals[article] <= k:
                    missing -= 1
                    if missing == 0:
                        self.complete += 1
                        if self.complete == self.size and self.done and not self.done.done():
                            self.done.set_result(None)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


# -- the writers ----------------------------------------------------------------------------


def rest_client(base_url: str, token: str) -> httpx.AsyncClient:
    """A REST client of the server, authenticated with ``token``."""
    return httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Token {token}"}, timeout=60
    )


async def write(http: httpx.AsyncClient, system: System, article: int, k: int) -> float:
    """Update ``k`` of ``article`` (``k`` < 0: a warm-up write, which no reader counts);
    its commit time, as the answer gives it."""
    if system.name == "floor":  # it answers with the time it writes the frames
        response = await http.post(f"/floor/fire?k={k}&a={article}")
        response.raise_for_status()
        return float(response.text)
    title = f"u{k}" if k >= 0 else "warming up"
    response = await http.patch(f"{system.api}/articles/{article}/", json={"title": title})
    response.raise_for_status()
    return _timestamp(response.json()["updated_at"])


async def write_plan(http: httpx.AsyncClient, system: System, plan: Plan) -> dict[int, float]:
    """Every update of the plan, one writer per article, each waiting for its answers;
    the commit time of each update."""
    commits: dict[int, float] = {}

    async def writer(article: int) -> None:
        for k in plan.of(article):
            commits[k] = await write(http, system, article, k)

    await asyncio.gather(*(writer(a) for a in plan.articles))
    return commits


@contextlib.contextmanager
def writer_process(base_url: str, token: str, system: System, plan: Plan) -> Iterator[Any]:
    """The writers, in a process of their own (as REST clients are): their answers do not
    queue behind the subscribers' frames in the readers' event loop. Yields this end of
    the pipe to it: it says "ready", writes the plan on "go", says "done" and sends the
    commit times."""
    pipe, child = SPAWN.Pipe()
    process = SPAWN.Process(
        target=_write_in_process, args=(base_url, token, system, plan, child), daemon=True
    )
    process.start()
    try:
        yield pipe
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()


def _write_in_process(base_url: str, token: str, system: System, plan: Plan, pipe: Any) -> None:
    """The writer process: see :func:`writer_process`."""

    async def main() -> dict[int, float]:
        async with rest_client(base_url, token) as http:
            await asyncio.gather(*(write(http, system, a, -1) for a in plan.articles))
            pipe.send("ready")
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
            return await write_plan(http, system, plan)

    try:
        commits = asyncio.run(main())
    except Exception as exc:
        pipe.send(f"the writers failed: {exc!r}")
    else:
        pipe.send("done")
        pipe.send(commits)


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    system: str
    subscribers: int
    rate: float  # deliveries (or, for c, creates) per second
    p50_ms: float | None = None
    p99_ms: float | None = None
    kib_per_connection: float | None = None
    server_cpu: float | None = None  # % of one core, first write to last receipt
    client_cpu: float | None = None
    machine_cpu: float | None = None  # % of all cores: what else had to share them
    credential_checks: int | None = None  # ours: live credentials checked during the run


async def credential_checks(http: httpx.AsyncClient, system: System) -> int | None:
    """How many times ours has checked live subscriptions' credentials (None for others)."""
    if system.name != "ours":
        return None
    response = await http.get("/realtime/stats/")
    return int(response.json()["counters"]["credential_checks"])


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, every thread included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss(server: Server) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Bench:
    def __init__(self, workdir: Path, database_url: str, updates: int) -> None:
        self.workdir = workdir
        self.database_url = database_url
        self.updates = updates
        self.tokens: dict[str, str] = {}
        self.articles: list[int] = []

    def env(self, system: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_project.settings",
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "0",
            "BENCH_SYSTEM": system,
        }
        env.pop("REDIS_URL", None)
        return env

    def seed(self, users: int) -> None:
        os.environ.update(self.env("ours"))
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connections
        from rest_framework.authtoken.models import Token

        from articles.models import Article

        call_command("migrate", verbosity=0)
        alice = User.objects.create_user("alice", is_staff=True)  # staff: reads /realtime/stats/
        self.tokens["alice"] = Token.objects.create(user=alice).key
        for i in range(users):
            user = User.objects.create_user(f"user{i}")
            self.tokens[f"user{i}"] = Token.objects.create(user=user).key
            # Each user's own drafts: their lists really differ.
            Article.objects.create(title=f"draft of user{i}", author=user)
        for i in range(20):
            Article.objects.create(title=f"published {i}", author=alice, status="published")
        self.articles = [
            Article.objects.create(
                title=f"changes {i}", body="x" * 100, author=alice, status="published"
            ).pk
            for i in range(WRITERS)
        ]
        from benchmarks.bench_project.models import PlainArticle

        for article in Article.objects.filter(pk__in=self.articles):  # direct's, same keys
            PlainArticle.objects.create(
                pk=article.pk, title=article.title, body=article.body, author=alice,
                status=article.status,
            )  # fmt: skip
        from django.core.management.color import no_style
        from django.db import connection

        with connection.cursor() as cursor:  # the keys given: the sequence goes past them
            for sql in connection.ops.sequence_reset_sql(no_style(), [PlainArticle]):
                cursor.execute(sql)
        connections.close_all()

    def start(self, system: System) -> Server:
        return launch("uvicorn", self.env(system.name), self.workdir, app=APP)

    async def fanout(self, scenario: str, system: System, size: int) -> Row:
        server = self.start(system)
        plan = Plan(self.articles, self.updates)
        stack = contextlib.ExitStack()  # the writer process
        try:
            users = [f"user{i}" for i in range(size)] if scenario == "b" else [None] * size
            ws = f"ws://127.0.0.1:{server.port}"
            async with rest_client(server.http, self.tokens["alice"]) as http:

                def url(i: int) -> str:
                    return system.url(ws, self.tokens[users[i]] if users[i] else None)

                def frames(i: int) -> list[dict[str, Any]]:
                    token = self.tokens[users[i]] if users[i] else None
                    return system.subscribe_frames(scenario, token, plan.articles)

                pipe = stack.enter_context(
                    writer_process(server.http, self.tokens["alice"], system, plan)
                )
                await _receive(pipe, "ready")

                # Warm up every code path with one subscriber, then measure idle memory.
                warm = Fleet(system, 1, plan)
                await warm.connect(url, frames)
                for _ in range(3):
                    await write(http, system, plan.articles[0], -1)
                await asyncio.sleep(0.3)
                await warm.close()
                await asyncio.sleep(0.5)
                gc.collect()
                before = rss(server)

                fleet = Fleet(system, size, plan)
                await fleet.connect(url, frames)
                await asyncio.sleep(1.0)
                per_connection = (rss(server) - before) / size / 1024

                fleet.done = asyncio.get_running_loop().create_future()
                cpu_before = cpu_seconds(server.process.pid), time.process_time()
                machine_before = machine_busy()
                checks = await credential_checks(http, system)
                started = time.time()
                pipe.send("go")
                await _receive(pipe, "done")
                commits: dict[int, float] = pipe.recv()
                await asyncio.wait_for(fleet.done, 120)
                elapsed = fleet.last_receipt - started
                server_cpu = (cpu_seconds(server.process.pid) - cpu_before[0]) / elapsed
                client_cpu = (time.process_time() - cpu_before[1]) / elapsed
                busy, total = (a - b for a, b in zip(machine_busy(), machine_before, strict=True))
                if checks is not None:
                    checks = cast(int, await credential_checks(http, system)) - checks
                await fleet.close()
            latencies = sorted(received - commits[k] for k, received in fleet.receipts)
            return Row(
                scenario,
                system.name,
                size,
                len(latencies) / elapsed,
                statistics.median(latencies) * 1000,
                latencies[int(len(latencies) * 0.99) - 1] * 1000,
                per_connection,
                server_cpu * 100,
                client_cpu * 100,
                busy / total * 100,
                checks,
            )
        finally:
            stack.close()
            server.stop()

    async def writes(self, creates: int, batches: int = 4) -> dict[str, float]:
        """Scenario c, one round in one server: REST creates/s of every WRITE_CONFIGS entry.

        The writes without realtime go to the same viewset without RealtimeMixin, on twin
        tables that nothing captures (``/off/api/``), in the same process, alternating batch
        by batch with the realtime API, so that a ratio does not depend on which process or
        which minute ran faster.
        First with nobody subscribed; then with 500 subscribers of the published list (the
        creates are drafts, which none of them may see); last with every create published.
        """
        system = SYSTEMS["ours"]
        server = self.start(system)
        rates: dict[str, float] = {}
        size = creates // batches
        try:
            async with rest_client(server.http, self.tokens["alice"]) as http:

                async def batch(api: str, status: str) -> float:
                    counter = iter(range(size))

                    async def writer() -> None:
                        for i in counter:
                            response = await http.post(
                                f"{api}/articles/", json={"title": f"c{i}", "status": status}
                            )
                            response.raise_for_status()

                    started = time.perf_counter()
                    await asyncio.gather(*(writer() for _ in range(8)))
                    return time.perf_counter() - started

                async def alternate(labels: list[str]) -> None:
                    elapsed = dict.fromkeys(labels, 0.0)
                    for i in range(batches):
                        for label in rotate(labels, i):
                            api, status = WRITE_CONFIGS[label][:2]
                            elapsed[label] += await batch(api, status)
                    rates.update({label: size * batches / t for label, t in elapsed.items()})

                for api in ("/api", "/off/api"):  # warm-up
                    await batch(api, "draft")
                await alternate(list(WRITE_CONFIGS)[:2])
                fleet = Fleet(system, 500, Plan(self.articles, 0))
                ws = f"ws://127.0.0.1:{server.port}"
                await fleet.connect(
                    lambda i: system.url(ws, None),
                    lambda i: system.subscribe_frames("a", None, self.articles),
                )
                await alternate(list(WRITE_CONFIGS)[2:4])
                await alternate(list(WRITE_CONFIGS)[4:])
                await fleet.close()
            return rates
        finally:
            server.stop()


# -- the report ------------------------------------------------------------------------------

# Scenario c: label -> (API, status of the created articles, the label it is compared with)
WRITE_CONFIGS = {
    "realtime off": ("/off/api", "draft", "realtime off"),
    "realtime on, no subscribers": ("/api", "draft", "realtime off"),
    "realtime off, 500 subscribers connected": (
        "/off/api", "draft", "realtime off, 500 subscribers connected"
    ),
    "realtime on, 500 subscribers": ("/api", "draft", "realtime off, 500 subscribers connected"),
    "realtime on, 500 subscribers, every create delivered": (
        "/api", "published", "realtime off, 500 subscribers connected"
    ),
}  # fmt: skip


def plan_runs(
    scenarios: str, sizes: list[int], systems: list[System]
) -> list[tuple[str, int, System]]:
    steps = []
    if "a" in scenarios:
        steps += [("a", size, system) for size in sizes for system in systems]
    if "b" in scenarios:
        steps += [("b", 200, per_user(system)) for system in systems]
    return steps


def rotate(items: list[T], by: int) -> list[T]:
    by %= len(items)
    return items[by:] + items[:by]


def _number(value: float | None, spec: str = ".1f") -> str:
    return format(value, spec) if value is not None else ""


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _ratio(rounds: list[dict[tuple[str, int], Row]], system: str, size: int, baseline: str) -> str:
    """The median, over the rounds, of this system's rate over the baseline's in that round."""
    found = [
        r[(system, size)].rate / r[(baseline, size)].rate for r in rounds if (baseline, size) in r
    ]
    return f"{statistics.median(found):.2f}" if found else ""


def table(title: str, rounds: list[dict[tuple[str, int], Row]]) -> str:
    """One line per system and size: medians over the rounds, and ratios taken within each
    round (the systems of a round ran one after another) before their median is."""
    lines = [f"\n{title}\n"]
    header = (
        "| system | subscribers | deliveries/s | × dcrf | × floor | × direct | p50 ms | p99 ms "
        "| KiB/conn | server CPU % | client CPU % | machine CPU % |"
    )
    lines += [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for system, size in sorted(rounds[0], key=lambda key: key[1]):  # by size, stable
        rows = [r[(system, size)] for r in rounds]
        lines.append(
            f"| {system} | {size} | {_median([r.rate for r in rows]):,.0f} "
            f"| {_ratio(rounds, system, size, 'dcrf')} | {_ratio(rounds, system, size, 'floor')} "
            f"| {_ratio(rounds, system, size, 'direct')} "
            f"| {_number(_median([r.p50_ms for r in rows]))} "
            f"| {_number(_median([r.p99_ms for r in rows]))} "
            f"| {_number(_median([r.kib_per_connection for r in rows]))} "
            f"| {_number(_median([r.server_cpu for r in rows]), '.0f')} "
            f"| {_number(_median([r.client_cpu for r in rows]), '.0f')} "
            f"| {_number(_median([r.machine_cpu for r in rows]), '.0f')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer updates and sizes")
    parser.add_argument("--scenarios", default="abc", help="which of a, b, c (default: abc)")
    parser.add_argument("--systems", default="floor,direct,group,dcrf,ours")
    parser.add_argument(
        "--database", choices=["postgres", "sqlite"], default="postgres", help="default: postgres"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; each runs every system once (default: 3)"
    )
    parser.add_argument(
        "--sizes", help="subscriber counts for (a), comma-separated (default: 100,500,1000)"
    )
    args = parser.parse_args()
    if args.quick:
        args.repeat = 1
    updates = 20 if args.quick else 50
    sizes = [100, 500] if args.quick else [100, 500, 1000]
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    systems = [SYSTEMS[name] for name in args.systems.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="realtime-bench-"))
    with database(args.database, workdir) as url:
        bench = Bench(workdir, url, updates)
        bench.seed(users=200)  # synchronous Django, before the event loop starts
        asyncio.run(run(bench, args, sizes, systems, updates))


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh database's URL: a file, or a database on the PostgreSQL service."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"realtime_bench_{os.getpid()}"
    try:
        url = create_postgres_database(name)
    except Exception as exc:
        raise SystemExit(
            f"Cannot create a database at {POSTGRES_ADMIN_URL} ({exc}). Start PostgreSQL "
            "(scripts/services), set TEST_POSTGRES_URL, or pass --database sqlite."
        ) from None
    try:
        yield url
    finally:
        drop_postgres_database(name)


async def run(
    bench: Bench, args: argparse.Namespace, sizes: list[int], systems: list[System], updates: int
) -> None:
    print(
        f"# Fan-out benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{updates} updates by {WRITERS} concurrent writers per run, {args.database}, one uvicorn "
        f"process per system, medians of {args.repeat} rounds",
        flush=True,
    )
    rounds: dict[str, list[dict[tuple[str, int], Row]]] = {"a": [], "b": []}
    for round_ in range(args.repeat):
        for scenario in "ab":
            if scenario in args.scenarios:
                rounds[scenario].append({})
        # Each round starts with another system: none is always first (or last) to run.
        for scenario, size, system in plan_runs(args.scenarios, sizes, rotate(systems, round_)):
            row = await bench.fanout(scenario, system, size)
            rounds[scenario][-1][(system.name, size)] = row
            print(
                f"  {scenario} {system.name:6} {size:5}: {row.rate:9,.0f}/s"
                + ("" if row.credential_checks is None else f", {row.credential_checks} checks"),
                file=sys.stderr,
                flush=True,
            )

    if "a" in args.scenarios:
        print(
            table(
                "(a) shared audience: N anonymous subscribers of /api/articles/?status=published",
                rounds["a"],
            )
        )
    if "b" in args.scenarios:
        print(table(
            "(b) per-user audiences: 200 users, each subscribed to their own /api/articles/ "
            "(dcrf: its per-subscriber instance observer, one per article that changes)",
            rounds["b"],
        ))  # fmt: skip
    if "c" in args.scenarios:
        creates = 200 if args.quick else 600
        results: list[dict[str, float]] = []
        for _ in range(max(args.repeat, 5)):  # quick runs: five rounds keep the median honest
            results.append(await bench.writes(creates))
            print(
                "  c " + ", ".join(f"{rate:,.0f}/s" for rate in results[-1].values()),
                file=sys.stderr,
                flush=True,
            )
        print(
            "\n(c) write overhead: REST creates/s, 8 writers in parallel, with and without "
            "realtime in alternating batches in one server; medians over rounds\n"
        )
        print("| configuration | creates/s | × its baseline | baseline |\n|---|---:|---:|---|")
        for label, (_, _, baseline) in WRITE_CONFIGS.items():
            rate = statistics.median(r[label] for r in results)
            ratio = statistics.median(r[label] / r[baseline] for r in results)
            print(f"| {label} | {rate:,.0f} | {ratio:.2f} | {baseline} |")


if __name__ == "__main__":
    main()
