"""Open one workbook safely and return its sheets as plain grids.

The fast path is python-calamine. Before it runs, the file is checked: its magic bytes (an .xls renamed
.xlsx, an encrypted workbook, a file that is not a workbook at all), the sizes inside the zip (a zip
bomb, also one whose headers lie), XML that declares entities (an XML bomb), a shared-strings table
that claims billions of strings, and the extent of every sheet (a used range of a million rows by 16,384
columns would make any dense reader allocate hundreds of gigabytes, and calamine aborts the process).
Files that fail a check raise `ReadFailure` with an issue code and a reason in plain words; a sheet
whose extent is absurd is read in its top-left corner only, by a streaming reader.

The extent scan is written against calamine's behaviour, tested on crafted files: a cell's position comes
from its own `r` attribute (letters in either case, any number of digits), else from the cell before it;
attributes may come in any order and with either quote; prefixed elements (`<x:c>`) are ignored.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from .formulas import (
    UNCACHED,
    CellProblem,
    apply_problems,
    may_hold_problems,
    scan_problems,
    scan_xlsb_problems,
    xlsb_sheet_parts,
)

# Bounds that keep a build within time and memory whatever the input (see README, security section).
MAX_FILE_BYTES = 200 * 1024 * 1024  # a workbook on disk
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # all parts of one workbook, inflated
MAX_ROWS = 300_000  # per sheet
MAX_COLS = 400  # per sheet
MAX_CELLS = 6_000_000  # per sheet (rows x cols of the used extent)
MAX_TOTAL_CELLS = 12_000_000  # per workbook, all sheets
FALLBACK_CELLS = 400_000  # cells read from the top-left corner of a sheet that is too large
FALLBACK_ROWS = 50_000  # rows read from the top of a sheet that is too large
MAX_TAG_BYTES = 1 << 20  # one XML tag (attributes included)
CHUNK = 1 << 22

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_HUGE = 10**12  # a row or column number beyond anything real


class ReadFailure(Exception):
    def __init__(self, code: str, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.code = code
        self.reason_zh = reason_zh
        self.reason_en = reason_en


@dataclass(slots=True)
class RawSheet:
    name: str
    hidden: bool
    rows: list[list[object]]  # 0-based absolute grid: rows[r][c] is cell (r, c); "" for empty
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1) inclusive
    truncated: tuple[int, int] | None = None  # (rows, cols) claimed when the sheet was cut to the bounds
    read_extent: tuple[int, int] = (0, 0)  # (rows, cols) actually read when truncated
    error: str = ""  # why this sheet could not be read (the other sheets still are)
    chart: bool = False  # a chart sheet: no cells


@dataclass(slots=True)
class RawWorkbook:
    sheets: list[RawSheet]


def _damaged(detail: str = "") -> ReadFailure:
    return ReadFailure("file-unreadable", "文件已损坏（压缩数据不完整）",
                       f"the file is damaged ({detail})" if detail else "the file is damaged")


def _encrypted() -> ReadFailure:
    return ReadFailure("file-unreadable", "文件已加密（设置了打开密码）。请取消密码后另存",
                       "the workbook is encrypted (password-protected); remove the password and save it again")


def sniff(path: Path) -> str:
    """'zip', 'ole' (xls, or an encrypted xlsx) or 'other'."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    return "other"


def _ole_is_encrypted(path: Path) -> bool:
    """An OLE compound file holding an `EncryptedPackage` stream: an encrypted xlsx (whole file scanned)."""
    tail = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                return False
            if _ENCRYPTED in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTED):]


# ---------------------------------------------------------------- extent of an xlsx sheet

# a row tag without r="1".."9999999" first, or a cell tag whose r is not "A1" .. "ZZ999999" (3+ letters,
# lower case, junk, no r at all)
_ODD_TAG = re.compile(rb'<(?:row(?=[\s/>])(?! r="[1-9][0-9]{0,6}")|c(?=[\s/>])(?! r="[A-Z]{1,2}[1-9][0-9]{0,5}"))')
_TWO_LETTERS = re.compile(rb'<c r="([A-Z]{2})[1-9]')
_ROW_NUMBERS = re.compile(rb'<row r="([0-9]+)"')
_CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,2}([0-9]+)"')


def _greater_than(n: int) -> re.Pattern[bytes]:
    """A cell tag whose row number is greater than n."""
    s = str(n)
    alts = [rb"[1-9][0-9]{%d,}" % len(s)]
    for i, ch in enumerate(s):
        if ch != "9":
            alts.append(s[:i].encode() + b"[%d-9]" % (int(ch) + 1) + rb"[0-9]{%d}" % (len(s) - i - 1))
    return re.compile(rb'<c r="[A-Z]{1,2}(?:' + b"|".join(alts) + rb')"')


_ATTRS = rb'((?:[^<>"\']|"[^"]*"|\'[^\']*\')*)>'
_TAG = re.compile(rb'<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])' + _ATTRS)
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REF = re.compile(rb"^\s*([A-Za-z]*)\s*([0-9]*)\s*$")
_COMPLETE_TAG = re.compile(rb'<[^<>"\']*(?:(?:"[^"]*"|\'[^\']*\')[^<>"\']*)*>')


def _col_index(letters: bytes) -> int:
    if len(letters) > 6:
        return _HUGE
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _int(digits: bytes) -> int:
    return _HUGE if len(digits) > 10 else int(digits)


class _TagStream:
    """Cut a stream of XML bytes into buffers that never split a tag (text may be split: it is ignored)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes) -> bytes:
        buf = self.pending + chunk
        cut = buf.rfind(b"<")
        if cut >= 0 and not _COMPLETE_TAG.match(buf, cut):
            self.pending = buf[cut:]
            if len(self.pending) > MAX_TAG_BYTES:
                raise ReadFailure("file-too-large", "工作表的 XML 内容异常（单个标签超过 1 MB）",
                                  "the sheet's XML is abnormal (a single tag above 1 MB)")
            return buf[:cut]
        self.pending = b""
        return buf

    def close(self) -> bytes:
        rest, self.pending = self.pending, b""
        return rest


class SheetExtent:
    """An upper bound of the (rows, columns) a dense reader allocates for one worksheet part, streamed."""

    def __init__(self) -> None:
        self.tags = _TagStream()
        self.max_row = 0
        self.max_col = 0
        self.row = 0  # cursor for cells without r, as calamine places them
        self.col = 0
        self.formulas = False  # a formula or an error cell may be in the part (formulas.py reads it again)

    def feed(self, chunk: bytes) -> None:
        self._scan(self.tags.feed(chunk))

    def close(self) -> tuple[int, int]:
        self._scan(self.tags.close())
        return self.max_row, self.max_col

    def _scan(self, body: bytes) -> None:
        if not body:
            return
        if not self.formulas:  # two searches per chunk; a third kind of tag (prefixed, single quotes) below
            self.formulas = b"<f" in body or b't="e"' in body
        if b"<c" not in body and b"<row" not in body and b":c" not in body and b":row" not in body:
            return  # text only (a long string, or padding): no position changes
        if b":c" in body or b":row" in body or _ODD_TAG.search(body):
            self.formulas = self.formulas or may_hold_problems(body)
            self._scan_slow(body)  # calamine reads <x:c> by its local name: prefixed tags take the slow path
            return
        has_cells = b'<c r="' in body
        # Fast path: every row tag starts with r="..", every cell tag with r="A1" .. r="ZZ999999".
        if not has_cells:
            pass
        elif _TWO_LETTERS.search(body):
            self.max_col = max(self.max_col, _col_index(max(_TWO_LETTERS.findall(body))))
        else:
            for n in range(26, self.max_col, -1):
                if b'<c r="' + bytes([64 + n]) in body:
                    self.max_col = n
                    break
        # Rows: the largest row tag, then one search proves that no cell lies below it (cells place
        # themselves by their own r, whatever row tag they sit in).
        tags = _ROW_NUMBERS.findall(body)
        top = max((int(r) for r in tags), default=0)
        if has_cells and _greater_than(max(top, self.max_row)).search(body):
            top = max(top, max(int(r) for r in _CELL_ROWS.findall(body)))
        self.max_row = max(self.max_row, top)
        # the cursor for a later cell or row without r, kept as calamine keeps it: a row's r sets the
        # row, every </row> moves to the next one; a cell's r sets the column, every cell moves one on
        last_row = body.rfind(b'<row r="')
        if last_row >= 0:
            end = body.find(b'"', last_row + 8)
            tag_end = body.find(b">", last_row)
            self.row = _int(body[last_row + 8: end]) - 1 + body.count(b"</row>", last_row) + (body[tag_end - 1: tag_end] == b"/")
        else:
            self.row += body.count(b"</row>")
        last_c = body.rfind(b'<c r="')
        row_end = max(body.rfind(b"</row>"), body.rfind(b"/>", last_row) if last_row >= 0 and last_row > last_c else -1)
        if last_c > max(row_end, last_row):
            end = body.find(b'"', last_c + 6)
            m = _REF.match(body[last_c + 6: end])
            self.col = _col_index(m.group(1)) if m and m.group(1) else self.col + 1
        elif row_end >= 0 or last_row >= 0:
            self.col = 0

    def _scan_slow(self, body: bytes) -> None:
        """Tag by tag, as calamine places cells (self.row and self.col are its 0-based cursors)."""
        for m in _TAG.finditer(body):
            closing, name, attrs = m.group(1), m.group(2), m.group(3)
            self_closing = attrs.rstrip().endswith(b"/")
            if name == b"row":
                if closing:
                    self.row, self.col = self.row + 1, 0
                    continue
                a = _R_ATTR.search(attrs)
                ref = (a.group(1) if a.group(1) is not None else a.group(2)) if a else None
                if ref is not None and ref.strip().isdigit():
                    self.row = _int(ref.strip()) - 1
                if self_closing:
                    self.row, self.col = self.row + 1, 0
                continue
            if closing:
                continue
            a = _R_ATTR.search(attrs)
            ref = (a.group(1) if a.group(1) is not None else a.group(2)) if a else None
            rm = _REF.match(ref) if ref is not None else None
            if rm and rm.group(1) and rm.group(2):
                row, col = _int(rm.group(2)) - 1, _col_index(rm.group(1)) - 1
            else:
                row, col = self.row, self.col
            self.col = col + 1
            self.max_row = max(self.max_row, row + 1)
            self.max_col = max(self.max_col, col + 1)


# ---------------------------------------------------------------- extent of an ods table

_ODS_TAG = re.compile(rb'<(/?)(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])' + _ATTRS)
_ODS_ROWS = re.compile(rb'number-rows-repeated\s*=\s*["\']\s*(\d+)')
_ODS_COLS = re.compile(rb'number-columns-repeated\s*=\s*["\']\s*(\d+)')
_ODS_SPAN_ROWS = re.compile(rb'number-rows-spanned\s*=\s*["\']\s*(\d+)')
_ODS_SPAN_COLS = re.compile(rb'number-columns-spanned\s*=\s*["\']\s*(\d+)')
MAX_MERGES = 20_000  # merged ranges kept per sheet


class OdsExtents:
    """Upper bounds of the cells calamine places for each table of an ODS content.xml (repeats counted)."""

    def __init__(self) -> None:
        self.tags = _TagStream()
        self.tables: list[tuple[int, int]] = []
        self.merges: list[list[tuple[int, int, int, int]]] = []  # per table, calamine does not give them
        self.merged: list[tuple[int, int, int, int]] = []
        # per table, the formula cells without a value: calamine reads an error cell as 0 or "" (issue 15)
        self.problems: list[dict[tuple[int, int], CellProblem]] = []
        self.table_problems: dict[tuple[int, int], CellProblem] = {}
        self.row = 0
        self.col = 0
        self.rep = 1
        self.max_row = 0
        self.max_col = 0

    def feed(self, chunk: bytes) -> None:
        self._scan(self.tags.feed(chunk))

    def close(self) -> list[tuple[int, int]]:
        self._scan(self.tags.close())
        return self.tables

    def _scan(self, body: bytes) -> None:
        for m in _ODS_TAG.finditer(body):
            closing, name, attrs = m.group(1), m.group(2), m.group(3)
            if name == b"table":
                if closing:
                    self.tables.append((self.max_row, self.max_col))
                    self.merges.append(self.merged)
                    self.problems.append(self.table_problems)
                else:
                    self.row = self.col = self.max_row = self.max_col = 0
                    self.merged = []
                    self.table_problems = {}
                continue
            if name == b"table-row":
                if closing:
                    self.row += self.rep
                else:
                    r = _ODS_ROWS.search(attrs)
                    self.rep = max(1, _int(r.group(1))) if r else 1
                    self.col = 0
                    if attrs.rstrip().endswith(b"/"):
                        self.row += self.rep
                continue
            if closing:
                continue
            c = _ODS_COLS.search(attrs)
            n = max(1, _int(c.group(1))) if c else 1
            empty = attrs.rstrip().endswith(b"/") and b"value-type" not in attrs
            if b"formula" in attrs and (b'value-type="error"' in attrs or b"value-type" not in attrs):
                self._problem(body, m.end(), b"value-type" in attrs, n)
            if b"spanned" in attrs and self.rep == 1 and n == 1 and len(self.merged) < MAX_MERGES:
                sr, sc = _ODS_SPAN_ROWS.search(attrs), _ODS_SPAN_COLS.search(attrs)
                rows, cols = (_int(sr.group(1)) if sr else 1), (_int(sc.group(1)) if sc else 1)
                if (rows > 1 or cols > 1) and rows <= MAX_ROWS and cols <= MAX_COLS:
                    self.merged.append((self.row, self.col, self.row + rows - 1, self.col + cols - 1))
            self.col += n
            if not empty:
                self.max_col = max(self.max_col, self.col)
                self.max_row = max(self.max_row, self.row + self.rep)


    def _problem(self, body: bytes, end: int, error: bool, repeat: int) -> None:
        """An error cell (its code is the text that follows the tag), or a formula without any value."""
        p = UNCACHED
        if error:
            t = _ODS_TEXT.match(body, end)
            code = t.group(1).decode("utf-8", "replace").strip().upper() if t else ""
            p = CellProblem(code if code.startswith("#") else "#VALUE!")
        for dr in range(min(self.rep, 1000)):
            for dc in range(min(repeat, MAX_COLS)):
                if len(self.table_problems) < MAX_PROBLEMS:
                    self.table_problems[(self.row + dr, self.col + dc)] = p


_ODS_TEXT = re.compile(rb"\s*<(?:[\w.-]+:)?p(?:\s[^>]*)?>([^<]{1,40})<")
MAX_PROBLEMS = 200_000  # formula cells without a value remembered per table


# ---------------------------------------------------------------- the zip package

_SST_UNIQUE = re.compile(rb'<(?:[\w.-]+:)?sst\b[^>]*?\buniqueCount\s*=\s*["\']\s*(\d+)')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(slots=True)
class Package:
    """What the checks learnt about a zip workbook: the extent of each sheet, by sheet name."""

    extents: dict[str, tuple[int, int]]  # sheet name -> (rows, cols)
    parts: dict[str, tuple[int, int]]  # worksheet part -> (rows, cols)
    worst: tuple[int, int] = (0, 0)  # for a sheet whose part is unknown
    ods: bool = False
    ods_merges: list[list[tuple[int, int, int, int]]] = field(default_factory=list)  # per table
    ods_problems: list[dict[tuple[int, int], CellProblem]] = field(default_factory=list)  # per table
    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet name -> worksheet part
    formula_parts: set[str] = field(default_factory=set)  # parts that may hold formula or error cells
    full_calc_on_load: bool = False  # the workbook asks to be recalculated when opened (xlsxwriter)


def _sheet_parts(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Sheet name -> worksheet part, from xl/workbook.xml and its relationships ({} when unreadable)."""
    from defusedxml import ElementTree

    try:
        wb_part = "xl/workbook.xml"
        if "_rels/.rels" in names:
            for rel in ElementTree.fromstring(zf.read("_rels/.rels")):
                if str(rel.get("Type", "")).endswith("/officeDocument"):
                    wb_part = posixpath.normpath(str(rel.get("Target", "")).lstrip("/"))
        rels_part = posixpath.join(posixpath.dirname(wb_part), "_rels", posixpath.basename(wb_part) + ".rels")
        if wb_part not in names or rels_part not in names:
            return {}
        if zf.getinfo(wb_part).file_size > 8 << 20 or zf.getinfo(rels_part).file_size > 8 << 20:
            return {}
        targets = {}
        for rel in ElementTree.fromstring(zf.read(rels_part)):
            target = str(rel.get("Target", ""))
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(wb_part), target)
            targets[rel.get("Id")] = posixpath.normpath(path)
        out: dict[str, str] = {}
        for el in ElementTree.fromstring(zf.read(wb_part)).iter():
            if el.tag.rsplit("}", 1)[-1] != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            if rid in targets and el.get("name") is not None:
                out[str(el.get("name"))] = targets[rid]
        return out
    except Exception:  # any damage here: the caller then assumes the worst extent for every sheet
        return {}


def check_package(path: Path) -> Package:
    """Check an xlsx/xlsm/ods zip before any reader sees it."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise ReadFailure("file-unreadable", "文件已损坏（不是完整的 xlsx 压缩包，可能没有保存完或传输中断）",
                          "the file is damaged (not a complete xlsx zip; maybe saved half-way)") from None
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        ods = "mimetype" in names and "content.xml" in names
        if "[Content_Types].xml" not in names and not ods:
            raise ReadFailure("file-unreadable", "这是一个压缩包，但不是 Excel 工作簿", "a zip file, but not an Excel workbook")
        if len(infos) > 10_000:
            raise ReadFailure("file-too-large", f"压缩包内有 {len(infos)} 个部件，内容异常", f"{len(infos)} parts in the zip: abnormal")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNZIPPED_BYTES:
            raise ReadFailure("file-too-large", f"解压后 {declared >> 20} MB，超过上限 {MAX_UNZIPPED_BYTES >> 20} MB",
                              f"{declared >> 20} MB when unzipped, above the limit of {MAX_UNZIPPED_BYTES >> 20} MB")
        if any(i.flag_bits & 0x1 for i in infos):
            raise _encrypted()
        parts: dict[str, tuple[int, int]] = {}
        formula_parts: set[str] = set()
        ods_tables: list[tuple[int, int]] = []
        ods_merges: list[list[tuple[int, int, int, int]]] = []
        ods_problems: list[dict[tuple[int, int], CellProblem]] = []
        total = 0
        for info in infos:
            name = info.filename
            is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml") and not ods
            is_content = ods and name == "content.xml"
            is_xml = name.endswith((".xml", ".rels", ".vml"))
            scanner: SheetExtent | OdsExtents | None = SheetExtent() if is_sheet else OdsExtents() if is_content else None
            size = 0
            sst_unique = -1
            # Inflate in chunks with a cap: the sizes in the zip headers may lie.
            try:
                with zf.open(info) as fh:
                    first = True
                    while True:
                        chunk = fh.read(CHUNK)
                        if not chunk:
                            break
                        size += len(chunk)
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise ReadFailure("file-too-large", f"解压后超过 {MAX_UNZIPPED_BYTES >> 20} MB（疑似压缩炸弹）",
                                              f"more than {MAX_UNZIPPED_BYTES >> 20} MB when unzipped (a zip bomb?)")
                        if first and is_xml:
                            head = chunk[:65536]
                            if _DTD.search(head):
                                raise ReadFailure("file-unreadable",
                                                  f"部件 {name[:80]} 含有 XML 实体声明（Excel 从不写入，疑似 XML 炸弹）",
                                                  f"part {name[:80]} declares XML entities (Excel never does: an XML bomb?)")
                            m = _SST_UNIQUE.search(head)
                            if m:
                                sst_unique = _int(m.group(1))
                        first = False
                        if scanner is not None:
                            scanner.feed(chunk)
            except ReadFailure:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
                raise _damaged(_short(exc)) from None
            if sst_unique > size // 4 + 1000:
                # calamine reserves room for every announced string before reading one
                raise ReadFailure("file-unreadable",
                                  f"共享字符串表声称有 {sst_unique} 个字符串，与文件内容不符（文件损坏或被篡改）",
                                  f"the shared-strings table claims {sst_unique} strings, more than it can hold (damaged or forged)")
            if isinstance(scanner, SheetExtent):
                parts[name] = scanner.close()
                if scanner.formulas:
                    formula_parts.add(name)
            elif isinstance(scanner, OdsExtents):
                ods_tables = scanner.close()
                ods_merges = scanner.merges
                ods_problems = scanner.problems
        if ods:
            return Package({}, {f"#{i}": e for i, e in enumerate(ods_tables)},
                           max(ods_tables, key=lambda e: e[0] * e[1], default=(0, 0)), ods=True, ods_merges=ods_merges,
                           ods_problems=ods_problems)
        by_part = _sheet_parts(zf, names)
        full_calc = bool(formula_parts) and _full_calc_on_load(zf, names)
    extents = {sheet: parts[part] for sheet, part in by_part.items() if part in parts}
    worst = (max((e[0] for e in parts.values()), default=0), max((e[1] for e in parts.values()), default=0))
    return Package(extents, parts, worst, sheet_parts=by_part, formula_parts=formula_parts,
                   full_calc_on_load=full_calc)


_FULL_CALC = re.compile(rb'fullCalcOnLoad\s*=\s*["\'](?:1|true)["\']')


def _full_calc_on_load(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """<calcPr fullCalcOnLoad="1"/>: the cached values are placeholders (xlsxwriter writes 0 for each)."""
    try:
        if "xl/workbook.xml" not in names or zf.getinfo("xl/workbook.xml").file_size > 8 << 20:
            return False
        return _FULL_CALC.search(zf.read("xl/workbook.xml")) is not None
    except Exception:  # damage here only costs the placeholder check
        return False


def check_zip(path: Path) -> dict[str, tuple[int, int]]:
    """Check an xlsx/xlsm/ods zip before any reader sees it. Returns {sheet part: (max row, max col)}."""
    return check_package(path).parts


# ---------------------------------------------------------------- reading

def read_workbook(path: Path) -> RawWorkbook:
    """Read every sheet of a workbook into grids, within the bounds above."""
    size = path.stat().st_size
    if size == 0:
        raise ReadFailure("file-unreadable", "文件是空的（0 字节）", "the file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise ReadFailure("file-too-large", f"文件有 {size >> 20} MB，超过上限 {MAX_FILE_BYTES >> 20} MB",
                          f"{size >> 20} MB, above the limit of {MAX_FILE_BYTES >> 20} MB")
    kind = sniff(path)
    suffix = path.suffix.lower()
    package: Package | None = None
    if suffix in UNSUPPORTED_SUFFIXES:
        raise ReadFailure("file-format", f"sitegen 读不了 {suffix} 格式", f"sitegen cannot read the {suffix} format")
    if suffix in CSV_SUFFIXES and kind == "other":
        return _read_csv(path)
    if kind == "ole":
        if _ole_is_encrypted(path):
            raise _encrypted()
        if suffix not in (".xls", ".et"):  # WPS's .et is a BIFF file like .xls
            raise ReadFailure("file-unreadable", f"这是旧版 .xls 文件却以 {suffix} 结尾。请用 Excel 或 WPS 另存为 .xlsx",
                              f"this is an old .xls file named {suffix}; save it as .xlsx")
    elif kind == "zip":
        if suffix == ".xls":
            raise ReadFailure("file-unreadable", "文件扩展名是 .xls，但内容是 .xlsx。请改名为 .xlsx",
                              "the file is named .xls but is an .xlsx; rename it to .xlsx")
        package = check_package(path)
        if package.ods:
            # calamine reads every table of an .ods when it opens it: an absurd one cannot be skipped later
            cells = 0
            for i, (rows, cols) in enumerate(package.parts.values(), 1):
                cells += rows * cols
                if _too_big(rows, cols, MAX_TOTAL_CELLS - cells + rows * cols):
                    raise ReadFailure("file-too-large", f"第 {i} 个工作表的范围是 {rows} 行 × {cols} 列，超过上限",
                                      f"sheet {i} spans {rows} rows × {cols} columns, above the limits")
        if package.ods != (suffix == ".ods"):
            raise ReadFailure("file-unreadable",
                              f"文件内容是 {'.ods' if package.ods else '.xlsx'}，扩展名却是 {suffix}。请改正扩展名或另存为 .xlsx",
                              f"the content is {'.ods' if package.ods else '.xlsx'} but the name ends in {suffix}; "
                              "fix the name or save it as .xlsx")
    elif suffix in (".xlsb", ".et"):
        raise ReadFailure("file-format", f"文件内容不是 sitegen 能读的 {suffix} 格式",
                          f"the content is not a {suffix} file sitegen can read")
    else:
        raise ReadFailure("file-unreadable", "不是 Excel 工作簿（文件内容无法识别）", "not an Excel workbook (unrecognised content)")
    return _read_calamine(path, package)


CSV_SUFFIXES = (".csv", ".tsv")
UNSUPPORTED_SUFFIXES = (".numbers",)  # spreadsheets sitegen finds but cannot read: a warning, last good data kept


def _read_csv(path: Path) -> RawWorkbook:
    from .csvfile import CsvUnreadable, read_csv

    try:
        rows, cut = read_csv(path, MAX_ROWS, MAX_COLS)
    except CsvUnreadable as exc:
        raise ReadFailure("file-format", exc.reason_zh, exc.reason_en) from None
    except (UnicodeError, ValueError) as exc:
        raise ReadFailure("file-format", f"CSV 无法解析（{_short(exc)}）", f"the CSV cannot be parsed ({_short(exc)})") from None
    extent = (len(rows), max((len(r) for r in rows), default=0)) if cut else (0, 0)
    return RawWorkbook([RawSheet(path.stem, False, rows, truncated=cut, read_extent=extent)])


def _too_big(rows: int, cols: int, budget: int) -> bool:
    return rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS or rows * cols > budget


def _read_calamine(path: Path, package: Package | None) -> RawWorkbook:
    import python_calamine as pc

    try:
        try:
            str(path).encode("utf-8")
            wb = pc.CalamineWorkbook.from_path(str(path))
        except UnicodeEncodeError:  # a file name that is not valid UTF-8 (copied from an old share)
            with path.open("rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
        names = list(wb.sheet_names)
        metas = {m.name: m for m in wb.sheets_metadata}
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise ReadFailure("file-unreadable", f"文件无法解析（{_short(exc)}）", f"the file cannot be parsed ({_short(exc)})") from None
    sheets: list[RawSheet] = []
    budget = MAX_TOTAL_CELLS
    too_big: list[tuple[int, str, tuple[int, int]]] = []
    for index, name in enumerate(names):
        meta = metas.get(name)
        hidden = meta is not None and not str(meta.visible).endswith(".Visible")
        if meta is not None and "Chart" in str(meta.typ):
            sheets.append(RawSheet(name, hidden, [], chart=True))
            continue
        claimed = (0, 0)
        if package is not None:
            if package.ods:
                claimed = package.parts.get(f"#{index}", package.worst)
            else:
                claimed = package.extents.get(name, package.worst)
        if _too_big(claimed[0], claimed[1], budget):
            too_big.append((len(sheets), name, claimed))
            sheets.append(RawSheet(name, hidden, [], truncated=claimed))
            continue
        try:
            sheet = wb.get_sheet_by_name(name)
            height, width = sheet.total_height, sheet.total_width
            truncated = None
            nrows = None
            if _too_big(height, width, budget):  # a format without a pre-check (.xls): cut before Python sees it
                truncated = (height, width)
                nrows = max(1, min(FALLBACK_ROWS, FALLBACK_CELLS // max(1, width)))
            # calamine's cell values (str, numbers, dates, times) in a grid whose cells are any value
            rows = cast("list[list[object]]", sheet.to_python(skip_empty_area=False, nrows=nrows))
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            if not merged and package is not None and package.ods and index < len(package.ods_merges):
                merged = package.ods_merges[index]
            if package is not None and package.ods and index < len(package.ods_problems) and package.ods_problems[index]:
                problems = package.ods_problems[index]
                if truncated:
                    problems = {k: v for k, v in problems.items() if k[0] < len(rows)}
                apply_problems(rows, problems)
            del sheet
        except Exception as exc:
            sheets.append(RawSheet(name, hidden, [], error=_short(exc)))
            continue
        cells = sum(len(r) for r in rows)
        budget -= cells
        sheets.append(RawSheet(name, hidden, rows, merged, truncated,
                               (len(rows), max((len(r) for r in rows), default=0)) if truncated else (0, 0)))
    wb.close()
    if too_big:
        if package is not None and not package.ods:
            _read_corners(path, sheets, too_big)
    if package is not None and package.formula_parts:
        _mark_problems(path, sheets, package)
    if package is not None and path.suffix.lower() == ".xlsb":
        _mark_xlsb_problems(path, sheets)
    return RawWorkbook(sheets)


def _mark_xlsb_problems(path: Path, sheets: list[RawSheet]) -> None:
    """The error cells of an xlsb, which calamine empties (the sheet parts are binary: read record by record)."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as zf:
            rels = {}
            for rel in ElementTree.fromstring(zf.read("xl/_rels/workbook.bin.rels")):
                target = str(rel.get("Target", ""))
                rels[str(rel.get("Id", ""))] = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts = xlsb_sheet_parts(zf.read("xl/workbook.bin"), rels)
            for sheet, part in zip(sheets, parts, strict=False):
                if not part or sheet.error or sheet.chart or part not in zf.namelist():
                    continue
                problems = scan_xlsb_problems(zf.read(part))
                if sheet.truncated:
                    height, width = sheet.read_extent
                    problems = {k: v for k, v in problems.items() if k[0] < height and k[1] < width}
                if problems:
                    apply_problems(sheet.rows, problems)
    except Exception:  # noqa: BLE001 - a part calamine read but this scan cannot: its errors stay empty cells
        return


def _mark_problems(path: Path, sheets: list[RawSheet], package: Package) -> None:
    """Put the formula cells calamine emptied (errors, no cached result) back into the grids."""
    try:
        with zipfile.ZipFile(path) as zf:
            for sheet in sheets:
                part = package.sheet_parts.get(sheet.name)
                if part is None or part not in package.formula_parts or sheet.error or sheet.chart:
                    continue
                problems = scan_problems(zf.read(part), full_calc_on_load=package.full_calc_on_load)
                if sheet.truncated:
                    height, width = sheet.read_extent
                    problems = {k: v for k, v in problems.items() if k[0] < height and k[1] < width}
                if problems:
                    apply_problems(sheet.rows, problems)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError):
        return  # the check already read every part: this cannot fail short of the file changing meanwhile


def _read_corners(path: Path, sheets: list[RawSheet], wanted: list[tuple[int, str, tuple[int, int]]]) -> None:
    """Read the top-left corner of each sheet whose extent is absurd, streaming (openpyxl, read-only)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        for i, _, _ in wanted:
            sheets[i].error = _short(exc)
        return
    try:
        for i, name, (claimed_rows, claimed_cols) in wanted[:20]:
            width = max(1, min(MAX_COLS, claimed_cols or MAX_COLS))
            height = max(1, min(FALLBACK_ROWS, FALLBACK_CELLS // width, claimed_rows or FALLBACK_ROWS))
            try:
                ws = wb[name]
                rows: list[list[object]] = []
                for row in ws.iter_rows(min_row=1, max_row=height, max_col=width, values_only=True):
                    rows.append(["" if v is None else v for v in row])
            except Exception as exc:
                sheets[i].error = _short(exc)
                continue
            while rows and all(v == "" for v in rows[-1]):
                rows.pop()
            used = max((max((j + 1 for j, v in enumerate(r) if v != ""), default=0) for r in rows), default=0)
            sheets[i].rows = [r[:used] for r in rows]
            sheets[i].read_extent = (height, width)
    finally:
        wb.close()


def _short(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return s[:120]
