"""Who changed what, through which entry point; and the records that are kept, never deleted.

django-simple-history records every change with its user (the request's; none = "system" for
management commands). The entry point — admin, api, page, import or command — is recorded in
the history row's change reason: the middleware sets it per request, `entry_point()` sets it
around imports and commands.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

ADMIN, API, PAGE, IMPORT, COMMAND = "admin", "api", "page", "import", "command"
ENTRY_POINTS = (ADMIN, API, PAGE, IMPORT, COMMAND)

_current: contextvars.ContextVar[str] = contextvars.ContextVar("jfo_entry_point", default=COMMAND)


def current_entry_point() -> str:
    return _current.get()


@contextlib.contextmanager
def entry_point(name: str):
    """Record changes made inside the block as coming from `name`."""
    token = _current.set(name)
    try:
        yield
    finally:
        _current.reset(token)


def entry_point_of(path: str) -> str:
    if path.startswith("/admin/"):
        return ADMIN
    if path.startswith("/api/"):
        return API
    return PAGE


class EntryPointMiddleware:
    """Marks every change made while serving a request with the entry point of its URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with entry_point(entry_point_of(request.path)):
            return self.get_response(request)


@receiver(pre_create_historical_record)
def record_entry_point(sender, history_instance, **kwargs):
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = current_entry_point()


class RecordKept(ProtectedError):
    """A delete refused because the record is kept for the record (an assignment, an
    arrangement that has been in force...): `str(error)` says what to do instead."""

    def __init__(self, reason: str, record):
        super().__init__(reason, [record])
        self.reason = reason


def deletion_refusal(obj) -> str | None:
    """Why `obj` must be kept (its model's `deletion_refusal()`), or None if it may be deleted."""
    refusal = getattr(obj, "deletion_refusal", None)
    return refusal() if refusal is not None else None


@receiver(pre_delete)
def refuse_deleting_kept_records(sender, instance, **kwargs):
    """The last line: whatever the entry point (admin, API, shell, a cascade), a kept record's
    delete raises before anything is deleted (the delete's transaction rolls back)."""
    reason = deletion_refusal(instance)
    if reason:
        raise RecordKept(reason, instance)
