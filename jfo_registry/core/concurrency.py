"""No lost updates: the one place that decides whether a write is stale.

A record's version is its `last_updated` (`version_of`); the API shows it as an ETag (`etag_of`,
a hash of the same version), the pages and the admin as a hidden `version` field
(`VersionedFormMixin`). Whichever way the client states the version it saw, `is_stale` compares
it with the version stored now, under the row's lock, so nobody can slip in between the check
and the save. The refusal is then the entry point's: the API answers 412
(`core.api.preconditions`), a form shows `stale_message` (what changed since).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Collection

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .history import history_entries


def version_of(instance) -> str:
    """The version a record is at: its `last_updated` in ISO 8601 ("" for a record never saved).

    Args: a model instance with `last_updated`. Returns: text. Raises nothing.
    """
    return instance.last_updated.isoformat() if instance.last_updated else ""


def etag_of(instance, version: str | None = None) -> str:
    """The ETag of a record's version: a quoted hash of the model, the id and the version.

    Args: `instance`, a saved model instance; `version`, a version as `version_of` gives it
    (default: the instance's own). Returns: text such as `"3f…"` (34 characters, quotes
    included); the tag changes with every save. Raises nothing.
    """
    version = version_of(instance) if version is None else version
    stamp = f"{instance._meta.label_lower}:{instance.pk}:{version}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def stored_version(instance) -> str | None:
    """The version the record's row is at now, read from the database; inside a transaction the
    row stays locked (SELECT … FOR UPDATE) until it ends.

    Returns: text as `version_of` gives it, or None when the row is gone. Raises nothing.
    """
    rows = type(instance).objects.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    current = rows.values_list("last_updated", flat=True).first()
    return None if current is None else current.isoformat()


def is_stale(instance, seen: Collection[str] | None) -> bool:
    """Is a write to `instance` stale: has the record changed since the client read it?

    Args: `instance`, the record written; `seen`, the ETags (`etag_of`) of the versions the
    client says it read, or None for "whatever the version is" (If-Match: *). The row is read
    (and locked, inside a transaction) even then.
    Returns: True when the stored version is none of `seen`; False when it is one, when `seen`
    is None, or when the row is gone (the write then fails on its own). Raises nothing.
    """
    current = stored_version(instance)
    if current is None or seen is None:
        return False
    return etag_of(instance, current) not in seen


def check_version(instance, submitted: str) -> None:
    """The pages' and the admin's refusal: a form loaded at version `submitted` may not save
    over a newer one.

    Args: `instance`, the saved record; `submitted`, the version the form was loaded at
    (`version_of`, as the hidden field sent it back; "" or junk is stale unless it matches).
    Returns None. Raises ValidationError (code "stale", message `stale_message`) when stale.
    """
    if is_stale(instance, {etag_of(instance, submitted)}):
        raise ValidationError(stale_message(instance, submitted), code="stale")


def stale_message(instance, submitted: str) -> str:
    """What a form shows when refused as stale: who changed what since `submitted` (a version,
    ISO 8601; every change when it is not one), and that nothing was saved. Returns text."""
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
    """A ModelForm mixin: a hidden `version` field (the record's `version_of` when the form was
    loaded; empty for a new record) and the refusal of a stale save (`check_version`).

    The field is declared on the class, so it is among the form's `base_fields` and every page
    that renders the form's fields (pages, admin change forms, admin inlines) sends it back.
    """

    version_field_name = "version"
    version = forms.CharField(widget=forms.HiddenInput, required=False, label=gettext_lazy("version"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.version_field_name].initial = version_of(self.instance) if self.instance.pk else ""

    def clean(self):
        """The form's cleaned data. Raises ValidationError (a non-field error, code "stale")
        when the record changed since the form was loaded."""
        cleaned = super().clean()
        if self.instance.pk:
            submitted = self.data.get(self.add_prefix(self.version_field_name), "")
            try:
                check_version(self.instance, submitted)
            except ValidationError as error:
                raise ValidationError(error.messages[0], code="stale") from error
        return cleaned
