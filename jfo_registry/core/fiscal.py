"""Government of Canada fiscal-year arithmetic (1 April to 31 March, named "2010-2011").

The one place that knows how a date maps to a fiscal year: reports, filters and the seed all
call this module. How an assignment's FTE turns into FTE-years is `jfo_registry.core.periods`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

FIRST_MONTH = 4  # April
_LABEL = re.compile(r"^\s*(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?\s*$")


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A fiscal year, identified by the calendar year in which it starts."""

    start_year: int

    def __post_init__(self) -> None:
        if not 1900 <= self.start_year <= 2999:
            raise ValueError(_("Fiscal year out of range: %(year)s.") % {"year": self.start_year})

    def __str__(self) -> str:
        return self.label

    @classmethod
    def of(cls, day: datetime.date) -> FiscalYear:
        """The fiscal year that contains `day`."""
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def parse(cls, value: str | int | FiscalYear) -> FiscalYear:
        """Accept `2010-2011`, `2010-11`, `2010` or 2010; refuse anything else with ValueError."""
        if isinstance(value, FiscalYear):
            return value
        if isinstance(value, int):
            return cls(value)
        match = _LABEL.match(str(value))
        if not match:
            raise ValueError(
                _("“%(value)s” is not a fiscal year; use the form 2010-2011 or 2010.") % {"value": value}
            )
        start = int(match.group(1))
        end = match.group(2)
        if end is not None:
            expected = str(start + 1)
            if end not in (expected, expected[-2:]):
                raise ValueError(
                    _("“%(value)s” is not a fiscal year: the second year must follow the first.")
                    % {"value": value}
                )
        return cls(start)

    @classmethod
    def current(cls) -> FiscalYear:
        return cls.of(timezone.localdate())

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, FIRST_MONTH, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, FIRST_MONTH, 1) - datetime.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def next(self) -> FiscalYear:
        return FiscalYear(self.start_year + 1)

    def previous(self) -> FiscalYear:
        return FiscalYear(self.start_year - 1)


def add_days(day: datetime.date, days: int) -> datetime.date:
    """`day` plus `days`, held within the calendar Python can represent."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min
