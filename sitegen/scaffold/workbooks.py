"""Blank workbooks of the standard forms, made for reps (written with openpyxl).

Each workbook has the form's sheet (a styled, frozen header row whose required columns carry " *" and a
warmer fill, dropdowns on every enumerated column, number formats and widths, one example row that the
reader skips because its first cell starts with 示例), a 填写说明 sheet explaining every column, and, only
when a dropdown list would exceed Excel's 255-character limit, a hidden `_lists` sheet holding the values.

The 填写说明 sheet must never be mistaken for a form by our own reader: no cell of it may read as a
column name (see `_inert`), which tests/test_scaffold.py checks.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..config import Config
from ..docs import ENUMERATED_KINDS, FORM_INTRO, ColumnGuide, department_forms, dropdown_values, form_guides
from ..forms import FormSpec, Kind
from ..read.layout import Matcher

# File name of each form's blank workbook in input/.
TEMPLATE_FILES: dict[str, str] = {
    "customer": "客户档案表.xlsx",
    "competition": "竞争能力与策略分析对比表.xlsx",
    "keyperson": "关键人决策影响力分析表.xlsx",
    "followup": "客户跟进表.xlsx",
    "targets": "销售目标表.xlsx",
}

GUIDE_SHEET = "填写说明"
LISTS_SHEET = "_lists"
EXAMPLE_PREFIX = "示例："
LAST_ROW = 2000  # dropdowns and formats reach this row
LIST_FORMULA_LIMIT = 255  # Excel's limit on an inline list ("a,b,c")

NUMBER_FORMATS: dict[Kind, str] = {
    Kind.ID: "@",
    Kind.DATE: "yyyy-mm-dd",
    Kind.MONTH: "yyyy-mm",
    Kind.MONEY: "#,##0.00",
    Kind.YUAN: "#,##0",
    Kind.PERCENT: "0%",
    Kind.INT: "#,##0",
    Kind.SCORE: "0",
    Kind.INFLUENCE: "0",
}
TEXT_FORMAT_KEYS = frozenset({"phone"})  # keep leading zeros and long digit strings as typed

_THIN = Side(style="thin", color="8EA9DB")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_TITLE_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="000000")
_REQUIRED_FONT = Font(bold=True, color="9C0006")
_EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP_LEFT = Alignment(wrap_text=True, vertical="top", horizontal="left")


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _column_width(g: ColumnGuide, cfg: Config, first: bool) -> float:
    kind = g.column.kind
    minimum = {Kind.TEXT: 14 if g.example else 24, Kind.MARKDOWN: 30, Kind.DATE: 13, Kind.MONTH: 10,
               Kind.MONEY: 12, Kind.YUAN: 10, Kind.ID: 12}.get(kind, 8)
    example = (EXAMPLE_PREFIX if first else "") + g.example
    widths = [text_width(g.header) + 4, text_width(example) + 2, minimum]
    widths += [text_width(v) + 4 for v in dropdown_values(g.column, cfg)]
    return float(min(max(widths), 40))


_DEFAULT_CFG = Config(root=Path("."))


def _example_value(g: ColumnGuide) -> object:
    """The example cell as Excel should hold it: dates as dates, percentages and amounts as numbers."""
    ex = g.example
    if not ex:
        return None
    kind = g.column.kind
    try:
        if kind is Kind.DATE:
            return datetime.combine(date.fromisoformat(ex), datetime.min.time())
        if kind is Kind.MONTH:
            y, m = ex.split("-")[:2]
            return datetime(int(y), int(m), 1)
        if kind is Kind.PERCENT:
            return float(ex.rstrip("%")) / 100 if ex.endswith("%") else float(ex)
        if kind in (Kind.MONEY, Kind.YUAN):
            return float(ex)
        if kind in (Kind.INT, Kind.SCORE, Kind.INFLUENCE):
            return int(ex)
    except ValueError:
        return ex
    return ex


class _Inert:
    """Makes the guide's cells unreadable as column names, so the reader never takes the guide for a form."""

    def __init__(self, forms: tuple[FormSpec, ...]) -> None:
        self.forms = forms
        self.matcher = Matcher(forms)

    def matches(self, text: str) -> bool:
        return any(self.matcher.match(f, text) is not None for f in self.forms)

    def text(self, text: str) -> str:
        return f"{text}。" if text and self.matches(text) else text

    def literal(self, text: str) -> str:
        return f"“{text}”" if text and self.matches(text) else text


def write_template(form: FormSpec, path: Path, cfg: Config | None = None) -> Path:
    """Write the blank workbook of one form. The caller decides whether `path` may be written."""
    cfg = cfg or _DEFAULT_CFG
    forms = department_forms(cfg)
    form = next((f for f in forms if f.key == form.key), form)
    guides = form_guides(form, cfg)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = form.title[:31]
    lists: list[str] = []  # values on the hidden _lists sheet, one per row of column A
    for i, g in enumerate(guides, 1):
        _header_cell(ws, i, g)
        _column_format(ws, i, g, cfg)
        _dropdown(ws, i, g, cfg, lists)
    _example_row(ws, guides)
    ws.freeze_panes = "B2" if guides[0].column.key == "account_id" else "A2"
    ws.row_dimensions[1].height = 36
    ws.sheet_view.zoomScale = 100
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    _guide_sheet(wb.create_sheet(GUIDE_SHEET), form, guides, forms)
    if lists:
        ls = wb.create_sheet(LISTS_SHEET)
        for r, v in enumerate(lists, 1):
            ls.cell(row=r, column=1, value=v)
        ls.sheet_state = "hidden"
    wb.properties.creator = "sitegen"
    wb.properties.title = form.title
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _header_cell(ws: Worksheet, col: int, g: ColumnGuide) -> None:
    cell = ws.cell(row=1, column=col, value=g.header)
    cell.font = _REQUIRED_FONT if g.required else _HEADER_FONT
    cell.fill = _REQUIRED_FILL if g.required else _HEADER_FILL
    cell.border = _BORDER
    cell.alignment = _WRAP
    note = [f"{g.label}（{g.required_text}）", g.help]
    accepted = g.accepted_text()
    if accepted:
        note.append("可填：" + accepted)
    comment = Comment("\n".join(n for n in note if n)[:1000], "sitegen")
    comment.width = 320
    comment.height = 160
    cell.comment = comment


def _column_format(ws: Worksheet, col: int, g: ColumnGuide, cfg: Config) -> None:
    letter = get_column_letter(col)
    dim = ws.column_dimensions[letter]
    dim.width = _column_width(g, cfg, col == 1)
    fmt = NUMBER_FORMATS.get(g.column.kind)
    if g.column.key in TEXT_FORMAT_KEYS:
        fmt = "@"
    if fmt:
        dim.number_format = fmt


def _dropdown(ws: Worksheet, col: int, g: ColumnGuide, cfg: Config, lists: list[str]) -> None:
    kind = g.column.kind
    if kind not in ENUMERATED_KINDS:
        return
    values = dropdown_values(g.column, cfg)
    inline = ",".join(values)
    if len(inline) + 2 <= LIST_FORMULA_LIMIT and not any("," in v or '"' in v for v in values):
        formula = f'"{inline}"'
    else:
        start = len(lists) + 1
        lists.extend(values)
        formula = f"'{LISTS_SHEET}'!$A${start}:$A${len(lists)}"
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.promptTitle = g.label[:32]
    dv.prompt = (g.help or g.label)[:250]
    dv.showInputMessage = True
    if kind is Kind.MULTI:
        # several values in one cell ("决策者、内线"): the list only suggests
        dv.showErrorMessage = False
    else:
        dv.showErrorMessage = True
        dv.errorStyle = "warning"
        dv.errorTitle = "不在列表中"[:32]
        dv.error = (f"“{g.label}”请从下拉列表中选择。也可以输入别名，sitegen 检查时会识别；"
                    f"无法识别的值会在检查报告中列出。")[:250]
    letter = get_column_letter(col)
    dv.add(f"{letter}2:{letter}{LAST_ROW}")
    ws.add_data_validation(dv)


def _example_row(ws: Worksheet, guides: tuple[ColumnGuide, ...]) -> None:
    for i, g in enumerate(guides, 1):
        value = _example_value(g)
        if i == 1:
            value = EXAMPLE_PREFIX + (g.example or "")
        cell = ws.cell(row=2, column=i, value=value)
        cell.font = _EXAMPLE_FONT
        cell.fill = _EXAMPLE_FILL
        cell.border = _BORDER
        fmt = NUMBER_FORMATS.get(g.column.kind)
        if fmt and i > 1:
            cell.number_format = fmt


_GUIDE_HEADER = ("序号", "列名", "必填", "类型", "填写说明", "可填的值", "示例", "也可用的列名")
_GUIDE_WIDTHS = (6, 20, 8, 18, 40, 60, 16, 40)


def _guide_sheet(ws: Worksheet, form: FormSpec, guides: tuple[ColumnGuide, ...], forms: tuple[FormSpec, ...]) -> None:
    inert = _Inert(forms)
    span = len(_GUIDE_HEADER)
    intro = [
        (f"{form.title} — 填写说明", Font(bold=True, size=14, color="FFFFFF"), _TITLE_FILL),
        (FORM_INTRO.get(form.key, "").replace("`", ""), None, None),
        ("表头中带 * （橙色）的列必须填写，其余列选填。第 2 行是灰色的示例行：它以“示例”开头，sitegen 读取时会跳过，"
         "可以保留也可以删除。请从第 3 行开始，每行填写一条记录。", None, None),
        ("有下拉箭头的列请从列表中选择；也可以输入下表列出的别名。日期写成 2026-11-03 这样的格式，金额按列名中的单位填写。"
         "不要改动表头文字；可以在右边增加自己的列，它们会作为附加信息显示在网站的客户页面上。", None, None),
        ("每周由部门助理运行 sitegen check 检查；有问题的单元格会在“反馈工作簿”中标出，请在自己的原工作簿中改正。",
         None, None),
    ]
    r = 1
    for text, font, fill in intro:
        if not text:
            continue
        cell = ws.cell(row=r, column=1, value=inert.text(text))
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        lines = -(-text_width(text) // int(sum(_GUIDE_WIDTHS) * 0.9))  # ceiling
        ws.row_dimensions[r].height = 24 if font else 16 * lines + 6
        r += 1
    r += 1
    header_row = r
    for c, h in enumerate(_GUIDE_HEADER, 1):
        cell = ws.cell(row=r, column=c, value=h)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _WRAP
    for n, g in enumerate(guides, 1):
        r += 1
        aliases = "、".join(a for a in g.column.aliases if a)
        help_text = g.help + ("（个人信息，不在网站上公开）" if g.private and "公开" not in g.help else "")
        if help_text and not help_text.endswith(("。", "）", ")")):
            help_text += "。"
        row = (n, f"【{g.label}】", g.required_text, inert.text(g.kind), inert.text(help_text),
               inert.text(g.accepted_text()), inert.literal(g.example), inert.literal(aliases))
        lines = max(-(-text_width(str(v)) // max(int(w * 0.95) - 1, 1)) for v, w in zip(row, _GUIDE_WIDTHS, strict=True))
        ws.row_dimensions[r].height = 15 * max(lines, 1) + 4
        for c, v in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=v)
            cell.border = _BORDER
            cell.alignment = _WRAP_LEFT
            if c == 2:
                cell.font = _REQUIRED_FONT if g.required else _HEADER_FONT
            if c == 3 and g.required:
                cell.fill = _REQUIRED_FILL
    for c, w in enumerate(_GUIDE_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
