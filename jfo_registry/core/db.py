"""Database expressions shared by the selectors, portable across PostgreSQL and SQLite."""

import datetime

from django.db.models import DateField, DecimalField, Func, IntegerField, Value


class DaysBetween(Func):
    """Whole days from `start` to `end` (end - start), for DateField expressions."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="((%(expressions)s))", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def date_value(day: datetime.date) -> Value:
    return Value(day, output_field=DateField())


class Numeric(Func):
    """An exact number for arithmetic: NUMERIC on PostgreSQL. SQLite stores whole decimals as
    integers and divides them as integers (1 * 182 / 365 = 0), so there it is REAL; reports
    round to the cent at the end, far above REAL's precision at these magnitudes."""

    template = "CAST(%(expressions)s AS NUMERIC)"
    output_field = DecimalField(max_digits=30, decimal_places=15)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra)
