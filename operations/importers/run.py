"""The function API of imports and exports, used by the `import_records` and `export_records`
commands: `import_file`/`import_dataset` check a file with a dry run first and write only when
the dry run found no error, all in one transaction; `export`/`export_dataset` write every record
of a kind with the import's columns. Results are ImportSummary: counts and per-row messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import RowResult

from jfo_registry.core import audit

from .base import RegistryResource
from .files import read_dataset, render
from .resources import resource_class

# `import_dataset` calls `progress(stage, row_number, total_rows)`, stage "check" or "import".
StageProgress = Callable[[str, int, int], None]


class RowError(NamedTuple):
    """One problem of a file: `row` is None for the whole file (its header row, its format)."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class RowOutcome(NamedTuple):
    """What one row does, in words (translated), e.g. an assignment row's "Correction of …"."""

    row: int
    text: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.text}


@dataclass
class ImportSummary:
    """The outcome of an import of `kind`: `rows` (blank rows not counted), records `created`,
    `updated` and `unchanged`, `errors` sorted by row (file-level errors first), and `outcomes`:
    what each valid row does, in row order, for the kinds that say it (assignments: new, change
    from a date, correction rewriting fiscal years, unchanged)."""

    kind: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no row and not the file was invalid."""
        return not self.errors

    @property
    def written(self) -> bool:
        """Whether the import changed the database."""
        return self.ok and not self.dry_run and bool(self.created or self.updated)

    def counts(self) -> str:
        """The counts as one translated line: '12 created, 3 updated, 40 unchanged'."""
        return ", ".join([
            # Translators: the counts of records, joined by ", ": "12 created, 3 updated, 40 unchanged".
            ngettext("%(count)s created", "%(count)s created", self.created) % {"count": self.created},
            ngettext("%(count)s updated", "%(count)s updated", self.updated) % {"count": self.updated},
            ngettext("%(count)s unchanged", "%(count)s unchanged", self.unchanged) % {"count": self.unchanged},
        ])

    def error_lines(self) -> list[str]:
        """Each error as one line: 'Row 3: fte: …' (or the bare message of a file-level one)."""
        return [str(error) for error in self.errors]

    def __str__(self) -> str:
        if self.errors:
            return "\n".join([*self.error_lines(), _("Nothing was imported.")])
        if self.dry_run:
            return _("Dry run, nothing was written: %(counts)s.") % {"counts": self.counts()}
        return f"{self.counts()}."


def summarize(resource: RegistryResource, result, *, dry_run: bool) -> ImportSummary:
    """An import_export Result of `resource`'s import_data as an ImportSummary: counts and
    per-row messages, each named by its column; no counts when the file itself was invalid."""
    summary = ImportSummary(kind=resource.kind, dry_run=dry_run, rows=result.total_rows - len(resource.blank_rows))
    summary.created = result.totals[RowResult.IMPORT_TYPE_NEW]
    summary.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
    summary.unchanged = max(result.totals[RowResult.IMPORT_TYPE_SKIP] - len(resource.blank_rows), 0)
    errors: list[RowError] = []
    for error in result.base_errors:
        errors.append(RowError(None, _exception_text(error.error)))
    for invalid in result.invalid_rows:
        for message in resource.describe(invalid.error):
            errors.append(RowError(invalid.number, message))
    for error_row in result.error_rows:
        for error in error_row.errors:
            errors.append(RowError(error_row.number, _exception_text(error.error)))
    summary.errors = sorted(errors, key=lambda e: (e.row or 0))
    summary.outcomes = [
        RowOutcome(row.outcome_row, row.outcome) for row in result.rows
        if getattr(row, "outcome", "") and row.is_valid()
    ]
    if summary.errors and resource.file_error:
        summary.created = summary.updated = summary.unchanged = 0
    return summary


def _exception_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    text = str(error)
    if isinstance(error, (ValueError, KeyError)) and text:
        return text.strip("'\"")
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def import_dataset(
    kind: str, dataset: tablib.Dataset, *, dry_run: bool = False, progress: StageProgress | None = None,
    actor=None, reason: str = "",
) -> ImportSummary:
    """Check every row (a dry run) and, when none is invalid and `dry_run` is false, import them:
    all or nothing, in one transaction, recorded in the history as "import". `actor`: the user
    importing, held to the region rules (None: the system); `reason`: an administrator's reason
    for correcting a closed fiscal year (also recorded on the assignments a file corrects).
    `progress(stage, row, total)` is called after each row of each stage ("check", then "import").

    Returns the ImportSummary of the import (of the check when it found errors or `dry_run`).
    Raises UnknownKind; a row or the file invalid is in the summary's errors, never raised."""
    cls = resource_class(kind)

    def stage(name):
        return None if progress is None else (lambda number, total: progress(name, number, total))

    with audit.entry_point(audit.IMPORT), transaction.atomic():
        checker = cls(progress=stage("check"))
        summary = summarize(checker, checker.import_data(dataset, dry_run=True, user=actor, reason=reason), dry_run=True)
        if summary.errors or dry_run:
            return summary
        importer = cls(progress=stage("import"))
        summary = summarize(importer, importer.import_data(dataset, dry_run=False, user=actor, reason=reason), dry_run=False)
        if summary.errors:  # changed since the check (another user's write): keep nothing
            transaction.set_rollback(True)
        return summary


def import_file(
    kind: str,
    source,
    format: str | None = None,
    dry_run: bool = False,
    *,
    progress: StageProgress | None = None,
    reason: str = "",
) -> ImportSummary:
    """Import a CSV or XLSX file (path, bytes or open file) of `kind` records (`reason`: as
    `import_dataset`'s).

    Raises UnknownKind or UnreadableFile; invalid rows are reported in the summary's errors
    (and then nothing is written)."""
    resource_class(kind)
    return import_dataset(kind, read_dataset(source, format), dry_run=dry_run, progress=progress, reason=reason)


def export_dataset(kind: str, queryset=None) -> tablib.Dataset:
    """Every record of `kind` (or those of `queryset`, a queryset of the kind's model) as a
    tablib.Dataset with the import's columns, in a stable order. Raises UnknownKind."""
    resource = resource_class(kind)()
    return resource.export(queryset=resource.get_queryset() if queryset is None else queryset)


def export(kind: str, format: str = "csv") -> bytes:
    """Every record of `kind` as the bytes of a CSV (UTF-8) or XLSX file, ready to be imported
    again. Raises UnknownKind, or UnreadableFile for a format other than csv or xlsx."""
    return render(export_dataset(kind), format, title=kind)
