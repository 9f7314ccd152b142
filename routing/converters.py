"""Path converters that take arguments: Django's five, plus ``any``, ``date`` and ``float``.

Without arguments ``int``, ``str``, ``slug``, ``uuid`` and ``path`` behave exactly like
Django's (they subclass them, so ``isinstance`` checks in other libraries still hold).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, ClassVar

from django.urls import converters as django_converters


class Converter:
    """A Django path converter (``regex``, ``to_python``, ``to_url``) with arguments.

    ``usage`` shows the arguments in error messages; ``samples`` feed the round-trip
    check (``routing.E004``).
    """

    name: ClassVar[str]
    usage: ClassVar[str]
    samples: tuple[str, ...] = ()
    regex: str

    def __init__(self) -> None:
        self.arguments: tuple[Any, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.arguments == self.arguments

    def __hash__(self) -> int:
        return hash((type(self), self.arguments))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.regex!r}>"


def _integer(name: str, value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{name} must be an integer, got {value!r}")


def _number(name: str, value: object) -> float | None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{name} must be a number, got {value!r}")


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"{name} must be True or False, got {value!r}")


def _check_range(low: float | None, high: float | None, signed: bool) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"min={low} is greater than max={high}")
    if not signed and ((low is not None and low < 0) or (high is not None and high < 0)):
        raise ValueError("a negative bound needs signed=True")


def _out_of_range(value: float, low: float | None, high: float | None) -> str | None:
    if low is not None and value < low:
        return f"{value} is less than min={low}"
    if high is not None and value > high:
        return f"{value} is greater than max={high}"
    return None


class IntConverter(django_converters.IntConverter, Converter):
    name = "int"
    usage = "int(min=1, max=9999, signed=False)"
    samples = ("0", "1", "42", "007", "9999", "-1", "-42")

    def __init__(
        self, *, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        Converter.__init__(self)
        self.min, self.max = _integer("min", min), _integer("max", max)
        self.signed = _flag("signed", signed)
        _check_range(self.min, self.max, self.signed)
        self.regex = "-?[0-9]+" if self.signed else "[0-9]+"
        self._fullmatch = re.compile(self.regex).fullmatch
        self.arguments = (self.min, self.max, self.signed)
        self.bounded = self.min is not None or self.max is not None

    def to_python(self, value: str) -> int:
        number = int(value)
        if self.bounded:
            problem = _out_of_range(number, self.min, self.max)
            if problem:
                raise ValueError(problem)
        return number

    def to_url(self, value: Any) -> str:
        text = str(value)
        if not self.bounded:
            return text  # exactly Django's IntConverter
        if value.__class__ is int:
            number = value
        elif self._fullmatch(text) is None:
            raise ValueError(f"{value!r} is not an integer")
        else:
            number = int(text)
        problem = _out_of_range(number, self.min, self.max)
        if problem:
            raise ValueError(problem)
        return text


class _Length(Converter):
    """``min_length`` / ``max_length`` for ``str`` and ``slug``, enforced by the regex."""

    characters: ClassVar[str]
    min_length: int | None
    max_length: int | None

    def __init__(self, *, min_length: int | None = None, max_length: int | None = None) -> None:
        Converter.__init__(self)
        self.regex = self._set_lengths(min_length, max_length)
        self.arguments = (self.min_length, self.max_length)

    def to_url(self, value: Any) -> Any:
        if self.min_length is None and self.max_length is None:
            return value  # exactly Django's converter
        text = str(value)
        if len(text) < (self.min_length or 1) or (
            self.max_length is not None and len(text) > self.max_length
        ):
            raise ValueError(
                f"{text!r} has {len(text)} characters, expected {self.min_length or 1} to "
                f"{'any number' if self.max_length is None else self.max_length}"
            )
        return text

    def _set_lengths(self, min_length: object, max_length: object) -> str:
        low, high = _integer("min_length", min_length), _integer("max_length", max_length)
        if low is not None and low < 1:
            raise ValueError(f"min_length must be at least 1, got {low}")
        if high is not None and high < max(low or 1, 1):
            raise ValueError(f"max_length={high} is less than min_length={low or 1}")
        self.min_length, self.max_length = low, high
        if low is None and high is None:
            return f"{self.characters}+"
        return f"{self.characters}{{{low or 1},{'' if high is None else high}}}"


class StringConverter(_Length, django_converters.StringConverter):
    name = "str"
    usage = "str(min_length=1, max_length=100)"
    samples = ("a", "abc", "hello-world", "hello world", "ünïcode", "a.b")
    characters = "[^/]"


class SlugConverter(_Length, django_converters.SlugConverter):
    name = "slug"
    usage = "slug(min_length=1, max_length=50)"
    samples = ("a", "abc", "hello-world", "snake_case", "2024")
    characters = "[-a-zA-Z0-9_]"


class UUIDConverter(django_converters.UUIDConverter, Converter):
    name = "uuid"
    usage = "uuid"
    samples = ("12345678-1234-5678-1234-567812345678", "00000000-0000-0000-0000-000000000000")

    def __init__(self) -> None:
        Converter.__init__(self)


class PathConverter(django_converters.PathConverter, Converter):
    name = "path"
    usage = "path"
    samples = ("a", "a/b", "docs/index.html", "a/b/")

    def __init__(self) -> None:
        Converter.__init__(self)


class AnyConverter(Converter):
    """One of the given segments: ``<any(draft, published):status>``."""

    name = "any"
    usage = "any(draft, published)"
    text_arguments = True  # any(1, 2) means the texts "1" and "2"

    def __init__(self, *choices: str) -> None:
        super().__init__()
        if not choices:
            raise ValueError("any needs at least one choice")
        for choice in choices:
            if not isinstance(choice, str) or not choice or "/" in choice:
                raise ValueError(
                    f"each choice must be a non-empty text without '/', got {choice!r}"
                )
        if len(set(choices)) != len(choices):
            raise ValueError(f"the choices repeat: {', '.join(choices)}")
        self.choices = self.samples = choices
        self.regex = "(?:" + "|".join(re.escape(choice) for choice in choices) + ")"
        self.arguments = choices

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: Any) -> str:
        text = str(value)
        if text not in self.choices:
            raise ValueError(f"{text!r} is not one of {', '.join(self.choices)}")
        return text


class DateConverter(Converter):
    """An ISO date (``2024-01-31``) as a ``datetime.date``."""

    name = "date"
    usage = "date"
    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
    samples = ("2024-01-31", "2024-02-29", "1999-12-31")

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def to_url(self, value: Any) -> str:
        if isinstance(value, datetime.datetime):
            raise ValueError(f"expected a date, got the datetime {value!r}; pass value.date()")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            return datetime.date.fromisoformat(value).isoformat()
        raise ValueError(f"expected a date, got {value!r}")


class FloatConverter(Converter):
    """A decimal number without exponent (``1.5``) as a ``float``."""

    name = "float"
    usage = "float(min=0, max=100, signed=False)"
    samples = ("0", "1.5", "10.25", "3", "-2.5")

    def __init__(
        self, *, min: float | None = None, max: float | None = None, signed: bool = False
    ) -> None:
        super().__init__()
        self.min, self.max = _number("min", min), _number("max", max)
        self.signed = _flag("signed", signed)
        _check_range(self.min, self.max, self.signed)
        self.regex = ("-?" if self.signed else "") + r"[0-9]+(?:\.[0-9]+)?"
        self.arguments = (self.min, self.max, self.signed)

    def to_python(self, value: str) -> float:
        number = float(value)
        problem = _out_of_range(number, self.min, self.max)
        if problem:
            raise ValueError(problem)
        return number

    def to_url(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            raise ValueError(f"expected a number, got {value!r}")
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a finite number")
        problem = _out_of_range(number, self.min, self.max)
        if problem:
            raise ValueError(problem)
        text = repr(number)
        if "e" in text:  # 1e+20: the regex has no exponent
            text = format(Decimal(text), "f")
        return text.removesuffix(".0")


BUILTIN_CONVERTERS: dict[str, type[Converter]] = {
    converter.name: converter
    for converter in (
        IntConverter,
        StringConverter,
        SlugConverter,
        UUIDConverter,
        PathConverter,
        AnyConverter,
        DateConverter,
        FloatConverter,
    )
}
