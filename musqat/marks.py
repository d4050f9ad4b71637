"""Marks on a scorecard's findings that other apps supply.

Beside an indicator, a scorecard shows what is being done about it: the municipality's
planned actions (the scorecard's own app knows them) and the grants awarded to work on it
(the grants app's, which the scorecard may not import). An app registers a function that
gives, for a municipality and a cycle, {indicator id: [Mark]}; the scorecard asks every
registered function, so it knows of grants without depending on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    """Something done about a finding: what to call it and where to read it."""

    label: str
    url: str


Provider = Callable[[object, object], dict[int, list[Mark]]]
_providers: list[Provider] = []


def provides_marks(function: Provider) -> Provider:
    """Register `function(municipality, cycle)` as a source of marks (idempotent)."""
    if function not in _providers:
        _providers.append(function)
    return function


def marks_for(municipality, cycle) -> dict[int, list[Mark]]:
    """Every registered source's marks on the municipality's findings of the cycle."""
    marks: dict[int, list[Mark]] = defaultdict(list)
    for provider in _providers:
        for indicator_id, found in provider(municipality, cycle).items():
            marks[indicator_id].extend(found)
    return dict(marks)
