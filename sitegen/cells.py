"""A1 cell references: column letters, 0-based (row, col) to "D17" and back."""

from __future__ import annotations

import re

_A1 = re.compile(r"^([A-Z]{1,3})(\d+)$")


def col_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 25 -> Z, 26 -> AA)."""
    col += 1
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> "D17"."""
    return f"{col_letter(col)}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """"D17" -> 0-based (16, 3)."""
    m = _A1.match(ref.upper())
    if not m:
        raise ValueError(f"not an A1 reference: {ref!r}")
    letters, digits = m.groups()
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


def cell_sort_key(ref: str) -> tuple[int, int]:
    if not ref:
        return (-1, -1)
    try:
        return parse_a1(ref)
    except ValueError:
        return (-1, -1)
