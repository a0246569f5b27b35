"""Text that a spreadsheet would run as a formula, and the checks every CSV and XLSX export must
pass: each such text comes out behind an apostrophe, no cell is a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl

# A record named like one of these must come out of every export neutralised.
PAYLOADS = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\rx")
STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same as read back from an XLSX: XML reads a carriage return as a line feed.
XLSX_PAYLOADS = tuple(payload.replace("\r", "\n") for payload in PAYLOADS)


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for cell in row]


def xlsx_cells(content: bytes) -> list:
    """Every cell of every sheet; fails if one is stored as a formula."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                cells.append(cell.value)
    return cells


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_neutralised(cells: list, payloads=PAYLOADS) -> None:
    """Each payload appears behind an apostrophe (alone or leading a joined cell), never bare;
    any other cell starting like a formula is a number (a CSV holds numbers as text)."""
    texts = [cell for cell in cells if isinstance(cell, str)]
    for payload in payloads:
        assert any(cell.startswith("'" + payload) for cell in texts), f"{payload!r} is not in the export"
    for cell in texts:
        if cell.startswith(STARTS):
            assert _is_number(cell) and cell not in payloads, f"{cell!r} would be read as a formula"
