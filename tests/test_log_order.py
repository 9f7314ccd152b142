"""The log is read in commit order: a reader never passes an entry that commits after one it
has read, with real concurrent transactions (PostgreSQL, where ids are not in commit order,
and SQLite)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction

from articles.models import Article
from django_realtime.log import LogReader
from django_realtime.log.backends.postgresql import PostgreSQLBackend
from tests.e2e.servers import Deployment, deployment
from tests.services import require

INSERT = "INSERT INTO articles_article (title, body, status, author_id, created_at, updated_at) "


class Psycopg:
    """What PostgreSQLBackend reads of a Django connection, over a plain psycopg one: the
    reader is then exactly the backend's SQL, on a connection of the test's own."""

    alias = "default"
    isolation_level = None
    vendor = "postgresql"

    def __init__(self, url: str) -> None:
        self.raw = opened(psycopg.connect(url, autocommit=True))

    def cursor(self) -> Any:
        return self.raw.cursor()

    def ensure_connection(self) -> None:
        pass


class Reader:
    def __init__(self, url: str) -> None:
        self.backend = PostgreSQLBackend(Psycopg(url))  # type: ignore[arg-type]
        self.position = 0
        self.titles: list[str] = []  # each entry's pks, as the log holds them
        self.positions: list[int] = []

    def read(self, limit: int = 1000) -> list[str]:
        rows = self.backend.read(self.position, limit)
        titles = []
        for position, _table, _op, pks, _id in rows:
            assert position > self.position
            self.position = position
            self.positions.append(position)
            titles.append(pks)
        self.titles += titles
        return titles


_open: list[Any] = []


def opened(connection: Any) -> Any:
    _open.append(connection)
    return connection


@pytest.fixture(scope="module")
def postgres() -> Iterator[Deployment]:
    require("postgres")
    with deployment("inmemory", "postgres") as deployed:
        yield deployed


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def writer(url: str) -> Any:
    return opened(psycopg.connect(url))  # a transaction opens with the first statement


def insert(connection: Any, title: str) -> int:
    row = connection.execute(
        INSERT + "SELECT %s, '', 'draft', id, now(), now() FROM auth_user "
        "ORDER BY id LIMIT 1 RETURNING id",
        [title],
    ).fetchone()
    return int(row[0])


@pytest.mark.postgres
def test_transactions_that_commit_in_the_other_order_than_their_ids(
    postgres: Deployment,
) -> None:
    url = postgres.env["DATABASE_URL"]
    reader = Reader(url)
    reader.read()
    first, second = writer(url), writer(url)
    early = insert(first, "early id, late commit")
    late = insert(second, "late id, early commit")
    assert early < late
    second.commit()
    assert reader.read() == [f"[{late}]"]
    first.commit()
    assert reader.read() == [f"[{early}]"]  # not passed by: it is after the position read


@pytest.mark.postgres
def test_a_long_transaction_is_read_when_it_commits(postgres: Deployment) -> None:
    url = postgres.env["DATABASE_URL"]
    reader = Reader(url)
    reader.read()
    long = writer(url)
    slow = insert(long, "long")
    quick = writer(url)
    quicks = []
    for i in range(30):
        quicks.append(insert(quick, f"quick {i}"))
        quick.commit()
        if i % 7 == 0:
            reader.read(limit=4)
    while reader.read(limit=4):
        pass
    assert reader.titles[-30:] == [f"[{pk}]" for pk in quicks]
    long.commit()
    assert reader.read() == [f"[{slow}]"]


@pytest.mark.postgres
def test_concurrent_writers_and_readers_see_every_entry_once_in_order(
    postgres: Deployment,
) -> None:
    url = postgres.env["DATABASE_URL"]
    start = Reader(url)
    start.read()
    readers = [Reader(url) for _ in range(3)]
    for reader in readers:
        reader.position = start.position
    committed: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        connection = writer(url)
        try:
            for _ in range(40):
                pks = [insert(connection, "concurrent") for _ in range(rng.randint(1, 3))]
                time.sleep(rng.random() * 0.005)  # hold the transaction open a while
                if rng.random() < 0.2:
                    connection.rollback()
                else:
                    connection.commit()
                    committed.extend(pks)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def read(reader: Reader) -> None:
        try:
            while not stop.is_set():
                reader.read(limit=5)
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(4)]
    reading = [threading.Thread(target=read, args=(reader,)) for reader in readers]
    for thread in writers + reading:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in reading:
        thread.join()
    assert not errors, errors
    for reader in readers:
        reader.read()
        seen = [int(pk) for titles in reader.titles for pk in titles.strip("[]").split(",")]
        assert sorted(seen) == sorted(committed)  # every committed insert, once; no rollback
        assert reader.positions == sorted(set(reader.positions))


@pytest.mark.django_db(transaction=True)
def test_sqlite_writers_and_a_reader_see_every_entry_once_in_order() -> None:
    """SQLite lets one transaction write at a time: ids are the commit order."""
    user = User.objects.create_user("writer")
    log = LogReader("default")
    position = log.head()
    committed: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(25):
                with transaction.atomic():
                    pks = [
                        Article.objects.create(title="c", author=user).pk
                        for _ in range(rng.randint(1, 3))
                    ]
                    if rng.random() < 0.2:
                        transaction.set_rollback(True)
                        continue
                committed.extend(pks)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    seen: list[int] = []
    positions: list[int] = []

    def read() -> None:
        nonlocal position
        try:
            while True:
                done = stop.is_set()
                entries = log.read(position, 5)
                for entry in entries:
                    positions.append(entry.position)
                    seen.extend(entry.pks)
                    position = entry.position
                if done and not entries:
                    return
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(3)]
    reading = threading.Thread(target=read)
    for thread in [*writers, reading]:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reading.join()
    assert not errors, errors
    assert sorted(seen) == sorted(committed)
    assert positions == sorted(set(positions))
