"""Converters with arguments: what they accept, what they return, what they refuse."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest

from routing._regex import cannot_match_slash
from routing.checks import round_trip_problem
from routing.converters import (
    AnyConverter,
    Converter,
    DateConverter,
    FloatConverter,
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)

from .corpus import FourDigitYear

UUID = "12345678-1234-5678-1234-567812345678"


@pytest.mark.parametrize(
    ("converter", "text", "value"),
    [
        (IntConverter(), "007", 7),
        (IntConverter(min=1), "1", 1),
        (IntConverter(signed=True), "-3", -3),
        (IntConverter(min=-5, max=5, signed=True), "-5", -5),
        (StringConverter(max_length=2), "ab", "ab"),
        (SlugConverter(), "a-b_c", "a-b_c"),
        (UUIDConverter(), UUID, uuid.UUID(UUID)),
        (PathConverter(), "a/b", "a/b"),
        (AnyConverter("draft", "published"), "draft", "draft"),
        (DateConverter(), "2024-02-29", datetime.date(2024, 2, 29)),
        (FloatConverter(), "1.5", 1.5),
        (FloatConverter(signed=True, min=-2), "-2", -2.0),
    ],
)
def test_to_python(converter: Any, text: str, value: Any) -> None:
    assert re.fullmatch(converter.regex, text)
    assert converter.to_python(text) == value


@pytest.mark.parametrize(
    ("converter", "text", "error"),
    [
        (IntConverter(min=1), "0", "0 is less than min=1"),
        (IntConverter(max=10), "11", "11 is greater than max=10"),
        (DateConverter(), "2023-02-29", "day is out of range for month"),
        (FloatConverter(max=1), "1.5", "1.5 is greater than max=1"),
    ],
)
def test_to_python_refuses_with_value_error(converter: Any, text: str, error: str) -> None:
    assert re.fullmatch(converter.regex, text)
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        converter.to_python(text)


@pytest.mark.parametrize(
    ("converter", "value", "text"),
    [
        (IntConverter(), 5, "5"),
        (IntConverter(), "x", "x"),  # exactly Django's: reverse() then checks the regex
        (IntConverter(min=1), 5, "5"),
        (StringConverter(), 5, 5),  # exactly Django's StringConverter
        (StringConverter(min_length=2), "ab", "ab"),
        (AnyConverter("1", "2"), 1, "1"),
        (DateConverter(), datetime.date(2024, 1, 31), "2024-01-31"),
        (DateConverter(), "2024-01-31", "2024-01-31"),
        (FloatConverter(), 1.5, "1.5"),
        (FloatConverter(), 2, "2"),
        (FloatConverter(), Decimal("2.50"), "2.5"),
        (FloatConverter(), 1e20, "100000000000000000000"),
        (UUIDConverter(), uuid.UUID(UUID), UUID),
    ],
)
def test_to_url(converter: Any, value: Any, text: Any) -> None:
    assert converter.to_url(value) == text


@pytest.mark.parametrize(
    ("converter", "value", "error"),
    [
        (IntConverter(min=1), 0, "0 is less than min=1"),
        (IntConverter(max=9), 10, "10 is greater than max=9"),
        (IntConverter(min=1), "x", "'x' is not an integer"),
        (StringConverter(max_length=2), "abc", "'abc' has 3 characters, expected 1 to 2"),
        (SlugConverter(min_length=3), "ab", "'ab' has 2 characters, expected 3 to any number"),
        (AnyConverter("draft", "published"), "gone", "'gone' is not one of draft, published"),
        (
            DateConverter(),
            datetime.datetime(2024, 1, 31, 12),
            "expected a date, got the datetime datetime.datetime(2024, 1, 31, 12, 0); pass "
            "value.date()",
        ),
        (DateConverter(), 20240131, "expected a date, got 20240131"),
        (FloatConverter(), float("nan"), "nan is not a finite number"),
        (FloatConverter(), "x", "could not convert string to float: 'x'"),
        (FloatConverter(), True, "expected a number, got True"),
        (FloatConverter(min=0), -1.0, "-1.0 is less than min=0"),
    ],
)
def test_to_url_refuses_with_value_error(converter: Any, value: Any, error: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        converter.to_url(value)


def test_converters_with_the_same_arguments_are_equal() -> None:
    assert IntConverter(min=1) == IntConverter(min=1)
    assert IntConverter(min=1) != IntConverter(min=2)
    assert IntConverter() != StringConverter()
    assert len({AnyConverter("a", "b"), AnyConverter("a", "b")}) == 1


@pytest.mark.parametrize(
    "converter",
    [
        IntConverter(), IntConverter(min=1, max=10), IntConverter(signed=True), StringConverter(),
        StringConverter(min_length=2, max_length=3), SlugConverter(), UUIDConverter(),
        PathConverter(), AnyConverter("a", "b"), DateConverter(), FloatConverter(),
        FloatConverter(signed=True),
    ],
)  # fmt: skip
def test_routings_converters_round_trip(converter: Converter) -> None:
    assert round_trip_problem(converter) is None


def test_a_converter_that_does_not_round_trip_is_caught() -> None:
    class NoPadding(FourDigitYear):
        def to_url(self, value: int) -> str:
            return str(value)

    assert round_trip_problem(FourDigitYear()) is None
    assert round_trip_problem(NoPadding()) == (
        "to_python('0042') = 42, to_url(42) = '42', which its regex '[0-9]{4}' does not match"
    )


@pytest.mark.parametrize(
    ("regex", "free"),
    [
        ("[0-9]+", True), ("[^/]+", True), ("[-a-zA-Z0-9_]+", True), (r"\d{4}", True),
        (r"(?:a|b)", True), (r"[0-9]+(?:\.[0-9]+)?", True), (r"(?P<x>\w+)", True),
        (".+", False), ("[^a]+", False), (r"\D", False), ("a/b", False), (r"a\/b", False),
        ("^a", False), ("a$", False), (r"\bx", False), ("[", False), ("(a", False),
        (r"\.[a-z0-9]+/?", False),
    ],
)  # fmt: skip
def test_which_regexes_stay_inside_a_segment(regex: str, free: bool) -> None:
    assert cannot_match_slash(regex) is free
