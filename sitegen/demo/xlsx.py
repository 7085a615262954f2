"""Write a workbook with openpyxl or xlsxwriter, reproducibly (fixed properties and zip timestamps)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..cells import parse_a1

WRITERS = ("openpyxl", "xlsxwriter")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    rows: list[list[object]]  # row-major from A1; [] is a blank row; None is an empty cell
    merges: tuple[str, ...] = ()  # A1 ranges, e.g. "A1:H1"
    widths: tuple[float, ...] = ()  # column widths from column A


def write_book(path: Path, sheets: Sequence[SheetSpec], writer: str, *, author: str, created: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if writer == "openpyxl":
        _write_openpyxl(path, sheets, author, created)
    elif writer == "xlsxwriter":
        _write_xlsxwriter(path, sheets, author, created)
    else:
        raise ValueError(f"unknown writer {writer!r}; expected one of {WRITERS}")


def _write_openpyxl(path: Path, sheets: Sequence[SheetSpec], author: str, created: datetime) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    merged = any(s.merges for s in sheets)
    wb = Workbook(write_only=not merged)  # write-only streams big sheets but cannot merge cells
    if merged:
        wb.remove(wb.active)
    wb.properties.creator = author
    wb.properties.created = created
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        if merged:
            for i, w in enumerate(spec.widths):
                ws.column_dimensions[get_column_letter(i + 1)].width = w
        for row in spec.rows:
            ws.append(row)
        for rng in spec.merges:
            ws.merge_cells(rng)
    wb.save(path)
    _normalise_zip(path, created)


def _normalise_zip(path: Path, created: datetime) -> None:
    """openpyxl stamps the save time into the zip entries and docProps/core.xml: fix both."""
    with zipfile.ZipFile(path) as z:
        items = [(info.filename, z.read(info)) for info in z.infolist()]
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def _write_xlsxwriter(path: Path, sheets: Sequence[SheetSpec], author: str, created: datetime) -> None:
    import xlsxwriter

    merged = any(s.merges for s in sheets)
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": not merged,  # rows are flushed as written: merges would need earlier rows
        "default_date_format": "yyyy-mm-dd",
        "strings_to_urls": False,
        "strings_to_formulas": False,
    })
    wb.set_properties({"author": author, "created": created})
    for spec in sheets:
        ws = wb.add_worksheet(spec.name)
        for i, w in enumerate(spec.widths):
            ws.set_column(i, i, w)
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                # the typed write_* methods skip write()'s dispatch: about a third faster on big sheets
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, (date, datetime)):
                    ws.write_datetime(r, c, value)
                elif value is not None:
                    ws.write_number(r, c, value)
        for rng in spec.merges:
            first, last = rng.split(":")
            (r1, c1), (r2, c2) = parse_a1(first), parse_a1(last)
            top = spec.rows[r1][c1] if r1 < len(spec.rows) and c1 < len(spec.rows[r1]) else None
            ws.merge_range(r1, c1, r2, c2, top)
    wb.close()
