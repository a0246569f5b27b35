"""Database expressions shared by the selectors, portable across PostgreSQL and SQLite."""

import datetime

from django.db.models import DateField, Func, IntegerField, Value


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
