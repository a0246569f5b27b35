"""Reads that span rows: every report is one function here, computed in the database.

The API, the pages and the CSV downloads all call these; none recomputes a figure.
Rounding (DESIGN.md section 4): FTE to two places and money to the cent, per row, and a
subtotal is the sum of its rounded rows, so a table always adds up.

By concern: `assignments` (the rows a report reads, rounding, parameter codes), `resources`
(Exhibits 11 and 12, with its typed shape), `staffing` (tenure, long assignments, allocation)
and `lists` (unit and officer lists, an officer's allocation). This package is their public face.
"""

from jfo_registry.core.reports import ReportError

from .assignments import (
    CENT, DAYS_PER_YEAR, active_during, active_on, assignments, assignments_in_year, codes, costing_policy,
    first_assignment_day, fte_round, in_regions_on, lead_agencies, money, of_units, region_codes, salary_rates,
    unit_value, units,
)
from .lists import AllocationPeriod, current_fte_subquery, jfo_list, officer_allocation, officer_list
from .resources import (
    GROUP_BY_CHOICES, GROUP_LABELS, GROUP_ORDER, Benefits, ResourcesReport, ResourcesRow,
    ResourcesRowWithChildren, ResourcesSubtotal, YearCorrection, day_closure_facts, resources_report,
    year_closure_facts,
)
from .staffing import (
    AllocationReport, AllocationRow, LongAssignment, TenureAverage, TenureGroupAverage, TenureReport, TenureRow,
    allocation_report, long_assignments, tenure_report,
)

__all__ = [
    "CENT", "DAYS_PER_YEAR", "GROUP_BY_CHOICES", "GROUP_LABELS", "GROUP_ORDER", "AllocationPeriod", "AllocationReport",
    "AllocationRow", "Benefits", "LongAssignment", "TenureAverage", "TenureGroupAverage", "TenureReport", "TenureRow",
    "ReportError", "ResourcesReport", "ResourcesRow", "ResourcesRowWithChildren", "ResourcesSubtotal", "YearCorrection",
    "active_during", "active_on", "allocation_report", "assignments", "assignments_in_year", "codes", "costing_policy",
    "current_fte_subquery", "day_closure_facts", "first_assignment_day", "fte_round", "in_regions_on", "jfo_list", "lead_agencies",
    "long_assignments", "money", "of_units", "officer_allocation", "officer_list", "region_codes", "resources_report",
    "salary_rates", "tenure_report", "unit_value", "units", "year_closure_facts",
]
