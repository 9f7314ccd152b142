"""The clients place an item by the server's `ordering`, as the database orders it."""

from __future__ import annotations

import functools

from django_realtime.client.live import order_by


def ordered(ordering: list[str], items: list[dict[str, object]]) -> list[object]:
    compare = order_by(ordering)
    assert compare is not None
    return [item["id"] for item in sorted(items, key=functools.cmp_to_key(compare))]


def test_descending_datetimes_with_and_without_a_fraction() -> None:
    # DRF leaves out a zero fraction: plain string order would put "...:00Z" after ".5Z"
    items = [
        {"id": 1, "at": "2026-12-07T01:00:00Z"},
        {"id": 2, "at": "2026-12-07T01:00:00.500000Z"},
        {"id": 3, "at": "2026-12-07T00:59:59.999999Z"},
    ]
    assert ordered(["-at", "-id"], items) == [2, 1, 3]


def test_nulls_last_ascending_first_descending_as_postgresql() -> None:
    items = [{"id": 1, "n": None}, {"id": 2, "n": 5}, {"id": 3, "n": 1}]
    assert ordered(["n"], items) == [3, 2, 1]
    assert ordered(["-n"], items) == [1, 2, 3]


def test_decimal_strings_compare_as_numbers_and_ties_fall_through() -> None:
    items = [{"id": 1, "p": "10.00"}, {"id": 2, "p": "9.50"}, {"id": 3, "p": "9.50"}]
    assert ordered(["p", "-id"], items) == [3, 2, 1]


def test_related_fields_and_missing_ones() -> None:
    items = [{"id": 1, "author": {"name": "b"}}, {"id": 2, "author": {"name": "a"}}]
    assert ordered(["author__name"], items) == [2, 1]
    assert ordered(["absent"], items) == [1, 2]  # left in the server's order
    assert order_by([]) is None
