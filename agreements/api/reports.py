"""Report endpoints over `agreements.selectors`: coverage, conditions, expiring, gaps."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from jfo_registry.core.reports_api import (
    ERRORS, FORMAT_PARAMETER, Period, ReportQuery, ReportView, fiscal_year_parameter, on_parameter, region_parameter,
)

from .. import selectors
from ..choices import ArrangementStatus


class CoverageQuery(ReportQuery):
    """The coverage report's parameters (API and page); no `as_of` (refused)."""

    fiscal_year = fiscal_year_parameter(_("Covered at some time in this fiscal year."))
    on = on_parameter(_("Covered on this date (default: today)."))
    region = region_parameter()


class CoverageGroup(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    units = serializers.IntegerField()
    covered = serializers.IntegerField()
    not_covered = serializers.IntegerField()


class UncoveredUnit(serializers.Serializer):
    id = serializers.IntegerField()
    acronym = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    jfo_type = serializers.CharField()
    program = serializers.CharField(allow_null=True)


class CoverageReport(serializers.Serializer):
    report = serializers.CharField()
    fiscal_year = serializers.CharField(allow_null=True)
    period = Period()
    units = serializers.IntegerField()
    covered = serializers.IntegerField()
    not_covered = serializers.IntegerField()
    by_region = CoverageGroup(many=True)
    by_type = CoverageGroup(many=True)
    uncovered_units = UncoveredUnit(many=True)


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
        return selectors.coverage_report(fiscal_year=params.get("fiscal_year"), on=params.get("on"), region=params.get("region"))

    def csv_filename(self, data) -> str:
        return f"coverage-{data['fiscal_year'] or data['period']['start']}.csv"

    def csv_rows(self, data):
        yield ["group", "key", "label", "units", "covered", "not_covered"]
        for group in ("by_region", "by_type"):
            for row in data[group]:
                yield [group.removeprefix("by_"), row["key"], row["label"], row["units"], row["covered"], row["not_covered"]]
        yield ["total", "", "", data["units"], data["covered"], data["not_covered"]]
        for unit in data["uncovered_units"]:
            yield ["uncovered_unit", unit["acronym"], unit["name"], unit["region"], "", ""]


class ConditionsQuery(ReportQuery):
    """The conditions report's parameters (API and page); no `as_of` (refused)."""

    status = serializers.MultipleChoiceField(
        choices=ArrangementStatus.choices, required=False,
        help_text=_("Arrangements of these statuses (default: all but superseded and terminated)."),
    )


class ConditionRow(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    conditions = serializers.DictField(child=serializers.CharField(), help_text="Letter → coverage status.")
    addressed = serializers.IntegerField()
    assessed = serializers.IntegerField()


class ConditionCount(serializers.Serializer):
    letter = serializers.CharField()
    text = serializers.CharField()
    addressed = serializers.IntegerField()
    partly_addressed = serializers.IntegerField()
    not_addressed = serializers.IntegerField()
    not_assessed = serializers.IntegerField()
    assessed = serializers.IntegerField()


class ConditionText(serializers.Serializer):
    letter = serializers.CharField()
    text = serializers.CharField()


class ConditionsReport(serializers.Serializer):
    report = serializers.CharField()
    conditions = ConditionText(many=True)
    arrangements = ConditionRow(many=True)
    per_condition = ConditionCount(many=True)
    arrangement_count = serializers.IntegerField()
    addressing_all = serializers.ListField(child=serializers.CharField())
    addressing_none = serializers.ListField(child=serializers.CharField())
    not_assessed = serializers.ListField(child=serializers.CharField())


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
        return selectors.conditions_report(status=",".join(sorted(params.get("status") or [])) or None)

    def csv_rows(self, data):
        letters = [c["letter"] for c in data["conditions"]]
        yield ["reference", "title", "status", *letters, "addressed"]
        for row in data["arrangements"]:
            yield [row["reference"], row["title"], row["status"], *(row["conditions"][l] for l in letters), row["addressed"]]
        for count in data["per_condition"]:
            yield ["addressed_in", count["letter"], f"{count['addressed']} of {count['assessed']}", *([""] * len(letters)), ""]


class ExpiringQuery(ReportQuery):
    """The expiring report's parameters (API and page); no `as_of` (refused)."""

    days = serializers.IntegerField(min_value=0, max_value=3650, default=90, help_text=_("The horizon, in days."))
    on = on_parameter()
    region = region_parameter()


class ExpiringRow(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    expiry_date = serializers.DateField(allow_null=True)
    review_date = serializers.DateField(allow_null=True)
    days_to_expiry = serializers.IntegerField(allow_null=True)
    review_overdue = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=["expiry", "review"]))
    regions = serializers.ListField(child=serializers.CharField())


class ExpiringReport(serializers.Serializer):
    report = serializers.CharField()
    on = serializers.DateField()
    days = serializers.IntegerField()
    arrangements = ExpiringRow(many=True)


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
        return selectors.expiring_report(days=params.get("days", 90), on=params.get("on"), region=params.get("region"))

    def csv_filename(self, data) -> str:
        return f"expiring-{data['on']}-{data['days']}-days.csv"

    def csv_rows(self, data):
        yield ["reference", "title", "expiry_date", "review_date", "days_to_expiry", "review_overdue", "regions"]
        for row in data["arrangements"]:
            yield [row["reference"], row["title"], row["expiry_date"] or "", row["review_date"] or "",
                   "" if row["days_to_expiry"] is None else row["days_to_expiry"], row["review_overdue"],
                   " ".join(row["regions"])]


class GapsQuery(ReportQuery):
    """The gaps plan's parameters (API and page); no `as_of` (refused)."""

    on = on_parameter()
    region = region_parameter()


class GapActionRow(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    owner = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    overdue = serializers.BooleanField()


class UnitGap(serializers.Serializer):
    id = serializers.IntegerField()
    acronym = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    gap = serializers.CharField()
    actions = GapActionRow(many=True)


class ArrangementGap(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    gap = serializers.CharField()
    addressed = serializers.IntegerField()
    of = serializers.IntegerField()
    actions = GapActionRow(many=True)


class GapsReport(serializers.Serializer):
    report = serializers.CharField()
    on = serializers.DateField()
    units = UnitGap(many=True)
    arrangements = ArrangementGap(many=True)


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
        return selectors.gaps_report(on=params.get("on"), region=params.get("region"))

    def csv_filename(self, data) -> str:
        return f"gaps-{data['on']}.csv"

    def csv_rows(self, data):
        yield ["gap", "subject", "region", "action", "owner", "due_date", "status", "overdue"]
        for unit in data["units"]:
            for a in unit["actions"] or [None]:
                yield ["no_arrangement", unit["acronym"], unit["region"], *(_action(a))]
        for arrangement in data["arrangements"]:
            for a in arrangement["actions"] or [None]:
                yield ["conditions", arrangement["reference"], "", *(_action(a))]


def _action(action) -> list:
    if action is None:
        return ["(no action planned)", "", "", "", ""]
    return [action["action"], action["owner"], action["due_date"], action["status"], action["overdue"]]
