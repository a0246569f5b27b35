"""Reports read from a replica when one is configured (DATABASE_REPLICA_URL); everything else,
and every write, uses the primary. Reports opt in with `reports_read_from_replica`."""

from __future__ import annotations

import contextvars
import functools

from django.conf import settings

REPLICA = "replica"
_reading_reports: contextvars.ContextVar[bool] = contextvars.ContextVar("jfo_reading_reports", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reports_read_from_replica(function):
    """Run a report selector with its reads routed to the replica (if any)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        token = _reading_reports.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _reading_reports.reset(token)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_reports.get() and replica_configured():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
