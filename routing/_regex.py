"""What a converter's regex can match, as far as a conservative reading can tell."""

from __future__ import annotations

import re

# One atom of a regex that never matches a slash: a character class is checked separately.
_ATOM = re.compile(
    r"""
      \[(?:\\.|[^\]\\])+\]      # a character class
    | \\[dws]                   # \d \w \s
    | \\[^A-Za-z0-9/]           # an escaped punctuation character other than a slash
    | [^\\.^$*+?{}\[\]|()/]     # a plain character other than a slash
    """,
    re.VERBOSE,
)
_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d+(?:,\d*)?\})\??")


class _Unknown(Exception):
    pass


def cannot_match_slash(regex: str) -> bool:
    """True when no string that ``regex`` matches contains a ``/``.

    False means "maybe": anything this small reader does not understand (anchors, ``.``,
    ``\\D``, lookarounds, ...) counts as possibly matching a slash. The matcher then treats
    the converter like ``path``, which is always correct and only slower.
    """
    try:
        end = _sequence(regex, 0)
    except _Unknown:
        return False
    return end == len(regex)


def _sequence(regex: str, i: int) -> int:
    while i < len(regex) and regex[i] != ")":
        if regex[i] == "|":
            i += 1
            continue
        if regex.startswith("(?:", i):
            i = _group(regex, i + 3)
        elif regex.startswith("(?P<", i):
            i = _group(regex, regex.index(">", i) + 1)
        elif regex[i] == "(" and not regex.startswith("(?", i):
            i = _group(regex, i + 1)
        else:
            atom = _ATOM.match(regex, i)
            if atom is None or (atom[0].startswith("[") and _class_matches_slash(atom[0])):
                raise _Unknown
            i = atom.end()
        quantifier = _QUANTIFIER.match(regex, i)
        if quantifier is not None:
            i = quantifier.end()
    return i


def _group(regex: str, i: int) -> int:
    i = _sequence(regex, i)
    if i >= len(regex) or regex[i] != ")":
        raise _Unknown
    return i + 1


def _class_matches_slash(character_class: str) -> bool:
    try:
        return re.fullmatch(character_class, "/") is not None
    except re.error:
        return True
