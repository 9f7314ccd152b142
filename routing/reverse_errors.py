"""The messages of ``reverse()`` errors: which arguments are wrong, which names are close."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import Any

from .reverse_tables import Candidate, Level


def explain(
    top: Level,
    level: Level,
    viewname: Any,
    view: Any,
    candidates: list[Candidate],
    args: Sequence[Any],
    kwargs: dict[str, Any],
    prefix: str,
) -> str:
    """The message of a failed reverse(): close names, or why each candidate did not fit."""
    module, name = getattr(viewname, "__module__", None), getattr(viewname, "__name__", None)
    shown = f"{module}.{name}" if module is not None and name is not None else viewname
    if not candidates:
        close = _close_names(str(shown), top)
        hint = f" Did you mean {one_of(close)}?" if close else ""
        return (
            f"Reverse for '{shown}' not found. '{shown}' is not a valid view function or "
            f"pattern name.{hint}"
        )
    given = (
        f"arguments '{tuple(args)}'"
        if args
        else f"keyword arguments '{kwargs}'"
        if kwargs
        else "no arguments"
    )
    lines = [f"Reverse for '{shown}' with {given} not found. {len(candidates)} pattern(s) tried:"]
    lines.extend(f"  {c.shown}: {_why(c, args, kwargs, prefix)}" for c in candidates)
    return "\n".join(lines)


def _why(candidate: Candidate, args: Sequence[Any], kwargs: dict[str, Any], prefix: str) -> str:
    if args:
        if len(args) != len(candidate.params):
            names = ", ".join(candidate.params) or "none"
            return f"takes {len(candidate.params)} argument(s) ({names}), got {len(args)}."
        subs = dict(zip(candidate.params, args, strict=True))
    else:
        missing = [p for p in candidate.params if p not in kwargs and p not in candidate.defaults]
        unexpected = [
            k for k in kwargs if k not in candidate.param_set and k not in candidate.defaults
        ]
        different = [
            k
            for k, v in candidate.defaults.items()
            if k not in candidate.param_set and k in kwargs and kwargs[k] != v
        ]
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unexpected:
            problems.append(f"unexpected {', '.join(unexpected)}")
        problems.extend(
            f"{k}={kwargs[k]!r} differs from the route's fixed {k}={candidate.defaults[k]!r}"
            for k in different
        )
        if problems:
            return "; ".join(problems) + "."
        subs = kwargs
    for key, value in subs.items():
        converter = candidate.converters.get(key)
        if converter is None:
            continue
        try:
            converter.to_url(value)
        except ValueError as exc:
            return f"{key}={value!r} is invalid: {exc}."
    return f"the values give a URL that does not match {candidate.pattern!r}."


def one_of(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _close_names(wanted: str, top: Level) -> list[str]:
    """Known names close to ``wanted``: by their last part, its own namespace first."""
    namespace, _, last = wanted.rpartition(":")
    names = sorted(set(_all_names(top)))
    close = difflib.get_close_matches(last, {n.rpartition(":")[2] for n in names}, n=3)
    ranked = sorted(
        (n for n in names if n.rpartition(":")[2] in close),
        key=lambda n: (close.index(n.rpartition(":")[2]), n.rpartition(":")[0] != namespace),
    )
    return ranked[:3]


def _all_names(level: Level, depth: int = 0) -> Iterator[str]:
    prefix = "".join(f"{ns}:" for ns in level.path)
    for key in level.names.reverse_dict:
        if isinstance(key, str):
            yield prefix + key
    if depth < 10:
        for namespace in level.namespaces:
            child = level.child(namespace)
            if child is not None:
                yield from _all_names(child, depth + 1)
