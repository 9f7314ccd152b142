"""Parse ``path()`` routes with converter arguments: ``articles/<int(min=1):pk>/``."""

from __future__ import annotations

import difflib
import inspect
import re
import string
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls.converters import REGISTERED_CONVERTERS

from .converters import BUILTIN_CONVERTERS

# The same spans as Django's own component regex: "<" then anything but ">" then ">".
_COMPONENT = re.compile(r"<([^>]+)>")
_WITH_ARGUMENTS = re.compile(
    r"(?P<converter>[^():]+)\((?P<arguments>[^()]*)\):(?P<parameter>[^()]*)", re.DOTALL
)
_KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=\s*(.*)", re.DOTALL)
_INTEGER = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]*")
_BARE_WORD = re.compile(r"[\w.-]+")
_CONSTANTS: dict[str, Any] = {"True": True, "False": False, "None": None}
_WHITESPACE = frozenset(string.whitespace)


@dataclass(frozen=True, slots=True)
class Param:
    """A ``<converter:name>`` component: ``spec`` is the converter as written, normalized."""

    name: str
    converter: Any
    spec: str


Token = str | Param


def parse(route: str) -> tuple[Token, ...]:
    """Split ``route`` into literal text and parameters, checking every converter now."""
    tokens: list[Token] = []
    names: set[str] = set()
    end = 0
    for component in _COMPONENT.finditer(route):
        if component.start() > end:
            tokens.append(route[end : component.start()])
        end = component.end()
        param = _parse_component(route, component[1])
        if param.name in names:
            raise ImproperlyConfigured(
                f"URL route {route!r} uses the parameter name {param.name!r} twice. "
                "Rename one of them: each becomes a keyword argument of the view."
            )
        names.add(param.name)
        tokens.append(param)
    if end < len(route):
        tokens.append(route[end:])
    return tuple(tokens)


def to_regex(tokens: tuple[Token, ...], is_endpoint: bool) -> tuple[str, dict[str, Any]]:
    """The regex and converters Django's ``RoutePattern`` would have built for ``tokens``."""
    parts = ["^"]
    converters = {}
    for token in tokens:
        if isinstance(token, str):
            parts.append(re.escape(token))
        else:
            parts.append(f"(?P<{token.name}>{token.converter.regex})")
            converters[token.name] = token.converter
    if is_endpoint:
        parts.append(r"\Z")
    return "".join(parts), converters


def _parse_component(route: str, text: str) -> Param:
    with_arguments = _WITH_ARGUMENTS.fullmatch(text)
    if with_arguments:
        name, parameter = with_arguments["converter"], with_arguments["parameter"]
        args, kwargs = _split_arguments(route, text, with_arguments["arguments"])
        if not _WHITESPACE.isdisjoint(name + parameter):
            raise ImproperlyConfigured(
                f"URL route {route!r} cannot contain whitespace in angle brackets <…> "
                "outside the converter's parentheses."
            )
    elif "(" in text or ")" in text:
        raise ImproperlyConfigured(
            f"URL route {route!r} has a component <{text}> that is not "
            "<converter(arguments):name>. Write for example <int(min=1):pk>."
        )
    else:
        if not _WHITESPACE.isdisjoint(text):
            raise ImproperlyConfigured(
                f"URL route {route!r} cannot contain whitespace in angle brackets <…>."
            )
        if ":" in text:
            name, _, parameter = text.partition(":")
        else:
            name, parameter = "str", text
        args, kwargs = (), {}
    if not parameter.isidentifier():
        raise ImproperlyConfigured(
            f"URL route {route!r} uses parameter name {parameter!r} which isn't a valid "
            "Python identifier."
        )
    converter = make_converter(route, text, name, parameter, args, kwargs)
    return Param(parameter, converter, _spec(name, args, kwargs) if with_arguments else name)


def make_converter(
    route: str,
    component: str,
    name: str,
    parameter: str,
    written_args: tuple[str, ...],
    written_kwargs: dict[str, str],
) -> Any:
    """The converter named ``name``: one registered with Django first, then routing's own."""
    registered = REGISTERED_CONVERTERS.get(name)
    if registered is not None and not written_args and not written_kwargs:
        return registered  # the very instance Django's path() would use
    factory: Any = type(registered) if registered is not None else BUILTIN_CONVERTERS.get(name)
    if factory is None:
        known = sorted({*BUILTIN_CONVERTERS, *REGISTERED_CONVERTERS})
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ImproperlyConfigured(
            f"URL route {route!r} uses unknown converter {name!r}.{hint} Use one of "
            f"{', '.join(sorted(BUILTIN_CONVERTERS))}, or register it with "
            "django.urls.register_converter()."
        )
    # ``any(1, 2)`` means the texts "1" and "2": such converters take their words as written.
    args: tuple[Any, ...]
    if getattr(factory, "text_arguments", False):
        args = tuple(_unquote(arg) for arg in written_args)
    else:
        args = tuple(_value(route, component, arg) for arg in written_args)
    kwargs: dict[str, Any] = {
        key: _value(route, component, value) for key, value in written_kwargs.items()
    }
    problem = _binding_problem(name, factory, args, kwargs)
    if problem is None:
        try:
            return factory(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            problem = str(exc)
    usage = getattr(factory, "usage", None) or f"{name}{_signature(factory)}"
    raise ImproperlyConfigured(
        f"URL route {route!r} has invalid converter arguments in <{component}>: {problem}. "
        f"Usage: <{usage}:{parameter}>."
    )


def _binding_problem(
    name: str, factory: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> str | None:
    """Python's own TypeError counts ``self``; say what the route author needs instead."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        pass
    else:
        return None
    accepted = [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
    positional = any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        for p in signature.parameters.values()
    )
    if not signature.parameters:
        return f"{name} takes no arguments"
    if args and not positional:
        return f"{name} takes keyword arguments only ({', '.join(accepted)})"
    unknown = [key for key in kwargs if key not in signature.parameters]
    if unknown:
        return f"{name} has no argument {unknown[0]!r} (it takes {', '.join(accepted) or 'none'})"
    return None


def _signature(factory: Any) -> str:
    try:
        return str(inspect.signature(factory))
    except (TypeError, ValueError):
        return "()"


def _split_arguments(
    route: str, component: str, text: str
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The arguments as written: positional ones, then keyword ones."""
    args: list[str] = []
    kwargs: dict[str, str] = {}
    for item in _split_items(route, component, text):
        keyword = _KEYWORD.fullmatch(item)
        if keyword:
            key = keyword[1]
            if key in kwargs:
                raise ImproperlyConfigured(
                    f"URL route {route!r} repeats the argument {key!r} in <{component}>."
                )
            kwargs[key] = keyword[2].strip()
        elif kwargs:
            raise ImproperlyConfigured(
                f"URL route {route!r} has a positional argument after a keyword argument "
                f"in <{component}>. Put positional arguments first."
            )
        else:
            args.append(item)
    return tuple(args), kwargs


def _split_items(route: str, component: str, text: str) -> list[str]:
    items, current, quote = [], "", ""
    for char in text:
        if quote:
            current += char
            quote = "" if char == quote else quote
        elif char in "'\"":
            current += char
            quote = char
        elif char == ",":
            items.append(current.strip())
            current = ""
        else:
            current += char
    if quote:
        raise ImproperlyConfigured(f"URL route {route!r} has an unclosed quote in <{component}>.")
    items.append(current.strip())
    if items and not items[-1]:
        items.pop()  # "any(a, b,)" and "int()"
    if any(not item for item in items):
        raise ImproperlyConfigured(f"URL route {route!r} has an empty argument in <{component}>.")
    return items


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _value(route: str, component: str, text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if _INTEGER.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _BARE_WORD.fullmatch(text):
        return text
    raise ImproperlyConfigured(
        f"URL route {route!r} has an argument {text!r} in <{component}> that is neither a "
        "number, True, False, None, a word nor a quoted text."
    )


def _spec(name: str, args: tuple[str, ...], kwargs: dict[str, str]) -> str:
    """The converter as written, with its arguments' spacing normalized."""
    if not args and not kwargs:
        return name
    return f"{name}({', '.join([*args, *(f'{k}={v}' for k, v in kwargs.items())])})"
