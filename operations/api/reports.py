"""Report endpoints over `operations.selectors`: resources, tenure and allocation."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from jfo_registry.core.shapes import csv_columns, csv_values, serializer_for
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.reports_api import (
    ERRORS, FORMAT_PARAMETER, ReportQuery, ReportView, as_of_parameter, fiscal_year_parameter, on_parameter,
    region_parameter,
)

from .. import selectors
from ..choices import JfoType


def current_fiscal_year() -> int:
    """The current fiscal year's start year (an int: 2010 for 2010-2011), by today's date."""
    return FiscalYear.current().start_year


class ResourcesQuery(ReportQuery):
    """The resources report's parameters (API and page)."""

    fiscal_year = fiscal_year_parameter()
    group_by = serializers.ChoiceField(choices=selectors.GROUP_BY_CHOICES, default="region")
    region = region_parameter()
    jfo_type = serializers.MultipleChoiceField(choices=JfoType.choices, required=False)
    program = serializers.CharField(required=False, help_text=_("Program code(s), comma-separated."))
    as_of = as_of_parameter()


#: The schema of the resources report, derived from its shape (`selectors.ResourcesReport`).
ResourcesReport = serializer_for(selectors.ResourcesReport)
RESOURCES_COLUMNS = csv_columns(selectors.ResourcesRow)


class ResourcesReportView(ReportView):
    """FTE-years, JFO count and salaries for a fiscal year (Exhibits 11 and 12 of the evaluation)."""

    query_serializer = ResourcesQuery
    report_name = "resources"

    @extend_schema(
        parameters=[ResourcesQuery, FORMAT_PARAMETER],
        responses={200: ResourcesReport, **ERRORS},
        summary="Resources report: FTE and cost by group",
    )
    def get(self, request):
        """200: the report (`ResourcesReport`); 400: a refused parameter or a year that cannot be costed."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict) -> selectors.ResourcesReport:
        """`selectors.resources_report` for validated `params` (default year: the current one).
        Raises ReportError when the year cannot be costed."""
        return selectors.resources_report(
            params.get("fiscal_year") or current_fiscal_year(),
            params.get("group_by", "region"),
            region=params.get("region"),
            jfo_type=sorted(params.get("jfo_type") or []),
            program=params.get("program"),
            as_of=params.get("as_of"),
        )

    def csv_filename(self, data) -> str:
        """The CSV file name for `data` (the report as sent): `resources-{fiscal_year}-by-{group_by}.csv`."""
        return f"resources-{data['fiscal_year']}-by-{data['group_by']}.csv"

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (`group` and the shape's columns), a row
        per group (and its programs), the subtotal, the benefits and the total."""
        yield ["group", *RESOURCES_COLUMNS]
        for row in data["rows"]:
            yield [data["group_by"], *csv_values(RESOURCES_COLUMNS, row)]
            for child in row.get("children", []):
                yield ["program", *csv_values(RESOURCES_COLUMNS, child)]
        subtotal = data["subtotal"]
        yield ["subtotal", *csv_values(RESOURCES_COLUMNS, subtotal)]
        benefits = data["employee_benefits"]
        yield ["employee_benefits", "", f"rate {benefits['rate']}", "", "", benefits["amount"]]
        yield ["total", "", "", "", "", data["total"]]


class TenureQuery(ReportQuery):
    """The tenure report's parameters (API and page)."""

    on = on_parameter()
    threshold_years = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("60"), default=Decimal(5),
        help_text=_("Assignments longer than this many years are listed."),
    )
    region = region_parameter()
    as_of = as_of_parameter()


#: The schema of the tenure report and its CSV columns, derived from its shape.
TenureReport = serializer_for(selectors.TenureReport)
TENURE_COLUMNS = csv_columns(selectors.TenureRow)


class TenureReportView(ReportView):
    """Years on the current JFO unit per officer and on average; assignments past a threshold."""

    query_serializer = TenureQuery
    report_name = "tenure"

    @extend_schema(
        parameters=[TenureQuery, FORMAT_PARAMETER], responses={200: TenureReport, **ERRORS}, summary="Tenure report"
    )
    def get(self, request):
        """200: the report (`TenureReport`); 400: a refused parameter."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict):
        """`selectors.tenure_report` for validated `params` (default day: today)."""
        return selectors.tenure_report(
            params.get("on"), threshold_years=params.get("threshold_years", Decimal(5)), region=params.get("region"),
            as_of=params.get("as_of"),
        )

    def csv_filename(self, data) -> str:
        """The CSV file name for `data` (the report as sent): `tenure-{on}.csv`."""
        return f"tenure-{data['on']}.csv"

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (the shape's columns and
        `over_<threshold>_years`), a row per officer, then the averages by position, by region
        and overall."""
        threshold = Decimal(str(data["threshold_years"]))
        yield [*TENURE_COLUMNS, f"over_{threshold}_years"]
        for row in data["rows"]:
            yield [*csv_values(TENURE_COLUMNS, row), "yes" if row["years"] > threshold else "no"]
        for average in data["by_position"]:
            yield ["average_by_position", "", average["key"], "", "", "", average["average_years"], ""]
        for average in data["by_region"]:
            yield ["average_by_region", "", "", average["key"], "", "", average["average_years"], ""]
        yield ["average", "", "", "", "", "", data["average"]["average_years"], ""]


class AllocationQuery(ReportQuery):
    """The allocation report's parameters (API and page)."""

    fiscal_year = fiscal_year_parameter()
    under_threshold = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("1"), default=Decimal("1.00"),
        help_text=_("Officers with fewer FTE-years than this in the year are under-allocated."),
    )
    region = region_parameter(_("Home region code(s), comma-separated."))
    as_of = as_of_parameter()


#: The schema of the allocation report and its CSV columns, derived from its shape.
AllocationReport = serializer_for(selectors.AllocationReport)
ALLOCATION_COLUMNS = csv_columns(selectors.AllocationRow)


class AllocationReportView(ReportView):
    """Officers above 1.00 FTE on any day of the year, and officers under-allocated."""

    query_serializer = AllocationQuery
    report_name = "allocation"

    @extend_schema(
        parameters=[AllocationQuery, FORMAT_PARAMETER],
        responses={200: AllocationReport, **ERRORS},
        summary="Allocation report",
    )
    def get(self, request):
        """200: the report (`AllocationReport`); 400: a refused parameter."""
        return self.respond(request)

    @classmethod
    def report(cls, params: dict):
        """`selectors.allocation_report` for validated `params` (default year: the current one)."""
        return selectors.allocation_report(
            params.get("fiscal_year") or current_fiscal_year(), under_threshold=params.get("under_threshold", Decimal(1)),
            region=params.get("region"), as_of=params.get("as_of"),
        )

    def csv_filename(self, data) -> str:
        """The CSV file name for `data` (the report as sent): `allocation-{fiscal_year}.csv`."""
        return f"allocation-{data['fiscal_year']}.csv"

    def csv_rows(self, data):
        """Args: the report as sent. Yields: the header (`state` and the shape's columns), then a
        row per officer over, then under."""
        yield ["state", *ALLOCATION_COLUMNS]
        for state in ("over_allocated", "under_allocated"):
            for row in data[state]:
                yield [state, *csv_values(ALLOCATION_COLUMNS, row)]
