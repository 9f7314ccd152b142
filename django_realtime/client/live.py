"""Lists and objects kept equal to their GET by applying a subscription's frames."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .connection import Client
    from .subscription import Subscription

Item = dict[str, Any]
Frame = dict[str, Any]
OnChange = Callable[[Any, Frame], None]

_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class _Live:
    """What LiveList and LiveObject share: readiness, changes as a stream, the end."""

    subscription: Subscription

    def __init__(self, on_change: OnChange | None) -> None:
        self.error: Exception | None = None
        self._on_change = on_change
        self._ready = asyncio.Event()
        self._queues: list[asyncio.Queue[Frame]] = []

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Return once the first snapshot has arrived."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    def changes(self) -> AsyncIterator[Frame]:
        """Every change from this call on: ``{"type": "subscribed" | "reset" | "event" |
        "end", ...}``; the iteration stops after ``end``."""
        queue: asyncio.Queue[Frame] = asyncio.Queue()
        self._queues.append(queue)
        return self._stream(queue)

    async def _stream(self, queue: asyncio.Queue[Frame]) -> AsyncIterator[Frame]:
        try:
            while True:
                change = await queue.get()
                yield change
                if change["type"] == "end":
                    return
        finally:
            self._queues.remove(queue)

    def close(self) -> None:
        self.subscription.unsubscribe()

    def _changed(self, value: Any, change: Frame) -> None:
        if change["type"] != "end":
            self._ready.set()
        if self._on_change is not None:
            self._on_change(value, change)
        for queue in self._queues:
            queue.put_nowait(change)


class LiveList(_Live):
    """The items of a list GET, in the view's ordering, keyed by pk (``key``: the item's
    field that holds it); events apply as idempotent upserts and deletes."""

    def __init__(
        self,
        client: Client,
        path: str,
        on_change: OnChange | None = None,
        key: str | Callable[[Item], Any] = "id",
    ) -> None:
        super().__init__(on_change)
        self.items: list[Item] = []
        self._key = key if callable(key) else (lambda item: item[key])
        self._order: Callable[[Item, Item], int] | None = None
        self.subscription = client.subscribe(
            path,
            snapshot=True,
            on_subscribed=self._subscribed,
            on_reset=self._replace,
            on_event=self._apply,
            on_end=self._end,
        )

    def _subscribed(self, frame: Frame) -> None:
        if "data" in frame:  # not on a resume
            self._replace(frame)

    def _replace(self, frame: Frame) -> None:
        data = frame.get("data")
        items = data if isinstance(data, list) else (data or {}).get("results", [])
        self._order = order_by(frame.get("ordering") or self.subscription.ordering)
        self.items = list(items)
        if self._order is not None:
            self.items.sort(key=functools.cmp_to_key(self._order))
        self._changed(self.items, {"type": frame["type"], "frame": frame})

    def _apply(self, frame: Frame) -> None:
        items = list(self.items)
        at = next(
            (i for i, item in enumerate(items) if str(self._key(item)) == str(frame["pk"])), None
        )
        if at is not None:
            del items[at]
        if frame["event"] != "deleted":
            place = at if at is not None and frame["event"] == "updated" else len(items)
            if self._order is not None:
                place = _upper_bound(items, frame["data"], self._order)
            items.insert(place, frame["data"])
        self.items = items
        self._changed(self.items, {"type": "event", "frame": frame})

    def _end(self, reason: str, error: Exception | None) -> None:
        self.error = error
        self._changed(self.items, {"type": "end", "reason": reason, "error": error})


class LiveObject(_Live):
    """One object of a detail GET; ``value`` is None once it is deleted."""

    def __init__(self, client: Client, path: str, on_change: OnChange | None = None) -> None:
        super().__init__(on_change)
        self.value: Item | None = None
        self.subscription = client.subscribe(
            path,
            snapshot=True,
            on_subscribed=self._subscribed,
            on_reset=lambda frame: self._set(frame["data"], frame),
            on_event=lambda frame: self._set(
                None if frame["event"] == "deleted" else frame["data"], frame
            ),
            on_end=self._end,
        )

    def _subscribed(self, frame: Frame) -> None:
        if "data" in frame:  # not on a resume
            self._set(frame["data"], frame)

    def _set(self, value: Item | None, frame: Frame) -> None:
        self.value = value
        self._changed(value, {"type": frame["type"], "frame": frame})

    def _end(self, reason: str, error: Exception | None) -> None:
        self.error = error
        if reason == "deleted":
            self.value = None
        self._changed(self.value, {"type": "end", "reason": reason, "error": error})


# -- ordering -------------------------------------------------------------------------------


def order_by(ordering: Sequence[str]) -> Callable[[Item, Item], int] | None:
    """A comparison for the server's ``ordering`` (field names, ``-`` for descending,
    ``__`` into nested objects), as the JS client's; None when it is empty. Nulls sort last
    ascending, as in PostgreSQL; strings compare by code point."""
    if not ordering:
        return None
    keys = [(name.lstrip("-").split("__"), -1 if name.startswith("-") else 1) for name in ordering]

    def compare(a: Item, b: Item) -> int:
        for names, direction in keys:
            order = _compare(_pick(a, names), _pick(b, names))
            if order:
                return order * direction
        return 0

    return compare


def _pick(item: Any, names: list[str]) -> Any:
    for name in names:
        item = item.get(name) if isinstance(item, dict) else None
    return item


def _compare(a: Any, b: Any) -> int:
    if a == b:
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    if isinstance(a, str) and isinstance(b, str):
        if _NUMBER.match(a) and _NUMBER.match(b):
            a, b = float(a), float(b)
        else:
            a, b = _normal(a), _normal(b)
    try:
        return -1 if a < b else (1 if a > b else 0)
    except TypeError:  # values of different kinds: leave their order alone
        return 0


def _normal(text: str) -> str:
    match = _ISO.match(text)
    if match is None:
        return text
    return f"{match[1]}.{(match[2] or '').ljust(9, '0')}{match[3]}"


def _upper_bound(items: list[Item], item: Item, order: Callable[[Item, Item], int]) -> int:
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        if order(items[middle], item) <= 0:
            low = middle + 1
        else:
            high = middle
    return low
