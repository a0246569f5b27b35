"""Every CSV and XLSX file the registry writes goes through here, so no cell of ours is ever
read as a formula (OWASP "CSV injection").

A text cell that a spreadsheet would take for a formula or a command — one starting with `=`,
`+`, `-`, `@`, a tab or a line break — is written with a leading apostrophe, which every
spreadsheet reads as "text follows". Numbers are not text: -2.5 is written as the number it is.
Text that already starts with an apostrophe followed by one of those characters gets one more,
so `restore` gives back exactly what was written, and a file we export imports unchanged.

XLSX cells are written as values, never as formulas (openpyxl would store any text starting
with `=` as a formula otherwise).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

import openpyxl
import tablib
from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

#: What makes a spreadsheet read a text cell as a formula or a command; and a line feed, which
#: is what an XLSX gives back for a carriage return (XML reads one as the other).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"
# Text `neutralise` quotes: a formula start, after any apostrophes it added before.
_QUOTED = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")


def neutralise(value):
    """A cell as written: text that would start a formula gets a leading apostrophe; numbers,
    dates, booleans and None are returned as they are."""
    if isinstance(value, str) and _QUOTED.match(value):
        return QUOTE + value
    return value


def restore(value):
    """A cell as it was before `neutralise`: one leading apostrophe removed where `neutralise`
    added it; any other value is returned as it is."""
    if isinstance(value, str) and value.startswith(QUOTE) and _QUOTED.match(value, 1):
        return value[1:]
    return value


def restore_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of `dataset` with every cell restored (headers included)."""
    restored = tablib.Dataset(headers=[restore(h) for h in dataset.headers] if dataset.headers else None)
    for row in dataset:
        restored.append([restore(value) for value in row])
    return restored


def csv_text(rows: Iterable[Sequence]) -> str:
    """Rows (the first is the header row) as CSV text: comma-separated, CRLF line ends, None as
    an empty cell, text cells neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([("" if value is None else neutralise(value)) for value in row] for row in rows)
    return out.getvalue()


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "records") -> bytes:
    """One sheet named `title` (cut to Excel's 31 characters): a bold, frozen header row, then
    the rows. Text stays text (neutralised, never a formula; characters XML cannot hold are
    dropped), numbers stay numbers, None is an empty cell; columns sized to their content."""
    def cell(value):
        if isinstance(value, str):
            return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([cell(str(h)) for h in headers])
    for header in sheet[1]:
        header.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for values in rows:
        sheet.append([cell(v) for v in values])
    for column in sheet.columns:
        width = max((len(str(c.value if c.value is not None else "")) for c in column[:200]), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class CSVFormat(base_formats.CSV):
    """django-import-export's CSV (the admin's import and export) through this module: exports
    neutralised, imports restored. (Its own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a
    leading '=': it loses data and lets '+', '-', '@', tab and CR through.)"""

    def export_data(self, dataset, **kwargs):
        return csv_text([dataset.headers or [], *dataset])

    def create_dataset(self, in_stream, **kwargs):
        return restore_dataset(super().create_dataset(in_stream, **kwargs))


class XLSXFormat(base_formats.XLSX):
    """django-import-export's XLSX through this module: value cells only, neutralised on export,
    restored on import."""

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset.headers or [], dataset, title=dataset.title or "records")

    def create_dataset(self, in_stream):
        return restore_dataset(super().create_dataset(in_stream))


#: The file formats of the admin's import and export pages.
FILE_FORMATS = [CSVFormat, XLSXFormat]
