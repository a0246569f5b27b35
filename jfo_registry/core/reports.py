"""What every report shares, whichever app computes it: the error a report raises when the
registry's data cannot produce it, the report pages' query form and their base view.

A report's parameters are defined once, by its query serializer (`query_serializer` of its API
view, on `reports_api.ReportQuery`): the API and the page both validate with it, so they accept
the same inputs (`fiscal_year=2010-2011`, `2010` or `2010-11`) and refuse the same ones with the
same message. The form here only renders the parameters a page offers."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .fiscal import FiscalYear
from .views import RoleRequiredMixin


class ReportError(ValueError):
    """A report cannot be computed from the registry's data (e.g. a missing salary rate).

    `message` is the translated sentence shown to the user; `details` (keyword arguments) are
    added to the API's 400 body next to `detail`."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class ReportQueryForm(forms.Form):
    """A report page's parameters, validated by the report's own query serializer (`query`, the
    one its API uses) and rendered as form fields: `fiscal_year` (a select of years), `group_by`,
    `on` (a day), `days` (a number) and `as_of` (a date or date and time, as text: the API's
    `AsOfField` reads it); only the fields named in `fields` are shown.

    `first_day` is the earliest day with data: the year choices run from the next fiscal year
    back to the one holding it (to the current year when None). `group_by_choices` are the
    `(value, label)` pairs of `group_by`.

    `is_valid()` is the serializer's verdict on the whole query (every parameter the API takes,
    shown or not); `cleaned_data` is its validated data (defaults included, `fiscal_year` a
    start year, an int). A refused parameter's message goes to its field, or to the form's
    non-field errors when the page does not show that parameter. An unbound form (a page opened
    without parameters) validates the empty query: the report's defaults."""

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)
    group_by = forms.ChoiceField(label=_("Group by"), required=False)
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("Within (days)"), required=False, min_value=0, max_value=3650)
    as_of = forms.CharField(
        label=_("As of"), required=False,
        help_text=_("The registry as it stood at this date (its end) or date and time, e.g. 2011-03-31 or "
                    "2011-03-31T17:00; empty: as it is now."),
    )

    def __init__(self, data=None, *, query, fields=("fiscal_year",), first_day: datetime.date | None = None,
                 group_by_choices=(), **kwargs):
        self.query = query
        self.query_data = data if data is not None else QueryDict()
        super().__init__(_shown(data), **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        current = FiscalYear.current()
        start = FiscalYear.of(first_day).start_year if first_day else current.start_year
        if "fiscal_year" in self.fields:
            years = list(range(current.start_year + 1, start - 1, -1))
            chosen = _start_year(self.data.get("fiscal_year")) if self.is_bound else None
            if chosen is not None and chosen not in years:  # the API takes any year: so does the page
                years = sorted({*years, chosen}, reverse=True)
            self.fields["fiscal_year"].choices = [(year, FiscalYear(year).label) for year in years]
            self.fields["fiscal_year"].initial = current.start_year
        if "group_by" in self.fields:
            self.fields["group_by"].choices = list(group_by_choices)
            self.fields["group_by"].initial = "region"
        if "days" in self.fields:
            self.fields["days"].initial = 90

    def is_valid(self) -> bool:
        """True when the report's query serializer accepts the query (an unbound form: the empty
        query, always accepted)."""
        return not self.errors

    def full_clean(self) -> None:
        """Validate the whole query with the report's serializer; its messages become the form's
        errors (under the field shown for that parameter, else non-field)."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        serializer = self.query(data=self.query_data)
        if serializer.is_valid():
            self.cleaned_data = dict(serializer.validated_data)
            return
        for name, messages in serializer.errors.items():
            field = name if name in self.fields else None
            texts = [str(message) for message in (messages if isinstance(messages, list) else [messages])]
            if field is None and name not in ("non_field_errors", NON_FIELD_ERRORS):
                texts = [f"{name}: {text}" for text in texts]
            self.add_error(field, ValidationError(texts))

    @property
    def errors(self) -> ErrorDict:
        """The refusals of the query (bound or not: an unbound form validates the empty query)."""
        if self._errors is None:
            self.full_clean()
        return self._errors

    def selected_year(self) -> FiscalYear:
        """The chosen fiscal year; the current one when none is chosen or the query is refused."""
        value = self.cleaned_data.get("fiscal_year") if not self.errors else None
        return FiscalYear(value) if value else FiscalYear.current()


def _start_year(value) -> int | None:
    try:
        return FiscalYear.parse(value).start_year if value else None
    except ValueError:
        return None


def _shown(data):
    """The query as the form shows it: a fiscal year given as "2010-2011" selects 2010."""
    if data is None:
        return None
    shown = data.copy()
    year = _start_year(shown.get("fiscal_year"))
    if year is not None:
        shown["fiscal_year"] = str(year)
    return shown


class ReportPageView(RoleRequiredMixin, TemplateView):
    """Base of the report pages: the query validated by the report's API view
    (`report_view.query_serializer`), the report computed by the same call
    (`report_view.report(params)`), so a page and the API give the same figures.

    Context: `form` (a ReportQueryForm showing `query_fields`); when the query is accepted,
    `report` (the selector's shape) or `report_error` (a ReportError's message), and
    `csv_query` (the query string of the CSV download, `format=csv`). A refused query renders the
    page (status 200) with the form's errors and no report, as the pages always have."""

    report_view: type
    query_fields: tuple[str, ...] = ("fiscal_year",)

    def query_form_kwargs(self) -> dict:
        """Extra ReportQueryForm arguments (`first_day`, `group_by_choices`); none by default."""
        return {}

    def get_context_data(self, **kwargs):
        """The page's context (see the class); raises nothing for any query."""
        context = super().get_context_data(**kwargs)
        form = ReportQueryForm(
            self.request.GET or None, query=self.report_view.query_serializer, fields=self.query_fields,
            **self.query_form_kwargs(),
        )
        context["form"] = form
        if not form.is_valid():
            return context
        try:
            context["report"] = self.build(form.cleaned_data)
        except ReportError as error:
            context["report_error"] = error.message
        context["csv_query"] = self.csv_query()
        return context

    def build(self, params: dict):
        """The report for the validated `params`: `report_view.report(params)`."""
        return self.report_view.report(params)

    def csv_query(self) -> str:
        """The page's query string with `format=csv` (empty parameters left out)."""
        query = QueryDict(mutable=True)
        for key, value in self.request.GET.items():
            if value:
                query[key] = value
        query["format"] = "csv"
        return query.urlencode()
