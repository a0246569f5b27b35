"""Extension points: facts about JFO units that apps above `operations` contribute.

`operations` knows nothing of arrangements, yet its unit list, unit filter and unit page show
whether a written arrangement covers a unit. The app that holds arrangements registers a
provider here in its `AppConfig.ready`; without one no unit is covered and none lists any.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol

from django.db.models import BooleanField, Expression, Value


class UnitArrangements(Protocol):
    def covered_on(self, day: datetime.date) -> Expression:
        """A boolean expression for JointForceOperation querysets: covered on `day`."""

    def of_unit(self, unit, day: datetime.date) -> Iterable:
        """The arrangements covering `unit`, newest first, each with `is_in_force` (on `day`)."""


class _NoArrangements:
    def covered_on(self, day: datetime.date) -> Expression:
        return Value(False, output_field=BooleanField())

    def of_unit(self, unit, day: datetime.date) -> Iterable:
        return []


_provider: UnitArrangements = _NoArrangements()


def register_unit_arrangements(provider: UnitArrangements) -> None:
    """Make `provider` the source of the units' arrangement facts (the last registered wins)."""
    global _provider
    _provider = provider


def unit_arrangements() -> UnitArrangements:
    """The registered provider of the units' arrangement facts."""
    return _provider
