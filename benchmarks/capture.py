"""Change-log benchmarks: what capture costs a bulk write, how late a lost ring makes an
event, and how a crowd of clients resumes on a restarted server.

    .venv/bin/python benchmarks/capture.py                     # all three, PostgreSQL and SQLite
    .venv/bin/python benchmarks/capture.py --scenarios bulk --database sqlite

- bulk: ``Article.objects.update()`` of 10,000 rows, with the capture triggers installed
  and with them dropped, in alternating rounds in one process (the baseline, "without",
  in the same run); each update commits. Also a single-row ``save()``.
- wakeup: one uvicorn server with the default POLL_INTERVAL and one subscriber; another
  program (this one, with psycopg or sqlite3: no Django, so no ring) inserts articles at
  random moments; latency from its commit to the event's arrival, p50/p99/max.
- restart: 500 clients subscribed to the published list of one uvicorn server; the
  server is stopped, 50 articles change (updates of published articles, made by another
  program), a new server starts, and every client reconnects with its last cursor; how
  many resume and how many reset, how long until every one has had its replay, and until
  a write made then has reached all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "testproject"), str(ROOT)]

from tests.e2e.servers import Deployment, deployment  # noqa: E402

BULK_ROWS = 10_000

BULK = """
import json, statistics, time
from django.contrib.auth.models import User
from django.db import transaction
from articles.models import Article
from django_realtime.log import install, uninstall

author = User.objects.get(username="alice")
Article.objects.bulk_create([Article(title=f"bulk {i}", author=author) for i in range(ROWS)])
pks = list(Article.objects.values_list("pk", flat=True)[:ROWS])
one = Article.objects.get(pk=pks[0])
times = {"with": [], "without": [], "save with": [], "save without": []}
for round in range(ROUNDS):
    for capture in ((True, False) if round % 2 else (False, True)):
        install() if capture else uninstall()
        label = "with" if capture else "without"
        Article.objects.filter(pk__in=pks).update(body="warm up")  # after the DDL, untimed
        one.save()
        started = time.perf_counter()
        with transaction.atomic():
            Article.objects.filter(pk__in=pks).update(body=f"round {round} {label}")
        times[label].append(time.perf_counter() - started)
        started = time.perf_counter()
        for i in range(20):
            one.title = f"save {round} {i}"
            one.save()
        times["save " + label].append((time.perf_counter() - started) / 20)
install()
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
"""


def bulk(database: str, rounds: int) -> dict[str, float]:
    with deployment("inmemory", database) as deployed:
        code = BULK.replace("ROWS", str(BULK_ROWS)).replace("ROUNDS", str(rounds))
        done = deployed.run_shell(code)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


class RawWriter:
    """Writes as another program would: SQL over its own connection, no Django."""

    def __init__(self, deployed: Deployment) -> None:
        url = deployed.env["DATABASE_URL"]
        self.postgres = url.startswith("postgres")
        if self.postgres:
            self.connection: Any = psycopg.connect(url, autocommit=True)
        else:
            self.connection = sqlite3.connect(
                url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
            )

    def execute(self, sql: str, params: list[Any]) -> Any:
        if not self.postgres:
            sql = sql.replace("%s", "?")
        return self.connection.execute(sql, params)

    def insert(self, title: str) -> int:
        row = self.execute(
            "INSERT INTO articles_article (title, body, status, author_id, created_at, "
            "updated_at) SELECT %s, '', 'published', id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM auth_user WHERE username = 'alice' RETURNING id",
            [title],
        ).fetchone()
        return int(row[0])

    def retitle(self, pk: int, title: str) -> None:
        self.execute("UPDATE articles_article SET title = %s WHERE id = %s", [title, pk])

    def close(self) -> None:
        self.connection.close()


async def wakeup(database: str, writes: int) -> dict[str, float]:
    with deployment("inmemory", database) as deployed:
        server = deployed.start("uvicorn")
        writer = RawWriter(deployed)
        committed: dict[int, float] = {}
        received: dict[int, float] = {}
        async with websockets.connect(server.ws, origin=server.http) as socket:  # type: ignore[arg-type]
            await socket.send(
                json.dumps({"type": "subscribe", "id": "s", "path": "/api/articles/"})
            )
            assert json.loads(await socket.recv())["type"] == "subscribed"

            async def read() -> None:
                while len(received) < writes:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                    received.setdefault(frame["pk"], time.perf_counter())

            reading = asyncio.ensure_future(read())
            for i in range(writes):
                # Independent of the poll's rhythm: commits land anywhere in its interval.
                await asyncio.sleep(random.uniform(0, 0.5))
                pk = await asyncio.to_thread(writer.insert, f"raw {i}")
                committed[pk] = time.perf_counter()  # autocommit: the INSERT has committed
            await reading
        writer.close()
    latencies = sorted(received[pk] - at for pk, at in committed.items())
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "max": latencies[-1],
    }


async def restart(database: str, clients: int, missed: int) -> dict[str, float]:
    # All the clients come from this one address.
    with deployment(
        "inmemory", database, REALTIME_SETTINGS='{"MAX_CONNECTIONS_PER_CLIENT": 100000}'
    ) as deployed:
        server = deployed.start("uvicorn")
        writer = RawWriter(deployed)
        articles = [writer.insert(f"published {i}") for i in range(10)]
        path = "/api/articles/?status=published"
        sockets = []
        cursors = []
        for _ in range(clients):
            socket = await websockets.connect(server.ws, origin=server.http)  # type: ignore[arg-type]
            await socket.send(json.dumps({"type": "subscribe", "id": "s", "path": path}))
            cursors.append(json.loads(await socket.recv())["cursor"])
            sockets.append(socket)
        server.stop()
        for socket in sockets:
            await socket.close()
        for i in range(missed):
            writer.retitle(articles[i % len(articles)], f"while away {i}")
        server = deployed.start("uvicorn")
        started = time.perf_counter()
        answers: list[str] = []

        async def resume(cursor: str) -> Any:
            socket = await websockets.connect(server.ws, origin=server.http)  # type: ignore[arg-type]
            await socket.send(
                json.dumps({"type": "subscribe", "id": "s", "path": path, "since": cursor})
            )
            answer = json.loads(await socket.recv())
            answers.append(answer["type"])
            for _ in range(min(missed, len(articles)) if answer["type"] == "subscribed" else 0):
                json.loads(await socket.recv())  # one event per changed article
            return socket

        sockets = await asyncio.gather(*(resume(cursor) for cursor in cursors))
        replayed = time.perf_counter() - started
        pk = writer.insert("after the restart")

        async def live(socket: Any) -> None:
            while json.loads(await socket.recv()).get("pk") != pk:
                pass

        await asyncio.gather(*(live(socket) for socket in sockets))
        everyone = time.perf_counter() - started
        for socket in sockets:
            await socket.close()
        writer.close()
    return {
        "resumed": answers.count("subscribed"),
        "reset": answers.count("reset"),
        "replayed s": replayed,
        "live s": everyone,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenarios", default="bulk,wakeup,restart")
    parser.add_argument("--database", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=6, help="bulk rounds (default: 6)")
    args = parser.parse_args()
    databases = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    scenarios = args.scenarios.split(",")
    print(f"# Change-log benchmarks: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    if "bulk" in scenarios:
        print(f"bulk: update() of {BULK_ROWS:,} rows in one transaction, and one save(); "
              f"medians of {args.rounds} alternating rounds\n")  # fmt: skip
        print(
            "| database | update, capture | update, none | × none "
            "| save, capture | save, none | × none |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for database in databases:
            r = bulk(database, args.rounds)
            print(
                f"| {database} | {r['with'] * 1000:.1f} ms | {r['without'] * 1000:.1f} ms "
                f"| {r['without'] / r['with']:.2f} | {r['save with'] * 1e6:.0f} µs "
                f"| {r['save without'] * 1e6:.0f} µs | {r['save without'] / r['save with']:.2f} |",
                flush=True,
            )
        print()
    if "wakeup" in scenarios:
        print("wakeup: commit to event with no ring at all (POLL_INTERVAL 1.0 s), 200 inserts\n")
        print("| database | p50 | p99 | max | target p99 |\n|---|---:|---:|---:|---:|")
        for database in databases:
            r = asyncio.run(wakeup(database, 200))
            print(f"| {database} | {r['p50'] * 1000:.0f} ms | {r['p99'] * 1000:.0f} ms "
                  f"| {r['max'] * 1000:.0f} ms | 1050 ms |", flush=True)  # fmt: skip
        print()
    if "restart" in scenarios:
        print("restart: 500 clients resume with since on a new server, 50 changes behind\n")
        print("| database | resumed | reset | all replayed | all live | target |")
        print("|---|---:|---:|---:|---:|---:|")
        for database in databases:
            r = asyncio.run(restart(database, 500, 50))
            print(f"| {database} | {r['resumed']:.0f} | {r['reset']:.0f} "
                  f"| {r['replayed s']:.2f} s | {r['live s']:.2f} s | all resume, live < 5 s |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
