"""A compact pickled form of a workbook's rows, for the trip from a reading process to the build and for
the read cache.

Pickled as they are, 250,000 `Row` objects cost about 17 µs each to load (a dataclass's generic
`__setstate__`, a `Source` per row, a dict per row). Packed, the rows of a sheet share one tuple of
column keys and one `Source.columns`; each row is a plain tuple whose values are aligned to those keys
(None marks a blank: a parsed value is never None). Loading builds the same `Row` objects, with the
same dict order, in a few µs each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..fastinit import maker
from ..model import Source

if TYPE_CHECKING:
    from .extract import Row

# one block per run of rows that share form, file, sheet and column letters:
#   (form, file, sheet, columns, keys, records)
# a record: (row number, values aligned to keys | the values dict itself, extra, private, cells, rep)
Block = tuple[str, str, str, tuple[tuple[str, str], ...], tuple[str, ...], list[tuple[Any, ...]]]


def pack_rows(rows: list[Row]) -> list[Block]:
    blocks: list[Block] = []
    current: tuple[str, str, str, tuple[tuple[str, str], ...]] | None = None
    keys: tuple[str, ...] = ()
    records: list[tuple[Any, ...]] = []
    for row in rows:
        src = row.src
        head = (row.form, src.file, src.sheet, src.columns)
        v = row.values
        if head != current:
            # a table's values are filled in column order: its columns give the keys in that order
            current, keys, records = head, tuple(k for k, _ in src.columns), []
            blocks.append((*head, keys, records))
        aligned = tuple(map(v.get, keys))
        # the dict is rebuilt in the order of `keys`: kept as it is when that would change it
        exact = len(v) == len(aligned) - aligned.count(None) and list(v) == [k for k, x in zip(keys, aligned, strict=True)
                                                                             if x is not None]
        records.append((src.row, aligned if exact else dict(v), row.extra, row.private, src.cells, row.rep))
    return blocks


def unpack_rows(blocks: list[Block]) -> list[Row]:
    from .extract import Row

    out: list[Row] = []
    append = out.append
    source = maker(Source)
    for form, file, sheet, columns, keys, records in blocks:
        for row, values, extra, private, cells, rep in records:
            if values.__class__ is not dict:
                values = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
            append(Row(form, values, extra, private, source(file, sheet, row, cells, columns), rep))
    return out
