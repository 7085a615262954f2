"""A .csv file as a one-sheet workbook: UTF-8 (with or without BOM) or GBK/GB18030; comma, semicolon or tab.

The text is decoded strictly (a file that is neither UTF-8 nor GB18030 is reported, never guessed into
mojibake). The delimiter is the one of `,;\\t|` that splits the first lines most consistently. Every cell is
text, exactly as saved: the row reader parses numbers and dates from text already, and an id such as 0012
keeps its zeros. A cell that is exactly an error code (#N/A: Excel saves a formula error that way) becomes a
CellProblem like an error cell of an xlsx.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .formulas import mark_text_problems

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_LINES = 50


class CsvUnreadable(Exception):
    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_zh = reason_zh
        self.reason_en = reason_en


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of the bytes of a CSV file."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"  # "Unicode text" as Excel saves it
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise CsvUnreadable("文件编码无法识别（既不是 UTF-8 也不是 GBK）",
                            "the text encoding is neither UTF-8 nor GBK") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives the first lines the same number of fields (more than one), most often."""
    lines = [line for line in text.splitlines()[:SAMPLE_LINES] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if max(counts) < 2:
            continue
        common = max(set(counts), key=counts.count)
        score = (sum(1 for n in counts if n == common), common)
        if score > best_score:
            best, best_score = d, score
    if "\t" in text[:4096] and best_score[0] < 0:
        return "\t"
    return best


def read_csv(path: Path, max_rows: int, max_cols: int) -> tuple[list[list[object]], tuple[int, int] | None]:
    """The grid of a CSV file, and (rows, cols) when it was cut to the bounds (else None)."""
    data = path.read_bytes()
    text, _ = decode(data)
    if "\x00" in text[:65536]:
        raise CsvUnreadable("文件不是文本（含有二进制内容），不是真正的 CSV", "the file holds binary content, not CSV text")
    delimiter = sniff_delimiter(text)
    rows: list[list[object]] = []
    widest = 0
    total = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            total += 1
            widest = max(widest, len(record))
            if total <= max_rows:
                rows.append(list(record[:max_cols]))
    except csv.Error as exc:
        raise CsvUnreadable(f"CSV 格式错误（第 {total + 1} 行：{exc}）", f"malformed CSV (line {total + 1}: {exc})") from None
    while rows and all(not str(v).strip() for v in rows[-1]):
        rows.pop()
    mark_text_problems(rows)
    cut = (total, widest) if total > max_rows or widest > max_cols else None
    return rows, cut
