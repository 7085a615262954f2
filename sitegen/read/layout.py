"""Recognise what a sheet is: which form, where its header row is (below any title rows), which column
is which, who filled it (填表人：…) — or a card-layout customer sheet of label/value pairs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..forms import Column, FormSpec, header_key, header_key_loose
from .workbook import RawSheet

HEADER_SCAN_ROWS = 30
MAX_MERGE_FILL = 200_000  # cells filled from merged ranges per sheet
_MISS = object()
MATCH_MEMO_LIMIT = 100_000  # remembered header matches (header scans look at the same texts again and again)

# 填表人：张三  日期：…  /  填表人：张三日期：…  /  填表人：（empty） 日期：… (no owner, not "日期")
_OWNER = re.compile(r"(?:填表人|填报人|制表人|客户经理|大客户经理|业务员|销售代表|拜访人)\s*[:：]\s*"
                    r"([^\s:：,，;；]{1,20}?)(?=\s|[,，;；]|$|(?:填表|填报|制表)?(?:日期|时间)|部门|电话|团队)")


@dataclass(slots=True)
class Grid:
    """A sheet with merged ranges filled: every cell of a merged range reads its top-left value."""

    rows: list[list[object]]
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell -> top-left

    def value(self, r: int, c: int) -> object:
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return ""

    def home(self, r: int, c: int) -> tuple[int, int]:
        return self.origin.get((r, c), (r, c))

    @property
    def height(self) -> int:
        return len(self.rows)


def fill_merged(sheet: RawSheet) -> Grid:
    rows = sheet.rows
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    budget = MAX_MERGE_FILL
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                budget -= 1
                if budget < 0:
                    return Grid(rows, origin)
                if c < len(row):
                    row[c] = top
                elif c < 1000:
                    row.extend([""] * (c + 1 - len(row)))
                    row[c] = top
                origin[(r, c)] = (r0, c0)
    return Grid(rows, origin)


@dataclass(slots=True)
class TableLayout:
    form: FormSpec
    header_rows: tuple[int, ...]
    columns: dict[int, Column]  # column index -> standard column
    extras: dict[int, str]  # column index -> header text of a column the form does not know
    duplicates: list[tuple[str, int, int]]  # (label, first col, duplicate col)
    owner: str  # from a title cell, "" if none
    also: list[tuple[int, Column]] = field(default_factory=list)  # more columns a header feeds (config)

    def all_columns(self) -> list[tuple[int, Column]]:
        """(column index, standard column), in sheet order; one index may appear for several columns."""
        return sorted([*self.columns.items(), *self.also], key=lambda ic: ic[0])

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1


@dataclass(slots=True)
class CardLayout:
    form: FormSpec
    fields: dict[str, tuple[Column, int, int]]  # key -> (column, value row, value col)
    extras: list[tuple[str, int, int]]  # (label, value row, value col)
    owner: str
    first_row: int


class Matcher:
    """Header text -> standard column, for every form at once."""

    def __init__(self, forms: tuple[FormSpec, ...]) -> None:
        self.forms = forms
        self.exact: dict[str, dict[str, Column]] = {}
        self.loose: dict[str, dict[str, Column]] = {}
        # more columns fed by one header: sitegen.yaml lists the same alias under several columns
        self.feeds: dict[str, dict[str, tuple[Column, ...]]] = {}
        for form in forms:
            ex: dict[str, Column] = {}
            lo: dict[str, Column] = {}
            feeds: dict[str, tuple[Column, ...]] = {}
            # the columns' own names, then the user's aliases, then the built-in ones: the first claim wins
            for names in (lambda c: (c.label, c.key, c.en), lambda c: c.user_aliases, lambda c: c.aliases):
                for col in form.columns:
                    for name in names(col):
                        if not name:
                            continue
                        k = header_key(name)
                        first = ex.setdefault(k, col)
                        lo.setdefault(header_key_loose(name), col)
                        if first is not col and name in col.user_aliases and col not in feeds.get(k, ()):
                            feeds[k] = (*feeds.get(k, ()), col)
            self.exact[form.key] = ex
            self.loose[form.key] = lo
            self.feeds[form.key] = feeds

        self.memo: dict[str, dict[tuple[type, object], Column | None]] = {form.key: {} for form in forms}
        self._keys: dict[tuple[type, object], str] = {}
        self._loose_keys: dict[tuple[type, object], str] = {}

    def match(self, form: FormSpec, text: object) -> Column | None:
        memo = self.memo[form.key]
        key = (text.__class__, text)
        try:
            col = memo.get(key, _MISS)
        except TypeError:  # not hashable
            return self._match(form, text)
        if col is _MISS:
            col = self._match(form, text)
            if len(memo) >= MATCH_MEMO_LIMIT:
                memo.clear()
            memo[key] = col
        return col  # type: ignore[return-value]

    def fed(self, form: FormSpec, text: object) -> tuple[Column, ...]:
        """The further columns a header feeds (besides match()), as sitegen.yaml asks."""
        feeds = self.feeds[form.key]
        return feeds.get(self.header_key(text), ()) if feeds else ()

    def keys(self, form: FormSpec, labels: list[object]) -> set[str]:
        """The keys of the standard columns that `labels` name (match() over a row, in one call)."""
        get = self.memo[form.key].get
        out = set()
        for t in labels:
            try:
                col = get((t.__class__, t), _MISS)
            except TypeError:
                col = _MISS
            if col is _MISS:
                col = self.match(form, t)
            if isinstance(col, Column):
                out.add(col.key)
        return out

    def text_keys(self, labels: list[object]) -> list[tuple[str, str]]:
        """(header_key, header_key_loose) of each label that could name a column (worked out once per row
        for every form: match() per form and label would repeat it)."""
        out = []
        for t in labels:
            k = self.header_key(t)
            if k and len(k) <= 40:
                out.append((k, self._loose(t)))
        return out

    def keys_in(self, form: FormSpec, text_keys: list[tuple[str, str]]) -> set[str]:
        """The keys of the standard columns of `form` named by text_keys() of a row (as keys() would say)."""
        exact, loose = self.exact[form.key], self.loose[form.key]
        out = set()
        for k, kl in text_keys:
            col = exact.get(k)
            if col is None:
                col = loose.get(kl)
            if col is not None:
                out.add(col.key)
        return out

    def _match(self, form: FormSpec, text: object) -> Column | None:
        k = self.header_key(text)
        if not k or len(k) > 40:
            return None
        col = self.exact[form.key].get(k)
        if col is None:
            col = self.loose[form.key].get(self._loose(text))
        return col

    def header_key(self, text: object) -> str:
        """header_key(text), worked out once per text for all the forms."""
        key = (text.__class__, text)
        try:
            k = self._keys.get(key)
        except TypeError:
            return header_key(text)
        if k is not None:
            return k
        k = header_key(text)
        if len(self._keys) >= MATCH_MEMO_LIMIT:
            self._keys.clear()
        self._keys[key] = k
        return k

    def _loose(self, text: object) -> str:
        key = (text.__class__, text)
        try:
            k = self._loose_keys.get(key)
        except TypeError:
            return header_key_loose(text)
        if k is not None:
            return k
        k = header_key_loose(text)
        if len(self._loose_keys) >= MATCH_MEMO_LIMIT:
            self._loose_keys.clear()
        self._loose_keys[key] = k
        return k


def _name_hint(form: FormSpec, *names: str) -> bool:
    for n in names:
        low = n.lower()
        if any(w.lower() in low for w in form.sheet_names):
            return True
    return False


def _owner_in(grid: Grid, rows: range) -> str:
    for r in rows:
        for v in grid.rows[r] if r < grid.height else ():
            if isinstance(v, str) and v:
                m = _OWNER.search(v)
                if m:
                    return m.group(1)
    return ""


def _map_header(matcher: Matcher, form: FormSpec, labels: list[object]
                ) -> tuple[dict[int, Column], dict[int, str], list[tuple[str, int, int]], list[tuple[int, Column]]]:
    columns: dict[int, Column] = {}
    extras: dict[int, str] = {}
    seen: dict[str, int] = {}
    dups: list[tuple[str, int, int]] = []
    also: list[tuple[int, Column]] = []
    for c, text in enumerate(labels):
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        col = matcher.match(form, text)
        if col is None:
            label = str(text).strip()
            if label and label not in extras.values():
                extras[c] = label[:60]
            continue
        if col.key in seen:
            dups.append((col.label, seen[col.key], c))
            continue
        seen[col.key] = c
        columns[c] = col
        for more in matcher.fed(form, text):
            also.append((c, more))
    # a column named by its own header wins over one fed by another header
    kept = []
    for c, col in also:
        if col.key not in seen:
            seen[col.key] = c
            kept.append((c, col))
    return columns, extras, dups, kept


def detect_table(grid: Grid, matcher: Matcher, sheet_name: str, file_name: str) -> TableLayout | None:
    best: tuple[float, int, FormSpec, tuple[int, ...], list[object]] | None = None
    scan = min(HEADER_SCAN_ROWS, grid.height)
    hints = [(form, _name_hint(form, sheet_name, file_name)) for form in matcher.forms]
    for r in range(scan):
        row = grid.rows[r]
        if sum(1 for v in row if isinstance(v, str) and v.strip()) < 2:
            continue
        candidates: list[tuple[tuple[int, ...], list[object]]] = [((r,), list(row))]
        if r + 1 < grid.height:
            below = grid.rows[r + 1]
            combined = [
                (b if c < len(below) and isinstance(b := below[c], str) and b.strip() and b != row[c] else row[c])
                for c in range(len(row))
            ]
            if combined != list(row):
                candidates.append(((r, r + 1), combined))
        keyed = [(rows, labels, matcher.text_keys(labels)) for rows, labels in candidates]
        for form, hint in hints:
            for rows, labels, text_keys in keyed:
                matched = matcher.keys_in(form, text_keys)
                score = len(matched)
                distinct = [k for k in matched if k not in ("account_id", "account_name", "rep", "team", "project", "strategy")]
                if score < 2 or (not hint and (score < 3 or not distinct)):
                    continue
                total = score + (2.5 if hint else 0) + (0.5 * len(distinct)) - (0.1 * (len(rows) - 1))
                if best is None or total > best[0]:
                    best = (total, r, form, rows, labels)
    if best is None:
        return None
    _, r, form, rows, labels = best
    columns, extras, dups, also = _map_header(matcher, form, labels)
    owner = _owner_in(grid, range(0, rows[0]))
    return TableLayout(form, rows, columns, extras, dups, owner, also)


def detect_card(grid: Grid, matcher: Matcher, customer: FormSpec) -> CardLayout | None:
    """Label cells followed by value cells: 客户名称 | 某某集团 | 客户编号 | KA-001."""
    fields: dict[str, tuple[Column, int, int]] = {}
    filled: set[str] = set()  # fields whose value cell holds something
    extras: list[tuple[str, int, int]] = []
    first = -1
    limit = min(grid.height, 80)
    merged_rows = {r for r, _ in grid.origin}  # rows with a cell inside a merged range
    for r in range(limit):
        row = grid.rows[r]
        plain = r not in merged_rows  # every cell is its own home: no merged label to skip
        width = min(len(row), 40)
        c = 0
        while c < width:
            v = row[c]
            if isinstance(v, str) and v.strip():
                col = matcher.match(customer, v)
                # the value is the next cell that is not part of the same merged label
                vc = c + 1
                while not plain and vc < len(row) and grid.home(r, vc) == grid.home(r, c):
                    vc += 1
                value = row[vc] if vc < len(row) else ""
                if col is not None and col.key not in fields and not _is_label(matcher, customer, value):
                    fields[col.key] = (col, r, vc)
                    if value not in ("", None):
                        filled.add(col.key)
                    first = r if first < 0 else first
                    c = vc + 1
                    continue
                label = v.strip()
                if (first >= 0 and len(label) <= 12 and vc < len(row) and not _is_label(matcher, customer, row[vc])
                        and row[vc] not in ("", None) and (plain or grid.home(r, vc) == (r, vc))):
                    extras.append((label, r, vc))
                    c = vc + 1
                    continue
            c += 1
    # a card has label/value pairs on several rows; a table header is one row of labels side by side
    if (len(filled) < 3 or not ({"account_id", "account_name"} & filled)
            or len({fields[k][1] for k in filled}) < 2):
        return None
    # In a card the cell below a label is another label or empty; below a table's header cell is data.
    below = 0
    for _, r, vc in fields.values():
        lc = vc - 1
        v = grid.value(r + 1, lc)
        if not (v in ("", None) or _is_label(matcher, customer, v) or grid.home(r + 1, lc) == grid.home(r, lc)):
            below += 1
    if below * 2 >= len(fields):
        return None
    owner = _owner_in(grid, range(0, max(first, 0)))
    return CardLayout(customer, fields, extras, owner, max(first, 0))


def _is_label(matcher: Matcher, form: FormSpec, v: object) -> bool:
    """A cell that names a column (one letter such as "A" is a value: grade A, not the MAN column A)."""
    return isinstance(v, str) and len(matcher.header_key(v)) > 1 and matcher.match(form, v) is not None


def near_miss(grid: Grid, matcher: Matcher) -> tuple[FormSpec, list[Column], list[Column]] | None:
    """For a sheet no form was recognised in: the form its best header row looks like (two standard columns
    or more), the columns found there in sheet order, and the required columns it lacks."""
    best: tuple[int, int, FormSpec, list[object]] | None = None
    for r in range(min(HEADER_SCAN_ROWS, grid.height)):
        row = grid.rows[r]
        if sum(1 for v in row if isinstance(v, str) and v.strip()) < 2:
            continue
        text_keys = matcher.text_keys(list(row))
        for i, form in enumerate(matcher.forms):
            keys = matcher.keys_in(form, text_keys)
            n = len(keys)
            # two standard columns, one of them required (an id, a date, a name), or three of any kind
            plausible = n >= 3 or (n >= 2 and any(c.key in keys for c in form.required))
            if plausible and (best is None or n > best[0] or (n == best[0] and i < best[1])):
                best = (n, i, form, list(row))
    if best is None:
        return None
    _, _, form, labels = best
    found: list[Column] = []
    for text in labels:
        if isinstance(text, str) and text.strip():
            col = matcher.match(form, text)
            if col is not None and col not in found:
                found.append(col)
    keys = {c.key for c in found}
    missing = [c for c in form.required if c.key not in keys and c.key != "rep"
               and not (c.key == "account_id" and "account_name" in keys and form.key != "customer")]
    return form, found, missing
