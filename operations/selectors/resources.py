"""The resources report (Exhibits 11 and 12): FTE-years, JFO units and salaries by group, and
its typed shape (from which the API schema and the CSV columns are derived)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jfo_registry.core.shapes import Period, Shape, public
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.reports import ReportError
from jfo_registry.core.routers import reports_read_from_replica

from ..attributes import split_by_periods
from ..choices import Classification, JfoType, Position
from jfo_registry.core.history import records_as_of

from ..models import Agency, ClosedYearCorrection, FiscalYearClosure, Program, Region
from .assignments import assignments_in_year, codes, costing_policy, fte_round, lead_agencies, money, salary_rates


@dataclass(eq=False)
class ResourcesRow(Shape):
    """One group of the resources report: its JFO units, FTE-years and salaries (CAD; None
    when the year cannot be costed)."""

    key: str | None
    label: str
    jfo_count: int
    fte_years: Decimal = public("fte")
    salaries_cad: Decimal | None = public("salaries", nullable=False)


@dataclass(eq=False)
class ResourcesRowWithChildren(ResourcesRow):
    """A group with, under `group_by=jfo_type`, its programs (`children`)."""

    children: list[ResourcesRow] | None = public(omit_none=True, default=None, help_text="With group_by=jfo_type: its programs.")


@dataclass(eq=False)
class ResourcesSubtotal(Shape):
    """The sum of the rows: JFO units, FTE-years, salaries (CAD)."""

    jfo_count: int
    fte_years: Decimal = public("fte")
    salaries_cad: Decimal | None = public("salaries", nullable=False)


@dataclass(eq=False)
class Benefits(Shape):
    """Employee benefits: the rate (a fraction, 0.2 = 20 %) and the amount (CAD)."""

    rate: Decimal | None = public(nullable=False)
    amount_cad: Decimal | None = public("amount", nullable=False)


@dataclass(eq=False)
class YearCorrection(Shape):
    """An administrator's correction of a closed year: when, by whom, why."""

    on: datetime.datetime
    by: str
    reason: str


@dataclass(eq=False)
class ResourcesReport(Shape):
    """The resources report of a fiscal year, grouped by `group_by`. Money (CAD) is None, and
    `missing_salary_rates`, `missing_costing_policy` are present, only when it cannot be costed
    and was asked with `strict=False` (the dashboard); the API asks strictly, so there it is
    never null."""

    report: str
    fiscal_year: str
    period: Period
    group_by: str
    filters: dict
    as_of: datetime.datetime | None
    rows: list[ResourcesRowWithChildren]
    subtotal: ResourcesSubtotal
    employee_benefits: Benefits
    total_cad: Decimal | None = public("total", nullable=False)
    missing_salary_rates: list[str] | None = public(omit_none=True, default=None)
    missing_costing_policy: bool | None = public(omit_none=True, default=None)
    closed_on: datetime.datetime | None = public(
        omit_none=True, default=None, csv=False, help_text="When the fiscal year was closed; absent while it is open."
    )
    corrections: list[YearCorrection] | None = public(
        omit_none=True, default=None, csv=False,
        help_text="A closed year's corrections by administrators, oldest first; absent for an open year without any.",
    )


def _region_labels():
    names = {r.code: r.name for r in Region.objects.all()}
    return lambda key: names.get(key, key)


def _program_labels():
    names = {p.code: p.name for p in Program.objects.all()}
    return lambda key: names.get(key, _("No program")) if key else _("No program")


def _choice_labels(choices):
    names = dict(choices)
    return lambda key: str(names.get(key, key))


def _agency_labels():
    names = dict(Agency.objects.values_list("acronym", "name_en"))
    return lambda key: names.get(key, key) if key else _("No lead agency")


GROUP_LABELS = {
    "region": _region_labels,
    "jfo_type": lambda: _choice_labels(JfoType.choices),
    "program": _program_labels,
    "classification": lambda: _choice_labels(Classification.choices),
    "position": lambda: _choice_labels(Position.choices),
    "lead_agency": _agency_labels,
}
GROUP_BY_CHOICES = [
    ("region", gettext_lazy("Region")),
    ("jfo_type", gettext_lazy("JFO type")),
    ("program", gettext_lazy("Program")),
    ("classification", gettext_lazy("Classification")),
    ("position", gettext_lazy("Position")),
    ("lead_agency", gettext_lazy("Lead agency")),
]
GROUP_ORDER = {  # Exhibit 12's order; other groupings follow their keys (regions: largest first)
    "jfo_type": [JfoType.REGIONAL, JfoType.BINATIONAL, JfoType.NATIONAL],
}


@dataclass
class _Group:
    fte: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    units: set = None

    def __post_init__(self):
        self.units = set()

    def add(self, jfo_id: int, fte: Decimal, cost: Decimal) -> None:
        self.fte += fte
        self.cost += cost
        self.units.add(jfo_id)


UNIT_GROUPS = ("region", "jfo_type", "program")  # dated attributes of the unit (`UnitPeriod`)


def _per_unit_fte(year: FiscalYear, filters: dict, group_by: str, as_of) -> list[dict]:
    """FTE-years per unit, classification (and position when grouping by it) and the unit's
    region, type and program as needed (grouping, `jfo_type`'s programs, filters), prorated in
    SQL, each assignment's days cut by the officer's and the unit's periods
    (`attributes.split_by_periods`): a promotion during the year costs the days before it at the
    old rate, a unit moved to another region counts its days before the move in the old one.
    Rows `{"jfo_id", "classification"[, "position"][, "region", "jfo_type", "program": codes],
    "fte_years"}`, narrowed to the days on which the unit had the `filters`' codes."""
    wanted = {group_by} | ({"program"} if group_by == "jfo_type" else set()) | {k for k, v in filters.items() if v}
    attributes = ["classification"] + (["position"] if group_by == "position" else [])
    attributes += [attribute for attribute in UNIT_GROUPS if attribute in wanted]
    rows = split_by_periods(assignments_in_year(year, as_of=as_of), year, attributes, as_of=as_of)
    code_of = {
        "region": dict(Region.objects.values_list("pk", "code")) if "region" in attributes else {},
        "program": dict(Program.objects.values_list("pk", "code")) if "program" in attributes else {},
    }
    for row in rows:
        for attribute, codes_by_pk in code_of.items():
            if attribute in row:
                row[attribute] = codes_by_pk.get(row[attribute])
    for attribute, value in filters.items():
        if value:
            allowed = set(codes(value, upper=attribute != "jfo_type"))
            rows = [row for row in rows if row[attribute] in allowed]
    return rows


def _keys_of_units(unit_ids: set, as_of=None) -> dict[int, list[tuple[str | None, Decimal]]]:
    """Each unit's lead agencies with their shares: each of its leads equally (CRTF: RCMP and
    OPP) so that rows still add up to the subtotal; (None, 1) for a unit without a lead; the
    leads as they stood at `as_of`."""
    leads = lead_agencies(as_of=as_of)
    return {
        jfo_id: [(acronym, Decimal(1) / len(leads[jfo_id])) for acronym in sorted(leads[jfo_id])]
        if jfo_id in leads else [(None, Decimal(1))]
        for jfo_id in unit_ids
    }


def year_closure_facts(
    year: FiscalYear, as_of: datetime.datetime | None = None,
) -> tuple[datetime.datetime | None, list[YearCorrection] | None]:
    """When `year` was closed (None while open) and its corrections (None for an open year
    without any), as the registry says now or as it said at `as_of`: two queries."""
    closure = records_as_of(FiscalYearClosure, as_of).filter(fiscal_year=year.start_year, closed=True).first()
    rows = records_as_of(ClosedYearCorrection, as_of).filter(fiscal_year=year.start_year)
    corrections = [
        YearCorrection(on=row.corrected_at, by=row.corrected_by.get_username() if row.corrected_by else _("system"),
                       reason=row.reason)
        for row in rows.select_related("corrected_by").order_by("corrected_at", "id")
    ]
    return (closure.closed_at if closure else None), (corrections if closure or corrections else None)


def day_closure_facts(
    day: datetime.date, as_of: datetime.datetime | None = None,
) -> tuple[datetime.datetime | None, list[YearCorrection] | None]:
    """`year_closure_facts` of the fiscal year holding `day` (a date); (None, None) for a day
    outside the fiscal years the registry can hold (year 1, 9999), which no closure names."""
    try:
        year = FiscalYear.of(day)
    except ValueError:
        return None, None
    return year_closure_facts(year, as_of)


@reports_read_from_replica
def resources_report(
    fiscal_year: FiscalYear | str | int,
    group_by: str = "region",
    *,
    region=None,
    jfo_type=None,
    program=None,
    strict: bool = True,
    as_of: datetime.datetime | None = None,
) -> ResourcesReport:
    """FTE-years, JFO count and salaries (CAD) for a fiscal year (a FiscalYear, "2010-2011" or
    2010), grouped by `group_by` (one of GROUP_BY_CHOICES); with benefits and total (CAD).

    `region`, `jfo_type`, `program`: codes (comma-separated or lists) narrowing the units;
    `as_of`: the registry as it stood at that moment (the assignments, units, leads, salary
    rates, costing policy and the year's closure rebuilt from their history). The proration and the sums run in the
    database in one scan (per unit and classification); the groups add those up. Raises
    ReportError when a classification in use has no salary rate for the year, or the year has
    no costing policy (with `strict=False` it reports FTE only: money is None and
    `missing_salary_rates` names them), and ValueError for an unknown grouping or year. A year
    with nothing to cost is costed at 0 (benefits rate 0 when the year has no costing policy).
    """
    year = FiscalYear.parse(fiscal_year)
    if group_by not in GROUP_LABELS:
        raise ValueError(_("Unknown grouping “%(group_by)s”.") % {"group_by": group_by})
    filters = {"region": region, "jfo_type": jfo_type, "program": program}
    per_unit = _per_unit_fte(year, filters, group_by, as_of)
    rates = salary_rates(year, as_of)
    missing = sorted({row["classification"] for row in per_unit} - set(rates))
    if missing and strict:
        raise ReportError(
            _("No salary rate for %(classifications)s in %(year)s: add it before costing this year.")
            % {"classifications": ", ".join(missing), "year": year.label},
            missing_classifications=missing,
        )
    policy = costing_policy(year, as_of)
    if policy is None and per_unit and strict:
        raise ReportError(
            _("No employee benefits rate for %(year)s: add a costing policy for this year.") % {"year": year.label},
            missing_costing_policy=year.label,
        )
    # Nothing to cost (no assignment overlaps the year) costs 0, whether or not a policy exists.
    can_cost = not missing and (policy is not None or not per_unit)

    unit_ids = {row["jfo_id"] for row in per_unit}
    keys_of = _keys_of_units(unit_ids, as_of) if group_by == "lead_agency" else None
    groups: dict = {}
    children: dict = {}
    for row in per_unit:
        fte = Decimal(str(row["fte_years"] or 0))
        rate = rates.get(row["classification"], Decimal(0))
        for key, share in ([(row[group_by], Decimal(1))] if keys_of is None else keys_of[row["jfo_id"]]):
            groups.setdefault(key, _Group()).add(row["jfo_id"], fte * share, fte * share * rate)
            if group_by == "jfo_type":
                children.setdefault(key, {}).setdefault(row["program"], _Group()).add(
                    row["jfo_id"], fte * share, fte * share * rate
                )

    def as_row(key, group: _Group, label, shape=ResourcesRow) -> ResourcesRow:
        return shape(
            key=key, label=label(key), jfo_count=len(group.units), fte_years=fte_round(group.fte),
            salaries_cad=money(group.cost) if can_cost else None,
        )

    label = GROUP_LABELS[group_by]()
    rows = [as_row(key, group, label, ResourcesRowWithChildren) for key, group in groups.items()]
    if group_by == "region":
        rows.sort(key=lambda row: (-(row.salaries_cad if can_cost else row.fte_years), row.key or ""))
    elif group_by in GROUP_ORDER:
        order = {key: index for index, key in enumerate(GROUP_ORDER[group_by])}
        rows.sort(key=lambda row: order.get(row.key, len(order)))
    else:
        rows.sort(key=lambda row: (row.key is None, row.key or ""))
    if group_by == "jfo_type":
        program_label = _program_labels()
        for row in rows:
            row.children = sorted(
                (as_row(key, group, program_label) for key, group in children.get(row.key, {}).items()),
                key=lambda child: (child.key is None, -child.fte_years, child.key or ""),
            )
    fte_total = sum((row.fte_years for row in rows), Decimal(0))
    report = ResourcesReport(
        report="resources",
        fiscal_year=year.label,
        period=Period(start=year.start, end=year.end),
        group_by=group_by,
        filters={k: v for k, v in filters.items() if v},
        as_of=as_of,
        rows=rows,
        subtotal=ResourcesSubtotal(jfo_count=len(unit_ids), fte_years=fte_total, salaries_cad=None),
        employee_benefits=Benefits(rate=None, amount_cad=None),
        total_cad=None,
    )
    report.closed_on, report.corrections = year_closure_facts(year, as_of)
    if not can_cost:
        report.missing_salary_rates = missing
        report.missing_costing_policy = policy is None
        return report
    rate = policy.employee_benefits_rate if policy is not None else Decimal(0)
    salaries = sum((row.salaries_cad for row in rows), Decimal(0))
    benefits = money(salaries * rate)
    report.subtotal.salaries_cad = salaries
    report.employee_benefits = Benefits(rate=rate.normalize(), amount_cad=benefits)
    report.total_cad = salaries + benefits
    return report
