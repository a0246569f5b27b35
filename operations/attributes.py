"""The value of a record's dated attribute on a day: an officer's classification, position and
home region (`OfficerPeriod`), a JFO unit's region, type and program (`UnitPeriod`).

The one home of the rule, for every kind of dated period (`models.DATED_PERIODS`), in its forms
side by side: the Python form (for rows in hand, and the specification) and the SQL form
(expressions and querysets, which the reports use). `tests/operations/test_attributes.py` and
`tests/operations/test_unit_attributes.py` hold each SQL form against its Python form, on SQLite
and on PostgreSQL.

The rule: on day D a record holds the values of its period containing D; on a day no period
contains (a record without periods, or a day before its first), the record's own fields, which
`officer_change` and `unit_change` keep equal to its latest period.

Attributes are named as in `OFFICER_PERIOD_ATTRIBUTES` and `UNIT_PERIOD_ATTRIBUTES` (no name is
in both); values are the stored column values ("FB-04", "IO", "regional", and for `home_region`,
`region` and `program` the primary key, None for a unit without a program).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from jfo_registry.core import periods
from jfo_registry.core.db import DaysBetween, Numeric, date_value
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import replayed_values, rows_as_of

from .models import DATED_PERIODS, DatedPeriod

_CENT = Decimal("0.01")


def period_model(attribute: str) -> type[DatedPeriod]:
    """The kind of period (`OfficerPeriod`, `UnitPeriod`) holding `attribute`. Raises ValueError
    for an unknown attribute."""
    for model in DATED_PERIODS.values():
        if attribute in model.ATTRIBUTES:
            return model
    known = ", ".join(a for model in DATED_PERIODS.values() for a in model.ATTRIBUTES)
    raise ValueError(f"Unknown dated attribute {attribute!r}: one of {known}.")


def _column(attribute: str) -> str:
    return period_model(attribute)._meta.get_field(attribute).attname


# --- Python form ---------------------------------------------------------------------------------

def attribute_on(record, attribute: str, day: datetime.date, record_periods: Iterable[DatedPeriod] | None = None):
    """The value of `attribute` (a dated attribute of `record`'s kind: an Officer's, a
    JointForceOperation's) of `record` on `day`: the column value of the period containing
    `day`, else the record's own field. `record_periods`: its periods in hand (default: read
    them, one query). Raises ValueError for an unknown attribute."""
    column = _column(attribute)
    rows = record.periods.all() if record_periods is None else record_periods
    for period in rows:
        if periods.overlaps(period.start_date, period.end_date, day, day):
            return getattr(period, column)
    return getattr(record, column)


def attribute_spans(
    record, attribute: str, start: datetime.date, end: datetime.date,
    record_periods: Iterable[DatedPeriod] | None = None,
) -> list[tuple[datetime.date, datetime.date, object]]:
    """[start, end] (dates, inclusive) cut where `attribute` of `record` (an officer, a unit)
    changes: a list of (first day, last day, value), in date order, adjacent runs of one value
    merged. The specification of `split_by_periods`. Raises ValueError for an unknown attribute."""
    rows = list(record.periods.all() if record_periods is None else record_periods)
    spans: list[tuple[datetime.date, datetime.date, object]] = []
    day = start
    while day <= end:
        value = attribute_on(record, attribute, day, rows)
        if spans and spans[-1][2] == value and spans[-1][1] == day - datetime.timedelta(days=1):
            spans[-1] = (spans[-1][0], day, value)
        else:
            spans.append((day, day, value))
        day += datetime.timedelta(days=1)
    return spans


# --- SQL form ------------------------------------------------------------------------------------

def attribute_on_expression(
    attribute: str, day: datetime.date | object, *, record: str | None = None, officer: str | None = None,
    as_of: datetime.datetime | None = None,
):
    """`attribute_on` as an expression for a queryset whose `record` (a field path to the key of
    the attribute's record — "officer", "jfo"… — or "pk" on the record's own model, "id" on its
    historical rows; default: the field naming it on an assignment, `DatedPeriod.OWNER`) names the record:
    the column value of the period containing `day` (a date or expression), else the record's own
    field; with `as_of` (an aware datetime), both as the registry held them then
    (`history.rows_as_of`). `officer` is the former name of `record`. Raises ValueError for an
    unknown attribute."""
    model = period_model(attribute)
    column = _column(attribute)
    path = record or officer or model.OWNER
    field = model._meta.get_field(attribute)
    output = field.target_field if field.is_relation else field
    if as_of is None:
        period_rows = model.objects.all()
        own = F(column) if path in ("pk", "id") else F(f"{path}__{column}")
    else:
        period_rows = rows_as_of(model, as_of)
        owner = model._meta.get_field(model.OWNER).related_model
        own = Subquery(rows_as_of(owner, as_of).filter(id=OuterRef(path)).order_by().values(column)[:1], output_field=output)
    covering = period_rows.filter(periods.on_day_q(day), **{model.OWNER: OuterRef(path)}).order_by()
    value = Subquery(covering.values(column)[:1], output_field=output)
    if field.null:  # a period's null (a unit without a program) is a value, not "no period"
        return Case(When(Exists(covering), then=value), default=own, output_field=output)
    return Coalesce(value, own, output_field=output)


def split_by_periods(
    queryset: QuerySet, year: FiscalYear, attributes: Iterable[str], *, group=("jfo_id",),
    as_of: datetime.datetime | None = None,
) -> list[dict]:
    """FTE-years of `queryset` (assignments, or their history records, overlapping `year`)
    split by the periods of each record the attributes belong to (the officer's, the unit's), in
    the database: each assignment's days in the year are cut by the periods containing them
    (each piece at its periods' values), and the days no period of a kind contains are taken at
    that record's own fields, as `attribute_on` says.

    The pieces are counted by inclusion and exclusion over the kinds involved: for each set T of
    kinds, the days inside a period of each kind in T; a piece labelled with the values of the
    kinds S ⊆ T (the others at their record's own fields) counts with the sign (-1)^|T−S|. So
    with k kinds it runs 3^k grouped queries (3 for officers' attributes alone, 9 with a unit's
    as well). Each query sums FTE × days, exact (two decimal places); the division by the year's
    days is made once per row here, so pieces that cancel cancel exactly.

    With `as_of` (an aware datetime; `queryset` then holds the assignments as they stood then),
    the records (officers, units) and their periods are read as the registry held them at that
    moment: the same queries, replayed against the history (`history.replayed_values`).

    Returns rows `{**group fields, attribute: value for each of attributes, "fte_years":
    Decimal (unrounded, > 0)}`, one per distinct group and values. Raises ValueError for an
    unknown attribute."""
    attributes = list(attributes)
    kinds = {}
    for attribute in attributes:
        kinds.setdefault(period_model(attribute).OWNER, []).append(attribute)
    year_end = date_value(year.end)
    replayed = [
        model for kind_model in DATED_PERIODS.values() if kind_model.OWNER in kinds
        for model in (kind_model, kind_model._meta.get_field(kind_model.OWNER).related_model)
    ]
    totals: dict[tuple, Decimal] = {}
    names = [*group, *attributes]
    for size in range(len(kinds) + 1):
        for inside in itertools.combinations(kinds, size):
            starts = [F("start_date"), date_value(year.start)] + [F(f"{kind}__periods__start_date") for kind in inside]
            ends = [Coalesce(F("end_date"), year_end), year_end] + [
                Coalesce(F(f"{kind}__periods__end_date"), year_end) for kind in inside
            ]
            joined = {f"in_{kind}": F(f"{kind}__periods__start_date") for kind in inside}  # one join per kind
            pieces = queryset.annotate(
                **joined, piece_start=Greatest(*starts), piece_end=Least(*ends)
            ).filter(piece_end__gte=F("piece_start"), **{f"{name}__isnull": False for name in joined})
            for labelled_size in range(size + 1):
                for labelled in itertools.combinations(inside, labelled_size):
                    sign = -1 if (size - labelled_size) % 2 else 1
                    values = {}
                    for kind, kind_attributes in kinds.items():
                        prefix = f"{kind}__periods__" if kind in labelled else f"{kind}__"
                        values.update({a: F(prefix + _column(a)) for a in kind_attributes})
                    rows = (
                        pieces.order_by()
                        .values(*group, **{f"v_{a}": expression for a, expression in values.items()})
                        .annotate(fte_days=Sum(Numeric(F("fte")) * (DaysBetween(F("piece_end"), F("piece_start")) + Value(1))))
                    )
                    for row in (rows if as_of is None else replayed_values(rows, as_of, replayed)):
                        key = tuple(row[name] for name in group) + tuple(row[f"v_{a}"] for a in attributes)
                        amount = Decimal(str(row["fte_days"] or 0)).quantize(_CENT)
                        totals[key] = totals.get(key, Decimal(0)) + sign * amount
    return [
        {**dict(zip(names, key)), "fte_years": fte_days / Decimal(year.days)}
        for key, fte_days in totals.items() if fte_days
    ]
