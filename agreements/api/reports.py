"""Report endpoints over `agreements.selectors`: coverage, conditions, expiring, gaps."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from jfo_registry.core.shapes import csv_columns, csv_values, serializer_for
from jfo_registry.core.reports_api import (
    ERRORS, FORMAT_PARAMETER, ReportQuery, ReportView, as_of_parameter, fiscal_year_parameter, on_parameter,
    region_parameter,
)

from .. import report_shapes, selectors
from ..choices import ArrangementStatus


class CoverageQuery(ReportQuery):
    """The coverage report's parameters (API and page)."""

    fiscal_year = fiscal_year_parameter(_("Covered at some time in this fiscal year."))
    on = on_parameter(_("Covered on this date (default: today)."))
    region = region_parameter()
    as_of = as_of_parameter()


#: The schema of the coverage report and its CSV columns, derived from its shape.
CoverageReport = serializer_for(report_shapes.CoverageReport)
COVERAGE_COLUMNS = csv_columns(report_shapes.CoverageGroup)


class CoverageReportView(ReportView):
    """JFO units with and without an arrangement in force (Exhibit 5), by region and type."""

    query_serializer = CoverageQuery
    report_name = "coverage"

    @extend_schema(parameters=[CoverageQuery, FORMAT_PARAMETER], responses={200: CoverageReport, **ERRORS},
                   summary="Coverage report")
    def get(self, request):
        """200: the report (`CoverageReport`); 400: a refused parameter."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict):
        """`selectors.coverage_report` for validated `params` (a fiscal year, else a day: today)."""
        return selectors.coverage_report(
            fiscal_year=params.get("fiscal_year"), on=params.get("on"), region=params.get("region"),
            as_of=params.get("as_of"),
        )

    def csv_filename(self, data) -> str:
        """The CSV file name for `data` (the report as sent): `coverage-{fiscal_year, else the period's start}.csv`."""
        return f"coverage-{data['fiscal_year'] or data['period']['start']}.csv"

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (`group` and the shape's columns), a row
        per region and type, the total, then a row per unit not covered."""
        yield ["group", *COVERAGE_COLUMNS]
        for group in ("by_region", "by_type"):
            for row in data[group]:
                yield [group.removeprefix("by_"), *csv_values(COVERAGE_COLUMNS, row)]
        yield ["total", "", "", data["units"], data["covered"], data["not_covered"]]
        for unit in data["uncovered_units"]:
            yield ["uncovered_unit", unit["acronym"], unit["name"], unit["region"], "", ""]


class ConditionsQuery(ReportQuery):
    """The conditions report's parameters (API and page)."""

    status = serializers.MultipleChoiceField(
        choices=ArrangementStatus.choices, required=False,
        help_text=_("Arrangements of these statuses (default: all but superseded and terminated)."),
    )
    as_of = as_of_parameter()


#: The schema of the conditions report and its CSV columns, derived from its shape.
ConditionsReport = serializer_for(report_shapes.ConditionsReport)
CONDITION_COLUMNS = csv_columns(report_shapes.ConditionRow)


class ConditionsReportView(ReportView):
    """The Exhibit 6 matrix: arrangements × the seven information-sharing conditions."""

    query_serializer = ConditionsQuery
    report_name = "conditions"

    @extend_schema(parameters=[ConditionsQuery, FORMAT_PARAMETER], responses={200: ConditionsReport, **ERRORS},
                   summary="Conditions report")
    def get(self, request):
        """200: the report (`ConditionsReport`); 400: a refused parameter."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict):
        """`selectors.conditions_report` for validated `params` (default statuses: all but superseded, terminated)."""
        return selectors.conditions_report(
            status=",".join(sorted(params.get("status") or [])) or None, as_of=params.get("as_of"),
        )

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (the shape's columns, `conditions` as one
        column per letter), a row per arrangement, then "addressed in N of M" per condition."""
        letters = [c["letter"] for c in data["conditions"]]
        yield [*_spread(CONDITION_COLUMNS, {"conditions": letters})]
        for row in data["arrangements"]:
            yield [*_spread(CONDITION_COLUMNS, {"conditions": [row["conditions"][letter] for letter in letters]}, row)]
        for count in data["per_condition"]:
            yield ["addressed_in", count["letter"], f"{count['addressed']} of {count['assessed']}", *([""] * len(letters)), ""]


class ExpiringQuery(ReportQuery):
    """The expiring report's parameters (API and page)."""

    days = serializers.IntegerField(min_value=0, max_value=3650, default=90, help_text=_("The horizon, in days."))
    on = on_parameter()
    region = region_parameter()
    as_of = as_of_parameter()


#: The schema of the expiring report and its CSV columns, derived from its shape.
ExpiringReport = serializer_for(report_shapes.ExpiringReport)
EXPIRING_COLUMNS = csv_columns(report_shapes.ExpiringRow)


class ExpiringReportView(ReportView):
    """Arrangements in force that expire, or are due for review, within N days (default 90)."""

    query_serializer = ExpiringQuery
    report_name = "expiring"

    @extend_schema(parameters=[ExpiringQuery, FORMAT_PARAMETER], responses={200: ExpiringReport, **ERRORS},
                   summary="Expiring arrangements")
    def get(self, request):
        """200: the report (`ExpiringReport`); 400: a refused parameter."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict):
        """`selectors.expiring_report` for validated `params` (default: 90 days from today)."""
        return selectors.expiring_report(
            days=params.get("days", 90), on=params.get("on"), region=params.get("region"), as_of=params.get("as_of"),
        )

    def csv_filename(self, data) -> str:
        """The CSV file name for `data` (the report as sent): `expiring-{on}-{days}-days.csv`."""
        return f"expiring-{data['on']}-{data['days']}-days.csv"

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (the shape's columns), a row per arrangement."""
        yield list(EXPIRING_COLUMNS)
        for row in data["arrangements"]:
            yield csv_values(EXPIRING_COLUMNS, row)


class GapsQuery(ReportQuery):
    """The gaps plan's parameters (API and page)."""

    on = on_parameter()
    region = region_parameter()
    as_of = as_of_parameter()


#: The schema of the gaps plan and its actions' CSV columns, derived from its shape.
GapsReport = serializer_for(report_shapes.GapsReport)
GAP_ACTION_COLUMNS = csv_columns(report_shapes.GapActionRow)


class GapsReportView(ReportView):
    """Recommendation 2's plan: every gap with its actions, owners, due dates and statuses."""

    query_serializer = GapsQuery
    report_name = "gaps"

    @extend_schema(parameters=[GapsQuery, FORMAT_PARAMETER], responses={200: GapsReport, **ERRORS},
                   summary="Gaps plan")
    def get(self, request):
        """200: the report (`GapsReport`); 400: a refused parameter."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict):
        """`selectors.gaps_report` for validated `params` (default day: today)."""
        return selectors.gaps_report(on=params.get("on"), region=params.get("region"), as_of=params.get("as_of"))

    def csv_filename(self, data) -> str:
        """The CSV file name for `data` (the report as sent): `gaps-{on}.csv`."""
        return f"gaps-{data['on']}.csv"

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (`gap`, `subject`, `region` and the
        action shape's columns), a row per action (or "(no action planned)") of each gap."""
        yield ["gap", "subject", "region", *GAP_ACTION_COLUMNS]
        for unit in data["units"]:
            for a in unit["actions"] or [None]:
                yield ["no_arrangement", unit["acronym"], unit["region"], *(_action(a))]
        for arrangement in data["arrangements"]:
            for a in arrangement["actions"] or [None]:
                yield ["conditions", arrangement["reference"], "", *(_action(a))]


def _action(action) -> list:
    if action is None:
        return ["(no action planned)", *[""] * (len(GAP_ACTION_COLUMNS) - 1)]
    return csv_values(GAP_ACTION_COLUMNS, action)


def _spread(columns, spread: dict, row=None) -> list:
    """`columns`' cells, each column named in `spread` replaced by its list of cells; with
    `row`, the row's values (else the column names)."""
    cells = []
    for column in columns:
        if column in spread:
            cells.extend(spread[column])
        else:
            cells.append(column if row is None else csv_values((column,), row)[0])
    return cells
