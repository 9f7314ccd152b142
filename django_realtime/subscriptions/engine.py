"""The engine: one per event loop (so one per server process), behind every connection.

It follows the change log by position (woken by the hub's rings, and polling), keeps the
audiences, runs all database work on its worker thread, and fans events out to
connections. The protocol layer talks to it through :meth:`Engine.subscribe`,
:meth:`Engine.unsubscribe` and :meth:`Engine.authenticate`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from dataclasses import dataclass
from functools import partial
from typing import cast

from django.db import DatabaseError

from .. import wire
from ..buckets import TokenBucket
from ..conf import realtime_settings
from ..log import BATCH, Entry, LogReader, log_database, prune
from ..stats import counters
from ..transport.connection import SLOW_CLIENT_CLOSE_CODE
from ..transport.hub import Hub
from ..transport.layer import get_layer
from ..transport.publisher import serve_from
from .admission import Admission, Admissions, Ask
from .audience import Audience, Event
from .errors import SubscriptionError
from .fanout import Outbox, Subscription
from .grants import Denial, Grant, Grants, authenticate, end, end_denied
from .registry import Registry
from .relevance import relevant
from .replay import Replays, to_changes
from .requests import Credentials, script_prefix
from .target import Target
from .worker import Worker

logger = logging.getLogger("django_realtime")

# Seconds of evaluation after which what is ready is delivered, the rest following.
DELIVER_EVERY = 0.005


@dataclass
class _Delivery:
    events: list[tuple[Audience, list[Event]]]
    serialize_seconds: float
    serializations: int


class Engine:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.hub = Hub(get_layer(), self._on_ring)
        self.worker = Worker(loop)
        # Worker-thread state.
        self.log = LogReader(log_database())
        self.epoch = ""
        self._applied: int | None = None  # position of the last log entry evaluated
        self._follow_lock = threading.Lock()
        self.grants = Grants()
        self.audiences = Registry(self.grants)
        self._replays = Replays(self.log)
        self.admissions = Admissions(self.audiences, self.grants, self._replays)
        self._check_head = False  # after a database error: did the log lose positions?
        self._applied_id: int | None = None  # the id of the entry read last
        # Event loop side.
        self._rung = asyncio.Event()
        self.outbox = Outbox(loop)  # events being written
        serve_from(loop)
        self.hub.start()
        self.worker.submit(self._start_following, None)
        self._tasks = [
            loop.create_task(self._follow_forever()),
            loop.create_task(self._sweep_forever()),
            loop.create_task(self._prune_forever()),
            loop.create_task(self._recheck_forever()),
        ]
        if realtime_settings.STATS_LOG_INTERVAL > 0:
            self._tasks.append(loop.create_task(self._log_forever()))

    # -- the protocol's side (event loop) ---------------------------------------------------

    async def subscribe(
        self,
        sub: Subscription,
        target: Target,
        credentials: Credentials,
        since: str | None = None,
        snapshot: bool = False,
        audiences: TokenBucket | None = None,
    ) -> None:
        """Start admitting ``sub``; its answer (subscribed, reset or error) follows on its
        connection. ``sub`` must already be in its registry. ``audiences`` limits how many
        new audiences its connection may make (AUDIENCE_RATE, AUDIENCE_BURST)."""
        counters.subscriptions += 1
        job = partial(self._admit, Ask(sub, target, credentials, since, snapshot, audiences))
        self.worker.submit(job, partial(self._admitted, sub))

    def unsubscribe(self, sub: Subscription) -> None:
        """Forget ``sub`` (already out of its registry), whether admitted or not yet."""
        counters.subscriptions -= 1
        audience, grant = sub.audience, sub.grant
        sub.audience = sub.grant = None
        if audience is not None:
            audience.subscribers.discard(sub)
        if grant is not None:  # admitted, and not being moved (reauthorize)
            self.worker.submit(partial(self._release, grant), None)

    async def authenticate(self, credentials: Credentials) -> str | None:
        """Check an ``auth`` frame's header with the default authentication classes."""
        return await self.worker.call(partial(authenticate, credentials))  # type: ignore[no-any-return]

    async def reauthorize(self, sub: Subscription, credentials: Credentials) -> None:
        """Put an admitted ``sub`` under new credentials (an ``auth`` frame), checked as its
        GET would be; if they fail, it ends."""
        grant, audience = sub.grant, sub.audience
        if grant is None or audience is None:
            return
        sub.grant = None  # on its way to another grant: what ends the old one passes it by
        result = await self.worker.call(partial(self._move, grant, credentials))
        here = sub.live and sub.audience is audience
        if isinstance(result, Denial):
            if here:
                end(sub, result.reason)
        elif result is not None:
            if here:
                sub.grant = result
            else:  # unsubscribed meanwhile
                self.worker.submit(partial(self._release, result), None)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.hub.close()
        await self.worker.close()
        self.audiences.clear()

    # -- admission --------------------------------------------------------------------------

    def _admit(self, ask: Ask) -> Admission | None:
        if not ask.sub.live:  # unsubscribed, or disconnected, while it waited: no work for it
            return None
        # What has committed so far is evaluated before the GET: a write that the GET sees
        # is not then sent to it as a change.
        try:
            self._follow()
        except DatabaseError:
            self._check_head = True
            raise
        with script_prefix(ask.target.script_name):
            return self.admissions.admit(ask, cast(int, self._applied), self.epoch)

    def _admitted(self, sub: Subscription, result: Admission | Exception | None) -> None:
        if result is None:  # it had gone before its admission started
            return
        if isinstance(result, Exception):
            error = result if isinstance(result, SubscriptionError) else _internal(result)
            if sub.live:
                del sub.registry[sub.id]
                counters.subscriptions -= 1
                sub.conn.push(wire.error(sub.id, error.code, error.detail, error.status))
            return
        audience = result.audience
        if not sub.live:  # unsubscribed, or disconnected, while being admitted
            self.worker.submit(partial(self._release, result.grant), None)
            return
        sub.audience, sub.grant = audience, result.grant
        audience.subscribers.add(sub)
        cursor = f"{self.epoch}-{result.cursor}"
        # A list's events follow the whole list, in this order, whatever page its GET showed.
        order = {} if result.ordering is None else {"ordering": result.ordering}
        if result.reset is not None:
            head = wire.frame("reset", id=sub.id, reason=result.reset, cursor=cursor, **order)
            sub.conn.push(f'{head[:-1]},"data":{result.snapshot}}}')
        else:
            head = wire.frame("subscribed", id=sub.id, path=sub.path, cursor=cursor, **order)
            if result.snapshot is not None:
                head = f'{head[:-1]},"data":{result.snapshot}}}'
            sub.conn.push(head)
        for event in result.replay or ():
            sub.conn.push(sub.prefix + event.tail)

    # -- following the log (worker thread) ---------------------------------------------------

    def _start_following(self) -> None:
        """Where this process starts following: the log's head when it starts."""
        if self._applied is None:
            self.epoch = self.log.state().epoch
            self._applied = self.log.head()

    def _follow(self) -> None:
        """Evaluate every entry committed after the last one evaluated."""
        with self._follow_lock:
            self._start_following()
            if self._check_head:
                self._went_back()
            while True:
                entries = self.log.read(cast(int, self._applied), BATCH)
                if not entries:
                    return
                # Positions follow one another but where a sequencer rolled back, or where
                # retention pruned: which one, the log's state says.
                if entries[0].position != cast(int, self._applied) + 1 and self._fell_behind():
                    continue
                received = time.monotonic()  # each of them committed before now
                counters.log_entries_read += len(entries)
                self._evaluate(entries, received)
                self._applied = counters.log_position = entries[-1].position
                self._applied_id = entries[-1].id
                if len(entries) < BATCH:
                    # All that had committed when the read began: what commits after it
                    # rings after its commit, and that ring follows again.
                    return

    def _went_back(self) -> None:
        """After a database error: a database server that crashed, or failed over, may have
        lost the last positions it handed out (and this process read), and hand them out
        again. If the entry read last is not at its position any more, every audience starts
        over at the head, and its clients resume (and are reset)."""
        applied = cast(int, self._applied)
        if self._applied_id is None or self.log.id_at(applied) == self._applied_id:
            self._check_head = False
            return
        head = self.log.head()
        self._check_head = False
        logger.error(
            "The change log lost the positions after %d that this process had read (the "
            "database lost its last commits): %d audiences start over, and their clients "
            "resume.",
            head,
            len(self.audiences),
        )
        self._drop(self.audiences.all())
        self._applied, self._applied_id = head, None

    def _fell_behind(self) -> bool:
        """Whether retention pruned what this process had not read yet (it was stopped, or
        is far behind). Then what its audiences hold is no longer known: they start over,
        and their subscribers are told to resume (close code 4008), which resets them."""
        floor = counters.log_floor = self.log.state().pruned_through
        applied = cast(int, self._applied)
        if floor <= applied:
            return False
        logger.error(
            "This process had read the change log through %d, and retention has pruned it "
            "through %d: its %d audiences start over, and their clients resume. Raise "
            "REALTIME['LOG_RETENTION_SECONDS'] / ['LOG_RETENTION_ENTRIES'].",
            applied,
            floor,
            len(self.audiences),
        )
        self._drop(self.audiences.all())
        self._applied, self._applied_id = self.log.head(), None
        return True

    def _drop_one(self, audience: Audience) -> None:
        self._drop([audience])

    def _drop(self, audiences: list[Audience]) -> None:
        """End these audiences; their subscribers are closed with 4008 and resume."""
        for audience in audiences:
            self.audiences.remove(audience)
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            self.loop.call_soon_threadsafe(_close_subscribers, audiences)

    def _evaluate(self, entries: list[Entry], received: float) -> None:
        # Credentials that a change may have revoked are checked before the change's events
        # go out: a revoked subscriber is sent none of them.
        self._deny(self.grants.check(self.grants.touched(entries)))
        by_label = to_changes(entries, received, self.audiences.follows)
        counters.events_in += sum(len(changes) for changes in by_label.values())
        delivery = _Delivery([], 0.0, 0)
        epoch = self.epoch
        posted = time.monotonic()
        registry = self.audiences
        concerned = relevant(
            by_label, registry.details, registry.lists, registry.dependents, self._drop_one
        )
        for audience, its_changes in concerned.items():
            if audience.dead:  # dropped while finding its related objects
                continue
            before = audience.serialize_seconds, audience.serializations
            try:
                with script_prefix(audience.target.script_name):
                    events = audience.evaluate(its_changes, epoch)
            except Exception:
                # What its subscribers should have had is unknown now: they resume (4008),
                # from the log, never past the change silently.
                logger.exception(
                    "Evaluating changes of %s for %s failed; its subscribers are told to resume",
                    audience.label,
                    audience.target.full_path,
                )
                self._drop([audience])
                continue
            delivery.serialize_seconds += audience.serialize_seconds - before[0]
            delivery.serializations += audience.serializations - before[1]
            if events:
                audience.remember(events)
                delivery.events.append((audience, events))
            if audience.dead:
                self.audiences.remove(audience)
            if time.monotonic() - posted > DELIVER_EVERY:
                # Many audiences: the first ones' subscribers need not wait for the last,
                # and requests waiting for the GIL get it now rather than in 5 ms.
                delivery = self._post(delivery)
                time.sleep(0)
                posted = time.monotonic()
        self._post(delivery)

    def _deny(self, denials: list[Denial]) -> None:
        """End the subscriptions of grants that failed their check (worker thread)."""
        if not denials:
            return
        for denial in denials:
            self.audiences.maybe_idle(denial.grant.audience, cast(int, self._applied))
            logger.info(
                "Subscriptions to %s end (%s): their credentials no longer pass its GET",
                denial.grant.audience.target.full_path,
                denial.reason,
            )
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            self.loop.call_soon_threadsafe(end_denied, denials)

    def _recheck_due(self) -> None:
        self._deny(self.grants.check(self.grants.due()))

    def _post(self, delivery: _Delivery) -> _Delivery:
        """Hand what is ready to the loop (worker thread); a change that concerned nobody
        costs the loop nothing. The next delivery to fill."""
        if not delivery.events:  # serializations come with events
            return delivery
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            self.loop.call_soon_threadsafe(self._deliver, delivery)
        return _Delivery([], 0.0, 0)

    def _deliver(self, delivery: _Delivery) -> None:
        counters.serialization_seconds += delivery.serialize_seconds
        counters.serializations += delivery.serializations
        for audience, events in delivery.events:
            self.outbox.add(audience, events)

    # -- the follower's rhythm (event loop) -------------------------------------------------

    def _on_ring(self) -> None:
        self._rung.set()

    async def _follow_forever(self) -> None:
        """Follow the log when rung, and at least every POLL_INTERVAL seconds: a ring that
        never came costs that much latency, never an event."""
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._rung.wait(), realtime_settings.POLL_INTERVAL)
            self._rung.clear()
            try:
                await self.worker.call(self._follow)
            except Exception:
                logger.exception(
                    "Reading the change log failed; retrying in %s s.",
                    realtime_settings.POLL_INTERVAL,
                )
                self._check_head = True
                await asyncio.sleep(realtime_settings.POLL_INTERVAL)

    async def _recheck_forever(self) -> None:
        """Credentials the database cannot show change are checked once their interval has
        passed, or their token has expired."""
        while True:
            await asyncio.sleep(min(1.0, realtime_settings.AUTH_RECHECK_INTERVAL))
            try:
                await self.worker.call(self._recheck_due)
            except Exception:
                logger.exception("Checking subscriptions' credentials again failed")

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(realtime_settings.PRUNE_INTERVAL)
            try:
                await self.worker.call(partial(prune, self.log.using))
            except Exception:
                logger.exception("Pruning the change log failed")

    # -- audience bookkeeping (worker thread) -------------------------------------------------

    def _release(self, grant: Grant) -> None:
        audience = grant.audience
        if audience.dead or grant.ended:
            return
        self.grants.leave(grant)
        audience.release()
        self.audiences.maybe_idle(audience, cast(int, self._applied))

    def _move(self, grant: Grant, credentials: Credentials) -> Grant | Denial | None:
        moved = self.grants.move(grant, credentials)
        self.audiences.maybe_idle(grant.audience, cast(int, self._applied))
        return moved

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(max(1.0, min(realtime_settings.RESUME_WINDOW / 4, 15.0)))
            self.worker.submit(self.audiences.sweep, None)

    async def _log_forever(self) -> None:
        while True:
            await asyncio.sleep(realtime_settings.STATS_LOG_INTERVAL)
            logger.info("realtime stats: %s", counters.snapshot())


def _close_subscribers(audiences: list[Audience]) -> None:
    for audience in audiences:
        for sub in list(audience.subscribers):
            sub.conn.close(SLOW_CLIENT_CLOSE_CODE)
        audience.subscribers.clear()


def _internal(exc: Exception) -> SubscriptionError:
    logger.error("Admitting a subscription failed", exc_info=exc)
    return SubscriptionError("server_error", "The server failed to answer this GET.", 500)


_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Engine] = (
    weakref.WeakKeyDictionary()
)


def get_engine() -> Engine:
    """The engine of the running event loop, started on first use."""
    loop = asyncio.get_running_loop()
    engine = _engines.get(loop)
    if engine is None:
        engine = _engines[loop] = Engine(loop)
    return engine


async def close_engine() -> None:
    """Stop the running loop's engine, if it has one (tests, and server shutdown)."""
    engine = _engines.pop(asyncio.get_running_loop(), None)
    if engine is not None:
        await engine.close()
