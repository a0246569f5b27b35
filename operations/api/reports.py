"""Report endpoints over `operations.selectors`: resources, tenure and allocation."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from jfo_registry.core.shapes import csv_columns, csv_values, serializer_for
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.reports_api import (
    ERRORS, FORMAT_PARAMETER, Period, ReportQuery, ReportView, as_of_parameter, fiscal_year_parameter, on_parameter,
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
        return f"resources-{data['fiscal_year']}-by-{data['group_by']}.csv"

    def csv_rows(self, data):
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


class TenureRow(serializers.Serializer):
    employee_number = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()
    region = serializers.CharField()
    jfos = serializers.ListField(child=serializers.CharField())
    since = serializers.DateField()
    years = serializers.FloatField()


class TenureAverage(serializers.Serializer):
    key = serializers.CharField(required=False)
    officers = serializers.IntegerField()
    average_years = serializers.FloatField()


class LongAssignment(serializers.Serializer):
    id = serializers.IntegerField()
    officer_id = serializers.IntegerField()
    jfo_id = serializers.IntegerField()
    employee_number = serializers.CharField()
    name = serializers.CharField()
    jfo = serializers.CharField()
    region = serializers.CharField()
    fte = serializers.FloatField()
    start_date = serializers.DateField()
    years = serializers.FloatField()


class TenureReport(serializers.Serializer):
    report = serializers.CharField()
    on = serializers.DateField()
    threshold_years = serializers.FloatField()
    as_of = serializers.DateTimeField(allow_null=True)
    rows = TenureRow(many=True)
    average = TenureAverage()
    by_position = TenureAverage(many=True)
    by_region = TenureAverage(many=True)
    long_assignments = LongAssignment(many=True)
    long_assignment_count = serializers.IntegerField()


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
        return f"tenure-{data['on']}.csv"

    def csv_rows(self, data):
        threshold = Decimal(str(data["threshold_years"]))
        yield ["employee_number", "name", "position", "region", "jfos", "since", "years", f"over_{threshold}_years"]
        for row in data["rows"]:
            yield [
                row["employee_number"], row["name"], row["position"], row["region"], " ".join(row["jfos"]),
                row["since"], row["years"], "yes" if row["years"] > threshold else "no",
            ]
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


class AllocationRow(serializers.Serializer):
    id = serializers.IntegerField(help_text="The officer's id.")
    employee_number = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()
    region = serializers.CharField()
    peak_fte = serializers.FloatField()
    fte_years = serializers.FloatField()


class AllocationReport(serializers.Serializer):
    report = serializers.CharField()
    fiscal_year = serializers.CharField()
    period = Period()
    under_threshold = serializers.FloatField()
    as_of = serializers.DateTimeField(allow_null=True)
    over_allocated = AllocationRow(many=True)
    under_allocated = AllocationRow(many=True)
    over_allocated_count = serializers.IntegerField()
    under_allocated_count = serializers.IntegerField()
    officers = serializers.IntegerField()


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
        return f"allocation-{data['fiscal_year']}.csv"

    def csv_rows(self, data):
        yield ["state", "employee_number", "name", "position", "region", "peak_fte", "fte_years"]
        for state in ("over_allocated", "under_allocated"):
            for row in data[state]:
                yield [state, row["employee_number"], row["name"], row["position"], row["region"], row["peak_fte"], row["fte_years"]]
