"""Readable change history from django-simple-history: who, when, through which entry point,
and each field's old and new value. Used by the pages, the API and (for labels) the admin."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils.translation import gettext as _

IGNORED_FIELDS = {"id", "created", "last_updated"}
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS]


def _display(field, value, labels) -> str | None:
    if value is None or value == "":
        return None
    if field.is_relation:
        return labels.get(field.related_model, {}).get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def history_entries(history: QuerySet, *, limit: int = 200) -> list[dict]:
    """The changes recorded in `history` (historical rows of one model), newest first.

    Two queries for the rows and one per related model for labels, whatever the number of rows.
    """
    model = history.model.instance_type
    fields = _tracked_fields(model)
    records = list(history.select_related("history_user").order_by("id", "history_date", "history_id"))
    ids_by_model = defaultdict(set)
    for record in records:
        for field in fields:
            if field.is_relation and getattr(record, field.attname) is not None:
                ids_by_model[field.related_model].add(getattr(record, field.attname))
    labels = {
        related: {pk: str(obj) for pk, obj in related._default_manager.in_bulk(list(ids)).items()}
        for related, ids in ids_by_model.items()
    }
    previous: dict[int, object] = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        for field in fields:
            new = getattr(record, field.attname)
            old = getattr(before, field.attname) if before is not None else None
            if before is None and record.history_type == "+" and new in (None, ""):
                continue
            if before is None or old != new:
                changes.append({
                    "field": field.name,
                    "label": str(field.verbose_name),
                    "old": _display(field, old, labels) if before is not None else None,
                    "new": _display(field, new, labels),
                })
        previous[record.id] = record
        entries.append({
            "history_id": record.history_id,
            "object_id": record.id,
            "object": str(record.instance) if record.history_type != "-" else _("(deleted) %(id)s") % {"id": record.id},
            "date": record.history_date,
            "user": record.history_user.get_username() if record.history_user else _("system"),
            "entry_point": record.history_change_reason or "",
            "type": CHANGE_TYPES.get(record.history_type, record.history_type),
            "changes": changes if record.history_type != "-" else [],
        })
    entries.sort(key=lambda entry: (entry["date"], entry["history_id"]), reverse=True)
    return entries[:limit]


def merged_history(*histories: QuerySet, limit: int = 200) -> list[dict]:
    """Entries of several historical querysets (a record and its parts), newest first."""
    entries = [entry for history in histories for entry in history_entries(history, limit=limit)]
    entries.sort(key=lambda entry: entry["date"], reverse=True)
    return entries[:limit]
