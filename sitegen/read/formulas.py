"""Formula cells that carry no usable value: an error (#N/A, #DIV/0!, …) or no cached result at all.

python-calamine gives both as an empty cell, which would read as "not filled in". The xlsx check streams
every worksheet part anyway (workbook.check_package); it notes which parts hold a formula or an error
cell (a substring test per chunk), and only those parts are parsed again here, cell by cell, to find the
cells calamine emptied. Each is replaced in the grid by a `CellProblem`, which the row reader reports at
its cell ("公式出错（#N/A）", "这个公式没有计算结果").

How the tools leave formulas (the tests build each):
- Excel, WPS: `<c t="e"><f>…</f><v>#N/A</v></c>` for an error; a cached value otherwise.
- LibreOffice: the same, with `<f aca="false">`.
- openpyxl (and pandas through it): `<f>…</f><v/>` or `<f>…</f><v></v>`: no cached value.
- xlsxwriter (and pandas through it): `<f>…</f><v>0</v>` (or `<v></v>` for strings) unless the caller gave
  a value, with `<calcPr fullCalcOnLoad="1"/>` in the workbook: a 0 there is no result either.
- a text cell that holds exactly an error code (`#N/A` in a .csv saved by Excel, an .ods error cell)
  reads the same way (`problem_of_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

ERROR_CODES = ("#N/A", "#DIV/0!", "#REF!", "#NAME?", "#VALUE!", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
               "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#N/A!")
_ERROR_SET = frozenset(ERROR_CODES)


class CellProblem:
    """A cell whose formula gave no value: `code` is the error code ("#N/A"), or "" when uncached."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellProblem) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("CellProblem", self.code))

    def __repr__(self) -> str:
        return f"CellProblem({self.code!r})"

    def __str__(self) -> str:
        return self.code

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return CellProblem, (self.code,)


UNCACHED = CellProblem("")


def problem_of_text(value: object) -> CellProblem | None:
    """A text cell that is exactly an error code (as CSV and ODS keep a formula error)."""
    if value.__class__ is str and value[:1] == "#":
        s = value.strip().upper()  # type: ignore[attr-defined]
        if s in _ERROR_SET:
            return CellProblem(s)
    return None


# a quick test on a stream chunk (tags never split): may say yes for a part without any (a <formula1> of
# a data validation): the scan below then finds nothing
def may_hold_problems(body: bytes) -> bool:
    return b"<f" in body or b't="e"' in body or b"t='e'" in body or b":f" in body


_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*?)(/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_R = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\s*([A-Za-z]{1,3})([0-9]{1,7})\s*[\"']")
_T = re.compile(rb"(?:^|\s)t\s*=\s*[\"']([a-zA-Z]+)[\"']")
_F = re.compile(rb"<(?:[\w.-]+:)?f(?=[\s/>])")
_V = re.compile(rb"<(?:[\w.-]+:)?v\s*>(.*?)</(?:[\w.-]+:)?v>|<(?:[\w.-]+:)?v\s*/>", re.S)


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n - 1


def scan_problems(xml: bytes, *, full_calc_on_load: bool = False) -> dict[tuple[int, int], CellProblem]:
    """(row, col) 0-based -> the problem of each formula or error cell of one worksheet part."""
    out: dict[tuple[int, int], CellProblem] = {}
    for m in _CELL.finditer(xml):
        attrs, inner = m.group(1), m.group(3)
        t = _T.search(attrs)
        kind = t.group(1) if t else b"n"
        is_error = kind == b"e"
        has_f = inner is not None and _F.search(inner) is not None
        if not is_error and not has_f:
            continue
        r = _R.search(attrs)
        if r is None:
            continue  # without its position the cell cannot be placed (Excel, WPS and LibreOffice write r)
        pos = (int(r.group(2)) - 1, _col(r.group(1)))
        v = _V.search(inner) if inner is not None else None
        value = (v.group(1) or b"") if v is not None else b""
        if is_error:
            code = value.decode("utf-8", "replace").strip().upper()
            out[pos] = CellProblem(code if code in _ERROR_SET else (code or "#VALUE!"))
        elif not value.strip():
            out[pos] = UNCACHED
        elif full_calc_on_load and kind == b"n" and value.strip() == b"0":
            out[pos] = UNCACHED  # xlsxwriter's placeholder: the workbook asks to be recalculated on opening
    return out


def apply_problems(rows: list[list[object]], problems: dict[tuple[int, int], CellProblem]) -> None:
    """Put each problem into the grid, growing it where calamine left an uncached cell out of its range."""
    for (r, c), p in problems.items():
        if r >= 300_000 or c >= 400:
            continue
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        cur = row[c]
        if p is UNCACHED and not (cur == "" or cur is None or cur == 0):
            continue  # calamine found a value after all
        # an error cell is replaced whatever calamine made of it ("", or 0 for an .ods error of a number)
        row[c] = p


def mark_text_problems(rows: list[list[object]]) -> None:
    """Text cells that are exactly an error code become CellProblems (CSV, ODS)."""
    for row in rows:
        for c, v in enumerate(row):
            if v.__class__ is str and v[:1] == "#":  # type: ignore[index]
                p = problem_of_text(v)
                if p is not None:
                    row[c] = p


# ---------------------------------------------------------------- xlsb (BIFF12 records)

_XLSB_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def xlsb_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(record type, payload start, payload end) of each record of a BIFF12 part."""
    i, n = 0, len(data)
    while i < n:
        typ = data[i]
        i += 1
        if typ & 0x80:
            if i >= n:
                return
            typ = (typ & 0x7F) | ((data[i] & 0x7F) << 7)
            i += 1
        size = shift = 0
        for _ in range(4):
            if i >= n:
                return
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if i + size > n:
            return
        yield typ, i, i + size
        i += size


def scan_xlsb_problems(data: bytes) -> dict[tuple[int, int], CellProblem]:
    """(row, col) -> problem of each error cell (BrtCellError) and formula error (BrtFmlaError) of an xlsb
    worksheet part. calamine gives the first as an empty cell and skips the second. Excel always stores a
    formula's result in an xlsb, so there is no uncached case."""
    out: dict[tuple[int, int], CellProblem] = {}
    row = 0
    for typ, a, b in xlsb_records(data):
        if typ == 0x00 and b - a >= 4:  # BrtRowHdr
            row = int.from_bytes(data[a:a + 4], "little")
        elif typ in (0x03, 0x0B) and b - a >= 9:  # BrtCellError, BrtFmlaError
            col = int.from_bytes(data[a:a + 4], "little")
            out[(row, col)] = CellProblem(_XLSB_ERRORS.get(data[a + 8], "#VALUE!"))
        elif typ == 0x92:  # BrtEndSheetData
            break
    return out


def xlsb_sheet_parts(workbook_bin: bytes, rels: dict[str, str]) -> list[str]:
    """The worksheet part of each sheet of an xlsb, in workbook order (BrtBundleSh records)."""
    parts = []
    for typ, a, b in xlsb_records(workbook_bin):
        if typ == 0x90:  # BrtEndBundleShs
            break
        if typ != 0x9C or b - a < 12:  # BrtBundleSh
            continue
        n = int.from_bytes(workbook_bin[a + 8:a + 12], "little")
        if n == 0xFFFFFFFF or a + 12 + 2 * n > b:
            continue  # calamine lists no sheet for it either
        rid = workbook_bin[a + 12:a + 12 + 2 * n].decode("utf-16-le", "replace")
        parts.append(rels.get(rid, ""))
    return parts
