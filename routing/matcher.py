"""A segment tree that says which routes could match a path, without trying them all.

Static segments are dict keys; a segment with converters is one regex per distinct shape;
a converter that may match a slash (``path``), and anything routing cannot read, ends the
tree in a "tail" that is checked with a regex over the rest of the path. The answer is a
superset of the matching routes, sorted in declaration order: the resolver then tries
them the way Django would, so the first match in declaration order still wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .routes import Shape, slash_free, split_segments
from .syntax import Param, Token

_RegexMatch = Callable[[str], "re.Match[str] | None"]


class _Node:
    __slots__ = ("dynamic", "ends", "has_tails", "keyed_tails", "regexes", "static", "tails")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.dynamic: list[tuple[_RegexMatch, _Node]] = []
        self.regexes: dict[str, _Node] = {}
        self.ends: list[int] = []
        self.tails: list[tuple[_RegexMatch | None, int]] = []
        # Tails that start with literal text, by its length, then by the text: DRF's
        # "articles<drf_format_suffix:format>" is only tried when the segment starts with it.
        self.keyed_tails: dict[int, dict[str, list[tuple[_RegexMatch, int]]]] = {}
        self.has_tails = False


class Matcher:
    def __init__(self, shapes: Iterable[tuple[int, Shape]]) -> None:
        self.root = _Node()
        static_paths = []
        for index, shape in shapes:
            self._add(index, shape)
            if shape.closed and all(isinstance(token, str) for token in shape.tokens):
                static_paths.append("".join(shape.tokens))  # type: ignore[arg-type]
        # The candidates of every static path, computed once: most requests stop here.
        self.static: dict[str, list[int]] = {
            path: self.walk(path.split("/")) for path in static_paths
        }

    def candidates(self, path: str) -> list[int]:
        found = self.static.get(path)
        return found if found is not None else self.walk(path.split("/"))

    def walk(self, segments: list[str]) -> list[int]:
        found: list[int] = []
        collect(self.root, segments, 0, found)
        if len(found) > 1:
            found.sort()
        return found

    def _add(self, index: int, shape: Shape) -> None:
        tokens = shape.tokens
        cut = next(
            (i for i, t in enumerate(tokens) if isinstance(t, Param) and not slash_free(t)),
            len(tokens),
        )
        segments = split_segments(tokens[:cut])
        node = self.root
        if cut == len(tokens) and shape.closed:
            for segment in segments:
                node = self._child(node, segment)
            node.ends.append(index)
            return
        for segment in segments[:-1]:
            node = self._child(node, segment)
        rest = (*segments[-1], *tokens[cut:])
        node.has_tails = True
        if not rest and not shape.closed:
            node.tails.append((None, index))
            return
        match = re.compile(_regex(rest) + (r"\Z" if shape.closed else "")).match
        lead = rest[0]
        if isinstance(lead, str):  # literal text within one segment
            node.keyed_tails.setdefault(len(lead), {}).setdefault(lead, []).append((match, index))
        else:
            node.tails.append((match, index))

    def _child(self, node: _Node, segment: list[Token]) -> _Node:
        if all(isinstance(token, str) for token in segment):
            key = "".join(segment)  # type: ignore[arg-type]
            child = node.static.get(key)
            if child is None:
                child = node.static[key] = _Node()
            return child
        regex = _regex(segment)
        child = node.regexes.get(regex)
        if child is None:
            child = node.regexes[regex] = _Node()
            node.dynamic.append((re.compile(regex).fullmatch, child))
        return child


def _regex(tokens: Iterable[Token]) -> str:
    return "".join(
        re.escape(token) if isinstance(token, str) else f"(?:{token.converter.regex})"
        for token in tokens
    )


def _tails(node: _Node, segments: list[str], i: int, found: list[int]) -> None:
    rest = "/".join(segments[i:])
    for match, index in node.tails:
        if match is None or match(rest) is not None:
            found.append(index)
    segment = segments[i]
    for length, keyed in node.keyed_tails.items():
        for match, index in keyed.get(segment[:length], ()):
            if match(rest) is not None:
                found.append(index)


def collect(node: _Node, segments: list[str], i: int, found: list[int]) -> None:
    count = len(segments)
    while True:
        if node.has_tails and i < count:
            _tails(node, segments, i, found)
        if i == count:
            found.extend(node.ends)
            return
        segment = segments[i]
        child = node.static.get(segment)
        if node.dynamic:
            # Every branch that accepts the segment; the last one continues this loop.
            for match, other in node.dynamic:
                if match(segment) is not None:
                    if child is not None:
                        collect(child, segments, i + 1, found)
                    child = other
        if child is None:
            return
        node, i = child, i + 1
