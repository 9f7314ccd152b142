"""Which audiences a batch of changes concerns, with which changes: their own objects', and
as "related" those of objects whose related rows changed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..dependencies import Dependency
from .audience import Audience, Change

logger = logging.getLogger("django_realtime")


def relevant(
    by_label: Mapping[str, list[Change]],
    details: Mapping[str, Mapping[Any, set[Any]]],
    lists: Mapping[str, set[Any]],
    dependents: Mapping[str, set[tuple[Audience, Dependency]]],
    failed: Callable[[Audience], None],
) -> dict[Audience, list[Change]]:
    """Each concerned audience and its changes in log order. A list audience shares the
    label's list of changes (no copy per audience); finding related objects costs one query
    per audience and relation; an audience whose query fails goes to ``failed``."""
    found: dict[Audience, list[Change]] = {}

    def add(audience: Audience, changes: list[Change]) -> None:
        have = found.get(audience)
        if have is None:
            found[audience] = changes
        else:  # from two labels: merged into a new list, in log order
            found[audience] = sorted(have + changes, key=lambda change: change.seq)

    for label, changes in by_label.items():
        objects = details.get(label, {})
        mine: dict[Audience, list[Change]] = {}
        for change in changes:
            for detail in objects.get(change.pk, ()):
                mine.setdefault(detail, []).append(change)
        for detail, its_changes in mine.items():
            add(detail, its_changes)
        for listing in lists.get(label, ()):
            add(listing, changes)
        for audience, dependency in dependents.get(label, ()):
            last = {change.pk: change for change in changes}
            try:
                pks = audience.dependents(dependency, list(last))
            except Exception:
                logger.exception(
                    "Finding what %s depends on through %r failed; its subscribers are told "
                    "to resume",
                    audience.target.full_path,
                    dependency.path,
                )
                failed(audience)
                continue
            if pks:
                # The related row's last change stands for them: its position and time.
                newest = max(last.values(), key=lambda change: change.seq)
                add(audience, [Change(newest.seq, pk, "related", newest.received) for pk in pks])
    return found
