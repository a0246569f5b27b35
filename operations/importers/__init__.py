"""Bulk import and export of agencies, JFO units, officers and assignments (CSV and XLSX).

Records are identified by natural keys, never by database ids: agencies and JFO units by
acronym, officers by employee number, regions, programs and threats by code, and an
assignment by (employee number, JFO acronym, start date) — or, when its start date was
edited, as the one stored assignment of that officer and unit its period overlaps (the
matching rule: `AssignmentResource`, `services.assignment_import_match`). Exports use the same
columns as imports, so a file exported and imported again changes nothing.

The resource classes are django-import-export resources, usable as `resource_classes` of a
ModelAdmin. Whoever calls them, an import:

* validates every row with the model's `full_clean()`; assignment rows also with the FTE
  invariant over the whole file (`services.check_allocation(row, pending=<the file's other
  rows>)`), so a file whose rows together put an officer above 1.00 FTE is refused even when
  each row alone fits;
* is all or nothing: if any row is invalid, the transaction is rolled back and nothing is
  written (`import_data` always runs in a transaction and rolls back on validation errors);
* saves each changed row with `.save()` (never in bulk), inside `audit.entry_point(IMPORT)`,
  so simple-history records every change with the change reason "import"; unchanged rows
  (`skip_unchanged`, with a set comparison for threats, leads and partners) are not saved.

The function API (`import_file`, `import_dataset`, `export`, `export_dataset`, `render`) is
what the `import_records` and `export_records` commands use: it checks a file with a dry run
first and writes only when the dry run found no error, all in one transaction.

Rows are numbered from 1, the first row below the header row, as in the admin's import page.

The package, by concern: `widgets` (cell values and their conversions), `fields` (columns that
compare or save differently), `base` (what every resource shares), `resources` (the four kinds),
`files` (reading and writing CSV and XLSX), `run` (the function API). Import from the package.
"""

from .base import RegistryResource, RowProgress
from .files import CONTENT_TYPES, FORMATS, XLSX_CONTENT_TYPE, UnreadableFile, guess_format, read_dataset, render
from .resources import (
    KINDS, RESOURCES, AgencyResource, AssignmentResource, JointForceOperationResource, OfficerResource,
    UnknownKind, resource_class,
)
from .run import ImportSummary, RowError, RowOutcome, StageProgress, export, export_dataset, import_dataset, import_file, summarize
from .widgets import cell_text

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "KINDS",
    "RESOURCES",
    "XLSX_CONTENT_TYPE",
    "AgencyResource",
    "AssignmentResource",
    "ImportSummary",
    "JointForceOperationResource",
    "OfficerResource",
    "RegistryResource",
    "RowError",
    "RowOutcome",
    "RowProgress",
    "StageProgress",
    "UnknownKind",
    "UnreadableFile",
    "cell_text",
    "export",
    "export_dataset",
    "guess_format",
    "import_dataset",
    "import_file",
    "read_dataset",
    "render",
    "resource_class",
    "summarize",
]
