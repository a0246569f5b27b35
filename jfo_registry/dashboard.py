"""The dashboard (`/`): the first page everyone sees, combining both apps' figures and alerts.

It lives in the project wiring because it reads `operations` (resources, allocation, tenure,
units without assignment) and `agreements` (units not covered, arrangements expiring), which
the layers below may not combine.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import TemplateView

from agreements.selectors import covered_on, covering_regions, expiring_within
from operations import selectors as operations_selectors
from operations.models import Officer
from operations.views import report_query_form, user_region_codes

from .core.datastamps import cached_by_stamps
from .core.fiscal import FiscalYear
from .core.history import records_as_of
from .core.routers import reports_read_from_replica
from .core.views import RoleRequiredMixin

ALERT_ITEMS = 10  # the dashboard lists the first ten of each alert and links to the rest


def dashboard(*, day: datetime.date, year: FiscalYear, region_codes: list[str] | None,
              as_of: datetime.datetime | None = None) -> dict:
    """What a manager (their regions) or HQ (all regions, `region_codes` None) sees first, and
    what needs attention, on `day` and for the fiscal year `year`; with `as_of` (an aware
    datetime), as the registry said at that moment: every figure and alert rebuilt from the
    history of what it reads (units, officers, assignments, rates, policies, arrangements and
    the units they cover).

    Returns a dict: `day`, `fiscal_year`, `as_of`, `resources` (the resources report by region,
    FTE-years and CAD), `unit_count` and `officer_count` (open units, active officers), and six
    alerts (`over_allocated`, `under_allocated`, `long_assignments`, `uncovered_units`,
    `expiring_arrangements`, `units_without_assignment`), each `{"items": first ten, "count":
    all}`; a unit item has `id`, `acronym`, `name`, an arrangement item `id`, `reference`,
    `title`, `expiry_date`, `review_date`.

    Computed once per change of the registry (exact: the cache key holds every table's change
    stamp), per day, year, regions, `as_of` and language; a write anywhere recomputes it on next view."""
    key = ("dashboard", day.isoformat(), year.start_year, tuple(sorted(region_codes or [])),
           as_of.isoformat() if as_of else None, get_language())
    return cached_by_stamps(key, lambda: _dashboard(day=day, year=year, region_codes=region_codes, as_of=as_of))


def _unit_items(units) -> list[dict]:
    return [{"id": u.id, "acronym": u.acronym, "name": u.name} for u in units]


def _arrangement_items(arrangements) -> list[dict]:
    return [{"id": a.id, "reference": a.reference, "title": a.title, "expiry_date": a.expiry_date,
             "review_date": a.review_date} for a in arrangements]


@reports_read_from_replica
def _dashboard(*, day: datetime.date, year: FiscalYear, region_codes: list[str] | None,
               as_of: datetime.datetime | None = None) -> dict:
    regions = region_codes or None
    units = operations_selectors.units(as_of).exclude(status="closed")
    officers = records_as_of(Officer, as_of).filter(active=True)
    if regions:
        units = units.filter(region__code__in=regions)
        officers = officers.filter(home_region__code__in=regions)
    resources = operations_selectors.resources_report(year, "region", region=regions, strict=False, as_of=as_of)
    allocation = operations_selectors.allocation_report(year, region=regions, limit=ALERT_ITEMS, as_of=as_of)
    long_count, long_rows = operations_selectors.long_assignments(day, region=regions, limit=ALERT_ITEMS, as_of=as_of)
    expiring = covering_regions(expiring_within(day, 90, as_of), regions, as_of)
    uncovered = units.exclude(covered_on(day, as_of)).select_related("region").order_by("region__code", "acronym")
    assigned = operations_selectors.active_on(operations_selectors.assignments(as_of), day).values("jfo_id")
    empty = units.exclude(id__in=assigned).select_related("region").order_by("region__code", "acronym")

    def alert(items, count) -> dict:
        return {"items": list(items), "count": count}

    return {
        "day": day,
        "fiscal_year": year,
        "as_of": as_of,
        "resources": resources,
        "unit_count": units.count(),
        "officer_count": officers.count(),
        "over_allocated": alert(allocation["over_allocated"], allocation["over_allocated_count"]),
        "under_allocated": alert(allocation["under_allocated"], allocation["under_allocated_count"]),
        "long_assignments": alert(long_rows, long_count),
        "uncovered_units": alert(_unit_items(uncovered[:ALERT_ITEMS]), uncovered.count()),
        "expiring_arrangements": alert(_arrangement_items(expiring[:ALERT_ITEMS]), expiring.count()),
        "units_without_assignment": alert(_unit_items(empty[:ALERT_ITEMS]), empty.count()),
    }


class DashboardView(RoleRequiredMixin, TemplateView):
    """The dashboard page: `fiscal_year` and `as_of` validated as the reports validate them
    (YearQuery: every form the API takes); a refused parameter shows the form's error (under its
    field) and the dashboard of now, for the current year."""

    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        """Context: `form`, `regions` (the user's, None for all) and `dashboard` (see `dashboard`).
        With `as_of`, the dashboard as it was shown then: its day is the day of that moment (today
        for a moment still to come) and its default year that day's fiscal year."""
        context = super().get_context_data(**kwargs)
        form = report_query_form(self.request.GET or None)
        params = form.cleaned_data if form.is_valid() else {}
        as_of = params.get("as_of")
        day = timezone.localdate()
        if as_of is not None:  # a moment before the first fiscal year shows that year's first day
            day = max(min(day, timezone.localdate(as_of)), FiscalYear(1900).start)
        year = FiscalYear(params["fiscal_year"]) if params.get("fiscal_year") else FiscalYear.of(day)
        regions = user_region_codes(self.request.user)
        context.update(
            form=form,
            regions=regions,
            dashboard=dashboard(day=day, year=year, region_codes=regions, as_of=as_of),
        )
        return context
