"""What every report shares, whichever app computes it: the error a report raises when the
registry's data cannot produce it, and the one query form of the report pages."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .fiscal import FiscalYear


class ReportError(ValueError):
    """A report cannot be computed from the registry's data (e.g. a missing salary rate).

    `message` is the translated sentence shown to the user; `details` (keyword arguments) are
    added to the API's 400 body next to `detail`."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class ReportQueryForm(forms.Form):
    """The report pages' parameters: `fiscal_year` (a start year, e.g. 2010 for 2010-2011),
    `group_by` and `on` (a day); only the fields named in `fields` are kept.

    `first_day` is the earliest day with data: the year choices run from the next fiscal year
    back to the one holding it (to the current year when None). `group_by_choices` are the
    `(value, label)` pairs of `group_by`."""

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)
    group_by = forms.ChoiceField(label=_("Group by"), required=False)
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, fields=("fiscal_year",), first_day: datetime.date | None = None,
                 group_by_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        current = FiscalYear.current()
        start = FiscalYear.of(first_day).start_year if first_day else current.start_year
        if "fiscal_year" in self.fields:
            self.fields["fiscal_year"].choices = [
                (year, FiscalYear(year).label) for year in range(current.start_year + 1, start - 1, -1)
            ]
            self.fields["fiscal_year"].initial = current.start_year
        if "group_by" in self.fields:
            self.fields["group_by"].choices = list(group_by_choices)
            self.fields["group_by"].initial = "region"

    def selected_year(self) -> FiscalYear:
        """The chosen fiscal year; the current one when none is chosen or the form is unchecked."""
        value = self.cleaned_data.get("fiscal_year") if hasattr(self, "cleaned_data") else None
        return FiscalYear(value) if value else FiscalYear.current()
