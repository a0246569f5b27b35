"""Reading and writing the files: CSV (UTF-8 or Windows-1252, ',' ';' or tab) and XLSX.

A file read becomes a tablib.Dataset whose first row is the header row, every cell as it was
before export (`jfo_registry.core.spreadsheets.restore`); a dataset written is every cell as text,
neutralised against formulas. Whatever cannot be read raises UnreadableFile with a message
for the person who gave the file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import openpyxl
import tablib
from django.utils.translation import gettext as _

from jfo_registry.core import spreadsheets

from .widgets import cell_text, is_blank

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX_CONTENT_TYPE}


class UnreadableFile(ValueError):
    """The file cannot be read as CSV or XLSX (missing, corrupt, wrong encoding, no header row)."""


def unknown_format(format: str) -> UnreadableFile:
    """The error of a format that is neither csv nor xlsx (to raise)."""
    return UnreadableFile(_("Unknown format '%(format)s': use csv or xlsx.") % {"format": format})


def guess_format(name: str | os.PathLike) -> str:
    """'csv' or 'xlsx' from a file name's extension (any case). Raises UnreadableFile for another."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise UnreadableFile(
        _("Cannot tell the format of '%(name)s' from its extension: use .csv or .xlsx, or give the format.")
        % {"name": Path(name).name}
    )


def _read_bytes(source) -> tuple[bytes, str | None]:
    """(content, file name or None) of a path, bytes or an open (binary or text) file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except FileNotFoundError:
            raise UnreadableFile(_("Cannot read '%(path)s': no such file.") % {"path": path}) from None
        except IsADirectoryError:
            raise UnreadableFile(_("Cannot read '%(path)s': it is a directory.") % {"path": path}) from None
        except OSError as error:
            raise UnreadableFile(
                _("Cannot read '%(path)s': %(reason)s.") % {"path": path, "reason": error.strerror or error}
            ) from None
    if hasattr(source, "read"):
        content = source.read()
        if isinstance(content, str):
            content = content.encode("utf-8")
        return content, getattr(source, "name", None)
    raise UnreadableFile(
        _("Cannot read a %(type)s: give a path, bytes or an open file.") % {"type": type(source).__name__}
    )


def _trim(rows: list[list]) -> list[list]:
    """Drop the empty rows at the end (spreadsheets keep formatted but empty rows)."""
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    return rows


def _dataset(headers: list, rows: list[list]) -> tablib.Dataset:
    """The file's rows as a dataset, each cell as it was before export (`spreadsheets.restore`)."""
    if not headers or all(is_blank(h) for h in headers):
        raise UnreadableFile(_("The file has no header row."))
    width = len(headers)
    while width and is_blank(headers[width - 1]) and all(len(r) < width or is_blank(r[width - 1]) for r in rows):
        width -= 1  # unnamed empty columns at the right
    for index, header in enumerate(headers[:width]):
        if is_blank(header) and any(len(r) > index and not is_blank(r[index]) for r in rows):
            raise UnreadableFile(
                _("Column %(number)s has values but no name in the header row.") % {"number": index + 1}
            )
    dataset = tablib.Dataset(headers=[cell_text(h) for h in headers[:width]])
    for number, row in enumerate(_trim(rows), 1):
        row = list(row)
        extra = row[width:]
        if any(not is_blank(v) for v in extra):
            raise UnreadableFile(
                _("Row %(number)s has more values than the header row has columns.") % {"number": number}
            )
        row = row[:width] + [""] * (width - len(row))
        dataset.append([spreadsheets.restore(value) for value in row])
    return dataset


def _read_csv(content: bytes) -> tablib.Dataset:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UnreadableFile(_("The CSV file is neither UTF-8 nor Windows-1252 text."))
    if "\x00" in text:
        raise UnreadableFile(_("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # French Excel writes ';'
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from None
    if not rows:
        raise UnreadableFile(_("The file is empty."))
    return _dataset(rows[0], rows[1:])


def _read_xlsx(content: bytes) -> tablib.Dataset:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException, …
        raise UnreadableFile(
            _("The file is not a readable XLSX workbook (%(error)s).") % {"error": type(error).__name__}
        ) from None
    try:
        sheet = workbook.active
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store wrong dimensions; read every cell
        rows = [["" if v is None else v for v in r] for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise UnreadableFile(_("The workbook's first sheet is empty."))
    return _dataset(rows[0], rows[1:])


def read_dataset(source, format: str | None = None) -> tablib.Dataset:
    """A CSV or XLSX file (a path, bytes or an open binary or text file) as a tablib.Dataset:
    headers from the first row, one row per line below it, trailing empty rows dropped.

    `format` ('csv' or 'xlsx'; None: from the file name, else from the content's signature).
    Raises UnreadableFile (missing, empty, corrupt, unknown format, values outside the header)."""
    content, name = _read_bytes(source)
    if format is None:
        if name:
            format = guess_format(name)
        else:
            format = "xlsx" if content[:4] == b"PK\x03\x04" else "csv"
    format = format.lower()
    if format not in FORMATS:
        raise unknown_format(format)
    if not content.strip():
        raise UnreadableFile(_("The file is empty."))
    return _read_xlsx(content) if format == "xlsx" else _read_csv(content)


def render(dataset: tablib.Dataset, format: str = "csv", title: str = "records") -> bytes:
    """A dataset as CSV (UTF-8) or XLSX bytes, every cell text, through `jfo_registry.core.spreadsheets`
    (cells that would start a formula get a leading apostrophe, which the import removes).
    `title` names the XLSX sheet. Raises UnreadableFile for a format other than csv or xlsx."""
    format = (format or "").lower()
    if format == "csv":
        return spreadsheets.csv_text([dataset.headers or [], *dataset]).encode("utf-8")
    if format == "xlsx":
        return spreadsheets.xlsx_bytes(
            dataset.headers or [], ([str(v) if v is not None else "" for v in row] for row in dataset), title=title
        )
    raise unknown_format(format)
