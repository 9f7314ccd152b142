"""One thread for all database work of a process's subscriptions, in order.

Admissions and change evaluations run one at a time, in the order they were submitted, and
their results reach the event loop in that same order. So a subscription admitted before a
change was evaluated is registered before that change is delivered: nothing slips between
"subscribed" and the first event, and audience state needs no locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections

logger = logging.getLogger("django_realtime")


class Worker:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="realtime")

    def submit(self, job: Callable[[], Any], on_done: Callable[[Any], None] | None) -> None:
        """Run ``job`` on the worker; call ``on_done(result or exception)`` on the loop.

        Without ``on_done``, the job posts what it has to the loop itself, and its
        exceptions are logged."""

        def run() -> None:
            # Realtime work can wait a moment: a request thread that wants the GIL now
            # gets it first (there is one GIL for both, and requests are what users wait on).
            time.sleep(0)
            _refresh_connections()
            try:
                result = job()
            except Exception as exc:
                if on_done is None:
                    logger.exception("A realtime job failed")
                    return
                result = exc
            if on_done is not None:
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                    self.loop.call_soon_threadsafe(on_done, result)

        self._executor.submit(run)

    async def call(self, job: Callable[[], Any]) -> Any:
        """Run ``job`` on the worker and wait for its result."""
        future: asyncio.Future[Any] = self.loop.create_future()

        def done(result: Any) -> None:
            if future.done():
                return
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

        self.submit(job, done)
        return await future

    async def close(self) -> None:
        await self.call(connections.close_all)
        await self.loop.run_in_executor(None, self._executor.shutdown)


def _refresh_connections() -> None:
    """The worker is a long-running worker, not a request: it keeps its database connection
    between jobs (one per process), and replaces it after an error, or once it is older than
    a positive CONN_MAX_AGE."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        max_age = connection.settings_dict["CONN_MAX_AGE"]
        expired = bool(max_age) and connection.close_at is not None and now >= connection.close_at
        if connection.errors_occurred or expired:
            connection.close()
