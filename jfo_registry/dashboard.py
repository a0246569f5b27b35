"""The dashboard (`/`): the first page everyone sees, combining both apps' figures and alerts.

It lives in the project wiring because it reads `operations` (resources, allocation, tenure,
units without assignment) and `agreements` (units not covered, arrangements expiring), which
the layers below may not combine.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import TemplateView

from agreements.selectors import covered_by_arrangement_in_force, expiring_within
from operations import selectors as operations_selectors
from operations.models import Assignment, JointForceOperation, Officer
from operations.views import report_query_form, user_region_codes

from .core.datastamps import cached_by_stamps
from .core.fiscal import FiscalYear
from .core.routers import reports_read_from_replica
from .core.views import RoleRequiredMixin

ALERT_ITEMS = 10  # the dashboard lists the first ten of each alert and links to the rest


def dashboard(*, day: datetime.date, year: FiscalYear, region_codes: list[str] | None) -> dict:
    """What a manager (their regions) or HQ (all regions, `region_codes` None) sees first, and
    what needs attention, on `day` and for the fiscal year `year`.

    Returns a dict: `day`, `fiscal_year`, `resources` (the resources report by region, FTE-years
    and CAD), `unit_count` and `officer_count` (open units, active officers), and six alerts
    (`over_allocated`, `under_allocated`, `long_assignments`, `uncovered_units`,
    `expiring_arrangements`, `units_without_assignment`), each `{"items": first ten, "count": all}`.

    Computed once per change of the registry (exact: the cache key holds every table's change
    stamp), per day, year, regions and language; a write anywhere recomputes it on next view."""
    key = ("dashboard", day.isoformat(), year.start_year, tuple(sorted(region_codes or [])), get_language())
    return cached_by_stamps(key, lambda: _dashboard(day=day, year=year, region_codes=region_codes))


@reports_read_from_replica
def _dashboard(*, day: datetime.date, year: FiscalYear, region_codes: list[str] | None) -> dict:
    regions = region_codes or None
    units = JointForceOperation.objects.exclude(status="closed")
    officers = Officer.objects.filter(active=True)
    if regions:
        units = units.filter(region__code__in=regions)
        officers = officers.filter(home_region__code__in=regions)
    resources = operations_selectors.resources_report(year, "region", region=regions, strict=False)
    allocation = operations_selectors.allocation_report(year, region=regions, limit=ALERT_ITEMS)
    long_count, long_rows = operations_selectors.long_assignments(day, region=regions, limit=ALERT_ITEMS)
    expiring = expiring_within(day, 90)
    if regions:
        expiring = expiring.filter(jfos__region__code__in=regions).distinct()
    uncovered = units.filter(~covered_by_arrangement_in_force(day)).select_related("region").order_by("region__code", "acronym")
    empty = (
        units.filter(~Q(pk__in=operations_selectors.active_on(Assignment.objects.all(), day).values("jfo")))
        .select_related("region")
        .order_by("region__code", "acronym")
    )

    def alert(items, count) -> dict:
        return {"items": list(items), "count": count}

    return {
        "day": day,
        "fiscal_year": year,
        "resources": resources,
        "unit_count": units.count(),
        "officer_count": officers.count(),
        "over_allocated": alert(allocation["over_allocated"], allocation["over_allocated_count"]),
        "under_allocated": alert(allocation["under_allocated"], allocation["under_allocated_count"]),
        "long_assignments": alert(long_rows, long_count),
        "uncovered_units": alert(uncovered[:ALERT_ITEMS], uncovered.count()),
        "expiring_arrangements": alert(expiring[:ALERT_ITEMS], expiring.count()),
        "units_without_assignment": alert(empty[:ALERT_ITEMS], empty.count()),
    }


class DashboardView(RoleRequiredMixin, TemplateView):
    """The dashboard page: `fiscal_year` validated as the reports validate it (YearQuery: every
    form the API takes); a refused year shows the form's error and the current year."""

    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        """Context: `form`, `regions` (the user's, None for all) and `dashboard` (see `dashboard`)."""
        context = super().get_context_data(**kwargs)
        form = report_query_form(self.request.GET or None)
        year = form.selected_year() if form.is_valid() else FiscalYear.current()
        regions = user_region_codes(self.request.user)
        context.update(
            form=form,
            regions=regions,
            dashboard=dashboard(day=timezone.localdate(), year=year, region_codes=regions),
        )
        return context
