"""No lost updates on the pages and in the admin: a form carries the version it was loaded at
(the record's `last_updated`); saving a stale version is refused, showing what changed since."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def version_of(instance) -> str:
    return instance.last_updated.isoformat() if instance.last_updated else ""


def check_version(instance, submitted: str) -> None:
    """Refuse if `instance` changed after `submitted`; inside a transaction the row stays locked
    until the save, so nobody can slip in between."""
    rows = type(instance).objects.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    current = rows.values_list("last_updated", flat=True).first()
    if current is None or current.isoformat() == submitted:
        return
    raise ValidationError(stale_message(instance, submitted), code="stale")


def stale_message(instance, submitted: str) -> str:
    from .history import history_entries

    try:
        since = datetime.datetime.fromisoformat(submitted)
    except ValueError:
        since = None
    history = type(instance).history.filter(id=instance.pk)
    if since is not None:
        history = history.filter(history_date__gt=since)
    changes = []
    for entry in reversed(history_entries(history)):
        details = ", ".join(f"{c['label']}: {c['old'] or '—'} → {c['new'] or '—'}" for c in entry["changes"])
        changes.append(
            _("%(user)s at %(time)s (%(details)s)")
            % {"user": entry["user"], "time": entry["date"].strftime("%Y-%m-%d %H:%M"), "details": details or "—"}
        )
    return _(
        "Someone else changed this record since you opened it: %(changes)s. Nothing was saved: "
        "your entries are kept below; check them against the new values and save again."
    ) % {"changes": "; ".join(changes) or _("a change")}


class VersionedFormMixin(forms.Form):
    """A ModelForm mixin: a hidden `version` field (the record's `last_updated` when the form was
    loaded, ISO 8601; empty for a new record) and the refusal of a stale save.

    The field is declared on the class, so it is among the form's `base_fields` and every page
    that renders the form's fields (pages, admin change forms, admin inlines) sends it back.
    """

    version_field_name = "version"
    version = forms.CharField(widget=forms.HiddenInput, required=False, label=gettext_lazy("version"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.version_field_name].initial = version_of(self.instance) if self.instance.pk else ""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            submitted = self.data.get(self.add_prefix(self.version_field_name), "")
            try:
                check_version(self.instance, submitted)
            except ValidationError as error:
                raise ValidationError(error.messages[0], code="stale") from error
        return cleaned
