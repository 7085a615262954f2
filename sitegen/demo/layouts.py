"""How reps lay their forms out in workbooks (domain.md, "The four standard forms").

a  one workbook per rep, `<team>/<rep>.xlsx`, four sheets, header in row 1, a 客户经理 column;
b  one file per form in `<team>/<rep>/`, title rows above the header, account cells merged over
   their project rows, a two-row merged header in the competition file, header aliases in 拜访记录表;
c  the customer file as one card sheet per customer, the other forms as tables in `<team>/<rep>/<rep>.xlsx`.
Each function returns the books to write, and where the marked cells (the listed mistakes) ended up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..cells import a1, col_letter
from ..forms import COMPETITION, CUSTOMER, FOLLOWUP, KEYPERSON, TARGETS
from ..forms.base import FormSpec
from .rows import SOURCE_KEY, Row, Tables
from .world import SCORE_DIMENSIONS, Rep
from .xlsx import SheetSpec

SCORE_GROUP = "竞争力评分（1–5分）"


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    group: str = ""  # a header spanning several columns above the label (two-row header)


@dataclass(frozen=True)
class Book:
    path: str  # relative to the input folder, forward slashes
    sheets: tuple[SheetSpec, ...]
    writer: str
    author: str


Mark = tuple[str, str, str, str]  # (mistake key, file, sheet, cell)


def _cols(form: FormSpec, keys: Sequence[str], labels: dict[str, str] | None = None) -> list[Col]:
    labels = labels or {}
    out = []
    for key in keys:
        if key == "scores":
            out += [Col(f"score:{d}", d) for d in SCORE_DIMENSIONS]
        elif key == "scores-grouped":
            out += [Col(f"score:{d}", d, SCORE_GROUP) for d in SCORE_DIMENSIONS]
        elif key.startswith("x:"):
            out.append(Col(key, key[2:]))
        else:
            out.append(Col(key, labels.get(key, form.column(key).label)))
    return out


_ACCOUNT_LEVEL = ("account_id", "account_name", "team", "category", "grade", "industry", "region", "nature",
                  "employees", "revenue", "first_contact", "address", "phone", "website", "notes")
_PROJECT_LEVEL = ("project", "stage", "value", "probability", "expected_close", "budget", "decision_maker", "need",
                  "need_desc", "resource_needs", "win_loss_reason")

A_CUSTOMER = _cols(CUSTOMER, ("account_id", "project", "account_name", "rep", "team", "category", "grade",
                              "industry", "region", "nature", "employees", "revenue", "stage", "value",
                              "probability", "expected_close", "budget", "decision_maker", "need", "need_desc",
                              "resource_needs", "win_loss_reason", "first_contact", "address", "phone",
                              "website", "notes", SOURCE_KEY))
A_COMPETITION = _cols(COMPETITION, ("account_id", "account_name", "party", "offering", "price", "strengths",
                                    "weaknesses", "scores", "threat", "supporters", "strategy"))
A_KEYPERSON = _cols(KEYPERSON, ("account_id", "account_name", "name", "dept", "title", "roles", "influence",
                                "attitude", "relationship", "personal_need", "org_need", "style", "reports_to",
                                "last_contact", "phone", "email", "birthday", "hometown", "hobbies", "family",
                                "strategy", "projects"))
A_FOLLOWUP = _cols(FOLLOWUP, ("date", "account_id", "account_name", "rep", "project", "method", "contact",
                              "purpose", "content", "feedback", "effective", "stage", "next_action", "next_date",
                              "expense", "satisfaction"))
B_CUSTOMER = _cols(CUSTOMER, _ACCOUNT_LEVEL[:2] + ("project",) + _ACCOUNT_LEVEL[2:11] + _PROJECT_LEVEL[1:]
                   + _ACCOUNT_LEVEL[11:],
                   {"revenue": "年营业额（万元）", "value": "预计金额（万元）"})
B_COMPETITION = _cols(COMPETITION, ("account_id", "account_name", "party", "offering", "price", "strengths",
                                    "weaknesses", "scores-grouped", "threat", "supporters", "strategy"))
B_KEYPERSON = _cols(KEYPERSON, [c.key for c in A_KEYPERSON],
                    {"name": "关键人姓名", "title": "职位", "roles": "角色", "reports_to": "上级", "phone": "手机"})
B_FOLLOWUP = _cols(FOLLOWUP, ("date", "account_id", "account_name", "method", "contact", "purpose", "content",
                              "feedback", "effective", "stage", "next_action", "next_date", "expense", "satisfaction"),
                   {"date": "拜访日期", "method": "拜访方式", "contact": "拜访对象", "purpose": "拜访目的",
                    "content": "拜访内容", "next_action": "下一步计划", "next_date": "下次拜访日期"})

# card layout: label/value pairs per row; a single key fills the row (value merged over B:D)
CARD_ROWS: tuple[tuple[str, ...], ...] = (
    ("account_name", "account_id"), ("rep", "team"), ("category", "grade"), ("industry", "region"),
    ("nature", "employees"), ("revenue", "first_contact"), ("project", "stage"), ("value", "probability"),
    ("expected_close", "win_loss_reason"), ("budget", "decision_maker"), ("need", "website"), ("phone",),
    ("address",), ("need_desc",), ("resource_needs",), ("notes",),
)


def _width(col: Col) -> float:
    return 12.0 if col.key in ("date", "next_date", "expected_close", "first_contact") else max(8.0, 2.2 * len(col.label) + 2)


def table_sheet(name: str, cols: Sequence[Col], rows: Sequence[Row], *, title: str = "", filler: str = "",
                merge_keys: Sequence[str] = ()) -> tuple[SheetSpec, list[tuple[str, str]]]:
    """A table: optional title rows, a one- or two-row header, data rows; merged account cells."""
    out: list[list[object]] = []
    merges: list[str] = []
    last = col_letter(len(cols) - 1)
    if title:
        out.append([title])
        merges.append(f"A1:{last}1")
    if filler:
        out.append([filler])
    grouped = any(c.group for c in cols)
    top = len(out)
    out.append([c.group or c.label for c in cols])
    if grouped:
        out.append([c.label if c.group else None for c in cols])
        for i, c in enumerate(cols):
            if not c.group:
                merges.append(f"{a1(top, i)}:{a1(top + 1, i)}")
            elif i == 0 or cols[i - 1].group != c.group:
                j = i
                while j + 1 < len(cols) and cols[j + 1].group == c.group:
                    j += 1
                merges.append(f"{a1(top, i)}:{a1(top, j)}")
        for i, c in enumerate(cols):
            if c.group and i > 0 and cols[i - 1].group == c.group:
                out[top][i] = None
    marks: list[tuple[str, str]] = []
    index = {c.key: i for i, c in enumerate(cols)}
    run_start = -1
    for n, row in enumerate(rows):
        r = len(out)
        out.append([] if row.kind == "blank" else [row.values.get(c.key) for c in cols])
        for key, column in row.marks:
            marks.append((key, a1(r, index[column])))
        if merge_keys:
            same = n > 0 and row.kind == "data" and rows[n - 1].kind == "data" and rows[n - 1].account == row.account
            if not same:
                run_start = r
            else:
                for key in merge_keys:
                    out[r][index[key]] = None
            ends = n + 1 == len(rows) or rows[n + 1].account != row.account or rows[n + 1].kind != "data"
            if ends and r > run_start >= 0:
                merges += [f"{a1(run_start, index[k])}:{a1(r, index[k])}" for k in merge_keys]
    return SheetSpec(name, out, tuple(merges), tuple(_width(c) for c in cols)), marks


def card_sheet(name: str, row: Row) -> tuple[SheetSpec, list[tuple[str, str]]]:
    out: list[list[object]] = [["客户档案卡"]]
    merges = ["A1:D1"]
    where: dict[str, str] = {}
    for keys in CARD_ROWS:
        r = len(out)
        cells: list[object] = []
        for k in keys:
            cells += [CUSTOMER.column(k).label, row.values.get(k)]
            where[k] = a1(r, len(cells) - 1)
        if len(keys) == 1:
            merges.append(f"B{r + 1}:D{r + 1}")
        out.append(cells)
    marks = [(key, where[column]) for key, column in row.marks if column in where]
    return SheetSpec(name, out, tuple(merges), (14.0, 30.0, 14.0, 30.0)), marks


def _sheet_title(name: str, taken: set[str]) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, "")
    base, n = name[:31], 2
    while base.lower() in taken:
        base = f"{name[:28]}({n})"
        n += 1
    taken.add(base.lower())
    return base


def rep_books(rep: Rep, tables: Tables, as_of: date) -> tuple[list[Book], list[Mark]]:
    """The workbooks of one rep in their layout, and the places of marked cells."""
    folder = f"{rep.team}/{rep.name}"
    books: list[tuple[str, list[tuple[SheetSpec, list[tuple[str, str]]]]]] = []
    if rep.layout == "a":
        books.append((f"{rep.team}/{rep.name}.xlsx", [
            table_sheet("客户档案表", A_CUSTOMER, tables["customer"]),
            table_sheet("竞争分析", A_COMPETITION, tables["competition"]),
            table_sheet("关键人分析", A_KEYPERSON, tables["keyperson"]),
            table_sheet("客户跟进表", A_FOLLOWUP, tables["followup"]),
        ]))
    elif rep.layout == "b":
        filler = f"填表人：{rep.name}  日期：{as_of.isoformat()}"
        for file, sheet, title, cols, form, merge in (
            ("客户档案表", "客户档案表", "客户档案表", B_CUSTOMER, "customer", _ACCOUNT_LEVEL),
            ("竞争分析表", "竞争分析", COMPETITION.title, B_COMPETITION, "competition", ()),
            ("关键人分析表", "关键人", KEYPERSON.title, B_KEYPERSON, "keyperson", ()),
            ("拜访记录表", "拜访记录", "拜访记录表", B_FOLLOWUP, "followup", ()),
        ):
            books.append((f"{folder}/{file}.xlsx", [table_sheet(sheet, cols, tables[form], title=title,
                                                                filler=filler, merge_keys=merge)]))
    else:
        taken: set[str] = set()
        cards = [card_sheet(_sheet_title(str(r.values["account_name"]).strip(), taken), r)
                 for r in tables["customer"] if r.kind == "data"]
        books.append((f"{folder}/客户档案卡.xlsx", cards))
        books.append((f"{folder}/{rep.name}.xlsx", [
            table_sheet("竞争分析", A_COMPETITION, tables["competition"]),
            table_sheet("关键人分析", A_KEYPERSON, tables["keyperson"]),
            table_sheet("客户跟进表", A_FOLLOWUP, tables["followup"]),
        ]))
    out_books, marks = [], []
    for path, sheets in books:
        out_books.append(Book(path, tuple(s for s, _ in sheets), rep.writer, rep.name))
        marks += [(key, path, s.name, cell) for s, ms in sheets for key, cell in ms]
    return out_books, marks


def customer_file(rep: Rep) -> str:
    """Where a rep's customer form lives (to order duplicate definitions as a reader meets them)."""
    return {"a": f"{rep.team}/{rep.name}.xlsx", "b": f"{rep.team}/{rep.name}/客户档案表.xlsx"}.get(
        rep.layout, f"{rep.team}/{rep.name}/客户档案卡.xlsx")


def targets_book(rows: Sequence[tuple[str, str, int, int]]) -> Book:
    cols = [TARGETS.column(k).label for k in ("rep", "month", "visit_target", "sign_target")]
    table: list[list[object]] = [list[object](cols), *(list[object](r) for r in rows)]
    sheet = SheetSpec("销售目标", table, (), (10.0, 10.0, 10.0, 16.0))
    return Book("销售目标表.xlsx", (sheet,), "openpyxl", "部门助理")
