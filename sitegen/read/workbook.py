"""Open one workbook safely and return its sheets as plain grids.

The fast path is python-calamine. Before it runs, the file is checked: its magic bytes (an .xls renamed
.xlsx, an encrypted workbook, a file that is not a workbook at all), the sizes inside the zip (a zip
bomb) and the extent of every sheet (a used range of a million rows by 16,384 columns would make any
dense reader allocate hundreds of gigabytes). Files that fail a check raise `ReadFailure` with an
issue code and a reason in plain words.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# Bounds that keep a build within time and memory whatever the input (see README, security section).
MAX_FILE_BYTES = 200 * 1024 * 1024  # a workbook on disk
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # all parts of one workbook, inflated
MAX_ROWS = 300_000  # per sheet
MAX_COLS = 400  # per sheet
MAX_CELLS = 6_000_000  # per sheet (rows x cols of the used extent)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


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


@dataclass(slots=True)
class RawWorkbook:
    sheets: list[RawSheet]


def sniff(path: Path) -> str:
    """'zip', 'ole' (xls, or an encrypted xlsx), 'ods' or 'other'."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    return "other"


def _ole_is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    return "EncryptedPackage".encode("utf-16-le") in data


_CELLCOL = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})')
_ROWNUM = re.compile(rb'<(?:\w+:)?row r="(\d{1,9})"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_zip(path: Path) -> dict[str, tuple[int, int]]:
    """Check an xlsx/xlsm/ods zip before any reader sees it. Returns {sheet part: (max row, max col)}."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReadFailure("file-unreadable", "文件已损坏（不是完整的 xlsx 压缩包，可能没有保存完或传输中断）",
                          "the file is damaged (not a complete xlsx zip; maybe saved half-way)") from None
    extents: dict[str, tuple[int, int]] = {}
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names and "mimetype" not in names:
            raise ReadFailure("file-unreadable", "这是一个压缩包，但不是 Excel 工作簿", "a zip file, but not an Excel workbook")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNZIPPED_BYTES:
            raise ReadFailure("file-too-large", f"解压后 {declared // (1 << 20)} MB，超过上限 {MAX_UNZIPPED_BYTES >> 20} MB",
                              f"{declared >> 20} MB when unzipped, above the limit of {MAX_UNZIPPED_BYTES >> 20} MB")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise ReadFailure("file-unreadable", "文件已加密（设置了打开密码）。请取消密码后另存",
                                  "the workbook is encrypted (password-protected); remove the password and save it again")
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            # Inflate in chunks with a cap: the sizes in the zip headers may lie.
            try:
                with zf.open(info) as fh:
                    max_r = 0
                    cols: set[bytes] = set()
                    tail = b""
                    while True:
                        chunk = fh.read(1 << 22)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise ReadFailure("file-too-large", f"解压后超过 {MAX_UNZIPPED_BYTES >> 20} MB（疑似压缩炸弹）",
                                              f"more than {MAX_UNZIPPED_BYTES >> 20} MB when unzipped (a zip bomb?)")
                        if is_sheet:
                            buf = tail + chunk
                            cols.update(_CELLCOL.findall(buf))
                            rows = _ROWNUM.findall(buf)
                            if rows:
                                max_r = max(max_r, max(int(r) for r in rows))
                            tail = buf[-40:]
                    if is_sheet:
                        extents[info.filename] = (max_r, max((_col_index(c) for c in cols), default=0))
            except ReadFailure:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                raise ReadFailure("file-unreadable", "文件已损坏（压缩数据不完整）", f"the file is damaged ({exc})") from None
    return extents


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
    extents: dict[str, tuple[int, int]] = {}
    if kind == "ole":
        if _ole_is_encrypted(path):
            raise ReadFailure("file-unreadable", "文件已加密（设置了打开密码）。请取消密码后另存",
                              "the workbook is encrypted (password-protected); remove the password and save it again")
        if suffix != ".xls":
            raise ReadFailure("file-unreadable", f"这是旧版 .xls 文件却以 {suffix} 结尾。请用 Excel 或 WPS 另存为 .xlsx",
                              f"this is an old .xls file named {suffix}; save it as .xlsx")
    elif kind == "zip":
        if suffix == ".xls":
            raise ReadFailure("file-unreadable", "文件扩展名是 .xls，但内容是 .xlsx。请改名为 .xlsx",
                              "the file is named .xls but is an .xlsx; rename it to .xlsx")
        extents = check_zip(path)
    else:
        raise ReadFailure("file-unreadable", "不是 Excel 工作簿（文件内容无法识别）", "not an Excel workbook (unrecognised content)")
    return _read_calamine(path, extents)


def _read_calamine(path: Path, extents: dict[str, tuple[int, int]]) -> RawWorkbook:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise ReadFailure("file-unreadable", f"文件无法解析（{_short(exc)}）", f"the file cannot be parsed ({_short(exc)})") from None
    sheets: list[RawSheet] = []
    metas = {m.name: m for m in wb.sheets_metadata}
    # sheet parts are numbered in workbook order for every writer we know; fall back to the max extent
    parts = sorted(extents, key=lambda n: int(re.sub(r"\D", "", n) or 0))
    for index, name in enumerate(wb.sheet_names):
        meta = metas.get(name)
        hidden = meta is not None and not str(meta.visible).endswith("Visible")
        claimed = extents.get(parts[index]) if index < len(parts) else None
        truncated = None
        if claimed and (claimed[0] > MAX_ROWS or claimed[1] > MAX_COLS or claimed[0] * claimed[1] > MAX_CELLS):
            truncated = claimed
            sheets.append(RawSheet(name, hidden, _read_bounded_openpyxl(path, name), [], truncated))
            continue
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        except Exception as exc:
            raise ReadFailure("file-unreadable", f"工作表“{name}”无法解析（{_short(exc)}）",
                              f"sheet “{name}” cannot be parsed ({_short(exc)})") from None
        sheets.append(RawSheet(name, hidden, rows, merged, None))
    return RawWorkbook(sheets)


def _read_bounded_openpyxl(path: Path, sheet_name: str) -> list[list[object]]:
    """Read the top-left MAX_ROWS x MAX_COLS of a sheet whose used range is absurd, streaming."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet_name]
        rows: list[list[object]] = []
        for row in ws.iter_rows(min_row=1, max_row=min(MAX_ROWS, 5000), max_col=MAX_COLS, values_only=True):
            rows.append(["" if v is None else v for v in row])
        # drop trailing empty rows and columns
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        width = max((max((i + 1 for i, v in enumerate(r) if v != ""), default=0) for r in rows), default=0)
        return [r[:width] for r in rows]
    finally:
        wb.close()


def _short(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return s[:120]
