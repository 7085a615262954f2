"""One workbook -> typed rows of the standard forms, with an Issue for every cell that is wrong.

This runs in worker processes: its input and output are plain picklable values.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from ..cells import a1, col_letter
from ..config import Config
from ..forms import Column, FormSpec, Kind, forms_for
from ..forms.values import ENUM_ALIASES, ENUMS, SUBTOTAL_WORDS
from ..i18n import Translator
from ..issues import Issue, Severity, SheetCount, make_issue
from ..model import Source
from ..normalise import (
    AS_OF_KEYS,
    Invalid,
    ident,
    is_blank,
    nfkc,
    parse_date,
    parse_enum,
    parse_influence,
    parse_int,
    parse_money,
    parse_month,
    parse_multi,
    parse_percent,
    parse_relationship,
    parse_scale,
    parse_stage,
    parse_yesno,
    parse_yuan,
    text,
)
from ..privacy import Classifier, classifier
from .discover import InputFile
from .formulas import CellProblem
from .layout import CardLayout, Grid, Matcher, TableLayout, detect_card, detect_table, fill_merged, near_miss
from .pack import Block, pack_rows, unpack_rows
from .workbook import RawSheet, ReadFailure, read_workbook


@dataclass(slots=True)
class Row:
    form: str
    values: dict[str, object]
    extra: tuple[tuple[str, str], ...]
    private: tuple[tuple[str, str], ...]
    src: Source
    rep: str  # the row's 客户经理, else the sheet's owner ("" if unknown)


@dataclass(slots=True)
class WorkbookResult:
    rel: str
    digest: str
    rows: list[Row] = field(default_factory=list)
    sheets: list[SheetCount] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unreadable: bool = False  # the whole file could not be read
    owner: str = ""
    blocks: list[Block] | None = None  # more rows, still packed (as they come from a reading process)
    # the values that took their year from the as-of date (normalise.AS_OF_KEYS): 11月3日 reads as another
    # date once the as-of date has moved far enough; the read cache checks them (normalise.same_reading)
    as_of_keys: tuple[tuple[str, int, int], ...] = ()
    locked: bool = False  # unreadable because it may not be read (open in Excel/WPS on Windows, permissions)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # rows travel packed (see read/pack.py): pickling Row objects one by one is slow
        return _unpack_result, (self.rel, self.digest, self.packed(), self.sheets, self.issues,
                                self.unreadable, self.owner, self.as_of_keys, self.locked)

    def packed(self) -> list[Block]:
        """Every row, packed (the rows of a sheet share their keys and column letters)."""
        return pack_rows(self.rows) + (self.blocks or [])

    def all_rows(self) -> list[Row]:
        """Every row as a Row (unpacking what is still packed)."""
        if self.blocks is not None:
            self.rows = self.rows + unpack_rows(self.blocks)
            self.blocks = None
        return self.rows


def _unpack_result(rel: str, digest: str, blocks: list[Block], sheets: list[SheetCount], issues: list[Issue],
                   unreadable: bool, owner: str,
                   as_of_keys: tuple[tuple[str, int, int], ...] = (), locked: bool = False) -> WorkbookResult:
    return WorkbookResult(rel, digest, [], sheets, issues, unreadable, owner, blocks, as_of_keys, locked)


@dataclass(frozen=True)
class ReadContext:
    config: Config
    as_of: date

    @property
    def lang(self) -> str:
        return self.config.language


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def folder_owner(rel: str) -> str:
    parts = rel.split("/")
    return parts[-2] if len(parts) >= 2 else ""


def read_file(f: InputFile, ctx: ReadContext) -> WorkbookResult:
    """Read, recognise and normalise one workbook. Never raises for bad input."""
    start = len(AS_OF_KEYS)
    dated: set[tuple[str, int, int]] = set()
    _DATED_SINK[:] = [dated]  # values remembered from an earlier file (_Dated) add their keys here
    try:
        result = _read_file(f, ctx)
    finally:
        dated.update(AS_OF_KEYS[start:])  # values parsed for this file
        del AS_OF_KEYS[start:]
        _DATED_SINK.clear()
    result.as_of_keys = tuple(sorted(dated))
    _owner_from_rows(result, f.rel, ctx.config)
    owner = file_owner(result, f.rel, ctx.config)
    if owner:  # file and sheet problems belong to the workbook's owner, so that the report groups them there
        result.issues = [i if i.rep else replace(i, rep=owner) for i in result.issues]
    return result


def _owner_from_rows(result: WorkbookResult, rel: str, cfg: Config) -> None:
    """A workbook without a 填表人 title whose 客户经理 column names one rep belongs to that rep, not to its
    folder (input/华东一组/张三.xlsx is 张三's, not 华东一组's): rows, sheets and problems that took the
    folder as their rep take the rep instead."""
    if result.owner:
        return
    with_column = [r for r in result.rows if r.src.cell("rep")]
    named = Counter(str(r.values["rep"]) for r in with_column if r.values.get("rep"))
    if not named:
        return
    rep, n = named.most_common(1)[0]
    if n < 0.8 * len(with_column):  # the column must be filled, and with one name, almost everywhere
        return
    result.owner = rep
    folder = _owner("", rel, cfg)
    if not folder or folder == rep:
        return
    for r in result.rows:
        if r.rep == folder:
            r.rep = rep
    result.sheets = [replace(s, rep=rep) if s.rep == folder else s for s in result.sheets]
    result.issues = [replace(i, rep=rep) if i.rep == folder else i for i in result.issues]


def file_owner(result: WorkbookResult | None, rel: str, cfg: Config) -> str:
    """The rep a workbook belongs to: its 填表人 title, else its folder, else the configured default."""
    return _owner(result.owner if result is not None else "", rel, cfg)


def _read_file(f: InputFile, ctx: ReadContext) -> WorkbookResult:
    cfg = ctx.config
    result = WorkbookResult(rel=f.rel, digest="")
    try:
        result.digest = file_digest(f.path)
        wb = read_workbook(f.path)
    except ReadFailure as exc:
        result.unreadable = True
        result.issues.append(make_issue(exc.code, lang=ctx.lang, file=f.rel,
                                        reason=exc.reason_en if ctx.lang == "en" else exc.reason_zh))
        return result
    except PermissionError:  # on Windows, a workbook open in Excel or WPS; elsewhere, no permission
        result.unreadable = result.locked = True
        issue = make_issue("file-unreadable", lang=ctx.lang, file=f.rel, reason="")
        result.issues.append(replace(issue, message=Translator(ctx.lang)("read.locked")))
        return result
    except OSError as exc:
        result.unreadable = True
        reason = (f"the file cannot be opened ({exc.strerror or type(exc).__name__})" if ctx.lang == "en"
                  else f"无法打开文件（{exc.strerror or type(exc).__name__}），可能没有权限或已被移走")
        result.issues.append(make_issue("file-unreadable", lang=ctx.lang, file=f.rel, reason=reason))
        return result
    except Exception as exc:  # a bug in a check must not stop the build: report this file, read the others
        result.unreadable = True
        detail = f"{type(exc).__name__}: {str(exc)[:100]}"
        reason = f"internal error ({detail})" if ctx.lang == "en" else f"sitegen 内部错误（{detail}），请报告管理员"
        result.issues.append(make_issue("file-unreadable", lang=ctx.lang, file=f.rel, reason=reason))
        return result
    matcher = _matcher(cfg)
    customer = next(fm for fm in matcher.forms if fm.key == "customer")
    file_stem = PurePosixPath(f.rel).stem  # the name as shown (a GBK name decoded)
    recognised = 0
    for sheet in wb.sheets:
        if sheet.chart:
            reason = "chart sheet (no cells)" if ctx.lang == "en" else "图表工作表（没有单元格）"
            result.issues.append(make_issue("sheet-unrecognised", lang=ctx.lang, file=f.rel, sheet=sheet.name, reason=reason))
            continue
        if sheet.error:
            result.issues.append(make_issue("sheet-unreadable", lang=ctx.lang, file=f.rel, sheet=sheet.name,
                                            reason=sheet.error))
            continue
        if sheet.truncated:
            result.issues.append(make_issue("sheet-too-large", lang=ctx.lang, file=f.rel, sheet=sheet.name,
                                            rows=sheet.truncated[0], cols=sheet.truncated[1],
                                            limit=sheet.read_extent[0]))
        if not any(any(not is_blank(v) for v in row) for row in sheet.rows):
            if not sheet.hidden and not sheet.truncated:
                result.issues.append(make_issue("sheet-empty", lang=ctx.lang, file=f.rel, sheet=sheet.name))
            continue
        n_rows, n_issues, n_sheets = len(result.rows), len(result.issues), len(result.sheets)
        try:
            recognised += _read_sheet(result, f, sheet, matcher, customer, file_stem, ctx)
        except Exception as exc:  # a bug must not cost the department the rest of its data: report it, go on
            del result.rows[n_rows:], result.issues[n_issues:], result.sheets[n_sheets:]
            reason = f"internal error {type(exc).__name__}: {str(exc)[:100]}"
            result.issues.append(make_issue("sheet-unreadable", lang=ctx.lang, file=f.rel, sheet=sheet.name,
                                            reason=reason if ctx.lang == "en" else "sitegen 内部错误（" + reason + "），请报告管理员"))
    if recognised == 0 and not any(i.code.startswith("sheet-near-miss") for i in result.issues):
        result.issues.append(make_issue("file-no-forms", lang=ctx.lang, file=f.rel))
    return result


_MATCHERS: dict[str, Matcher] = {}


def _matcher(cfg: Config) -> Matcher:
    """One Matcher per set of forms in this process: its memory of header texts serves every workbook."""
    key = repr((cfg.score_dimensions, cfg.aliases))
    m = _MATCHERS.get(key)
    if m is None:
        if len(_MATCHERS) > 8:
            _MATCHERS.clear()
        m = _MATCHERS[key] = Matcher(forms_for(cfg.score_dimensions, cfg.aliases))
    return m


def _read_sheet(result: WorkbookResult, f: InputFile, sheet: RawSheet, matcher: Matcher, customer: FormSpec,
                file_stem: str, ctx: ReadContext) -> int:
    """Read one sheet as a table or a card; 1 when it was recognised, else 0 (reported)."""
    grid = fill_merged(sheet)
    table = detect_table(grid, matcher, sheet.name, file_stem)
    card = detect_card(grid, matcher, customer)
    # A card's label rows can pass for a header (客户类别 | 重要客户 | 客户等级 | A), and a table's cells for
    # label/value pairs: the reading that recognises more standard columns wins.
    if card is not None and (table is None or len(card.fields) > len(table.columns)):
        _read_card(result, f, sheet, grid, card, ctx)
        return 1
    if table is not None:
        _read_table(result, f, sheet, grid, table, ctx)
        return 1
    near = near_miss(grid, matcher)
    if near is not None and not sheet.hidden:
        # it looks like a form: say so at warning level, with what was found and what is missing
        form, found, missing = near
        en = ctx.lang == "en"
        sep = ", " if en else "、"
        names = sep.join(c.name(ctx.lang) for c in found)
        if missing:
            result.issues.append(make_issue("sheet-near-miss", lang=ctx.lang, file=f.rel, sheet=sheet.name,
                                            form=form.en if en else form.title, found=names,
                                            missing=sep.join(c.name(ctx.lang) for c in missing)))
        else:
            result.issues.append(make_issue("sheet-near-miss-few", lang=ctx.lang, file=f.rel, sheet=sheet.name,
                                            form=form.en if en else form.title, found=names, n=len(found)))
        return 0
    reason = ("no header row with at least 3 standard column names in the first 30 rows, and not a customer card"
              if ctx.lang == "en" else
              "前 30 行中没有包含至少 3 个标准列名（如 客户编号、客户名称、日期、姓名）的表头行，也不是客户卡片")
    result.issues.append(make_issue("sheet-unrecognised", lang=ctx.lang, file=f.rel, sheet=sheet.name, reason=reason))
    return 0


def _owner(layout_owner: str, rel: str, cfg: Config) -> str:
    if layout_owner:
        return layout_owner
    if cfg.owner_from_folder:
        o = folder_owner(rel)
        if o:
            return o
    return cfg.default_owner


class _RowReader:
    """Normalise the cells of one record; collect issues; say whether the record has errors."""

    def __init__(self, ctx: ReadContext, rel: str, sheet: str, rep: str, account: str = "") -> None:
        self.account = account
        self.ctx = ctx
        self.rel = rel
        self.sheet = sheet
        self.rep = rep
        self.issues: list[Issue] = []
        self.errors = 0

    def issue(self, code: str, cell: str, **fields: Any) -> None:  # the message template's values
        i = make_issue(code, lang=self.ctx.lang, file=self.rel, sheet=self.sheet, cell=cell, rep=self.rep,
                       account=self.account, **fields)
        if i.severity.value == "error":
            self.errors += 1
        self.issues.append(i)

    def value(self, col: Column, raw: object, cell: str) -> object:
        cfg = self.ctx.config
        label = col.en if self.ctx.lang == "en" and col.en else col.label
        try:
            v = convert(col, raw, cfg, self.ctx.as_of)
        except Invalid as exc:
            shown = text(raw)[:60]
            if exc.code == "value-enum":
                self.issue("value-enum", cell, column=label, value=shown, accepted=accepted_values(col, cfg))
            elif exc.code == "value-range":
                low = exc.fields.get("low", 1)
                high = exc.fields.get("high", 5)
                self.issue("value-range", cell, column=label, value=shown, low=low, high=high)
            else:
                self.issue(exc.code, cell, column=label, value=shown, **exc.fields)
            return None
        if isinstance(v, str) and len(v) > cfg.max_text_length:
            self.issue("value-too-long", cell, column=label, length=len(v), limit=cfg.max_text_length)
            v = v[: cfg.max_text_length]
        return v


def accepted_values(col: Column, cfg: Config) -> str:
    if col.kind is Kind.STAGE:
        return "、".join(s.name for s in cfg.stages) + "（或 1–6、S/P/A/D/C/O）"
    if col.kind is Kind.RELATIONSHIP:
        return "认识、约会、认同、信赖、同盟（或 1–5）"
    return "、".join(ENUMS.get(col.enum, ()))


def convert(col: Column, raw: object, cfg: Config, as_of: date) -> object:
    k = col.kind
    if k is Kind.TEXT or k is Kind.MARKDOWN:
        return text(raw)
    if k is Kind.ID:
        return ident(raw)
    if k is Kind.DATE:
        return parse_date(raw, ref=as_of)
    if k is Kind.MONEY:
        v = parse_money(raw, scale=cfg.money_scale)
        if v < 0:
            raise Invalid("value-negative")
        return round(v, 6)
    if k is Kind.YUAN:
        v = parse_yuan(raw)
        if v < 0:
            raise Invalid("value-negative")
        return v
    if k is Kind.PERCENT:
        return parse_percent(raw)
    if k is Kind.INT:
        v = parse_int(raw)
        if v < 0:
            raise Invalid("value-negative")
        return v
    if k is Kind.SCORE:
        return parse_scale(raw)
    if k is Kind.INFLUENCE:
        return parse_influence(raw)
    if k is Kind.YESNO:
        return parse_yesno(raw)
    if k is Kind.ENUM or k is Kind.MULTI:
        aliases = dict(ENUM_ALIASES.get(col.enum, {}))
        aliases.update(cfg.value_aliases.get(col.enum, {}))
        accepted = ENUMS[col.enum]
        return parse_multi(raw, accepted, aliases) if k is Kind.MULTI else parse_enum(raw, accepted, aliases)
    if k is Kind.STAGE:
        return parse_stage(raw, tuple(s.name for s in cfg.stages), {**cfg.stage_aliases, **cfg.value_aliases.get("stage", {})})
    if k is Kind.RELATIONSHIP:
        return parse_relationship(raw)
    if k is Kind.MONTH:
        return parse_month(raw, ref=as_of)
    raise AssertionError(k)


_EN_TOTALS = ("total", "subtotal", "grandtotal", "sum", "totals")
_ZH_TOTALS = tuple(w for w in SUBTOTAL_WORDS if not w.isascii())
IDENTIFYING = ("account_id", "account_name", "date", "name", "party", "month", "rep")


_LABELS: dict[str, bool] = {}


def _subtotal_label(v: object) -> bool:
    """合计, 小计, 钢材业务小计, 公司合计, Total: a cell that labels a subtotal row."""
    if not isinstance(v, str):
        return False
    known = _LABELS.get(v)  # the first cells of rows (dates, ids, names) repeat: decided once per text
    if known is None:
        s = nfkc(v).replace(" ", "").lower().rstrip(":：")
        known = bool(s) and len(s) <= 12 and (s in _EN_TOTALS or any(s.startswith(w) or s.endswith(w)
                                                                     for w in _ZH_TOTALS))
        if len(_LABELS) > 50_000:
            _LABELS.clear()
        _LABELS[v] = known
    return known


def _is_subtotal(values: list[object], identifying: list[int]) -> bool:
    """A subtotal row has a subtotal label among its first cells and nothing that identifies a record
    (account, date, person, party) other than that label: 汇总科技 with an account id is an account."""
    # Fast path (same answer): the first identifying cell that holds something decides, unless it is a label.
    n = len(values)
    for c in identifying:
        if c < n and not is_blank(values[c]):
            if c >= 8 or values[c].__class__ is not str or not _subtotal_label(values[c]):
                return False
            break
    labels = {c for c, v in enumerate(values[:8]) if _subtotal_label(v)}
    if not labels:
        return False
    return all(c in labels or c >= n or is_blank(values[c]) for c in identifying)


_EXAMPLE_PREFIXES = ("示例", "(示例)", "例:", "样例")


_EXAMPLES: dict[str, bool] = {}


def _is_example(values: list[object]) -> bool:
    for v in values[:3]:
        # every prefix holds a CJK character: an ASCII cell (ids, English names) never starts one
        if not isinstance(v, str) or v.isascii():
            continue
        known = _EXAMPLES.get(v)
        if known is None:
            if len(_EXAMPLES) > 50_000:
                _EXAMPLES.clear()
            known = _EXAMPLES[v] = nfkc(v).startswith(_EXAMPLE_PREFIXES)
        if known:
            return True
    return False


def _private_column(cls: Classifier, col: Column, typed: str) -> bool:
    """A standard column is private by its standard name (电话, 生日...), or, for free text, by the header
    as typed (`地址（家庭）` read as 地址); never a required one."""
    if col.required:
        return False
    if col.kind is Kind.TEXT or col.kind is Kind.MARKDOWN:
        return cls.is_private(typed, col.label)
    return cls.is_private(col.label)


def _typed_header(grid: Grid, rows: tuple[int, ...], c: int) -> str:
    return " ".join(text(v) for v in (grid.value(r, c) for r in rows) if not is_blank(v))


def _required_ok(form: FormSpec, present: set[str], cfg: Config, owner: str) -> list[Column]:
    """Required columns missing from the header (taking derivations into account)."""
    missing = []
    for col in form.required:
        if col.key in present:
            continue
        if col.key == "account_id" and ("account_name" in present and (form.key != "customer" or cfg.account_id_from_name)):
            continue
        if col.key == "rep" and owner:
            continue
        missing.append(col)
    return missing


def _read_table(result: WorkbookResult, f: InputFile, sheet: RawSheet, grid: Grid, table: TableLayout,
                ctx: ReadContext) -> None:
    cfg = ctx.config
    form = table.form
    owner = _owner(table.owner, f.rel, cfg)
    if not result.owner and table.owner:
        result.owner = table.owner
    lang = ctx.lang
    for label, first, dup in table.duplicates:
        result.issues.append(make_issue("column-duplicate", lang=lang, file=f.rel, sheet=sheet.name,
                                        cell=a1(table.header_rows[0], dup), rep=owner, column=label,
                                        first=a1(table.header_rows[0], first)))
    present = {c.key for _, c in table.all_columns()}
    missing = _required_ok(form, present, cfg, owner)
    data_rows = range(table.first_data_row, grid.height)
    if missing:
        sep = ", " if lang == "en" else "、"
        found = sep.join(dict.fromkeys(col.name(lang) for _, col in table.all_columns()))
        for col in missing:
            result.issues.append(make_issue("column-missing", lang=lang, file=f.rel, sheet=sheet.name,
                                            cell=a1(table.header_rows[0], 0), rep=owner, column=col.name(lang),
                                            form=form.en if lang == "en" else form.title, found=found,
                                            accepted=sep.join(
                                                dict.fromkeys((col.name(lang), col.label, *col.aliases_in_force)))))
        # every non-blank row is rejected: nothing is read from a sheet without its required columns
        identifying = [c for c, col in table.all_columns() if col.key in IDENTIFYING]
        read = skipped = 0
        for r in data_rows:
            vals = grid.rows[r]
            if _is_example(vals):  # part of the template, like its header: not a row of data
                continue
            read += 1
            if all(is_blank(v) for v in vals) or _is_subtotal(vals, identifying):
                skipped += 1
        result.sheets.append(SheetCount(f.rel, sheet.name, form.key, owner, read, 0, read - skipped, skipped))
        return
    private = classifier(cfg)
    cols = table.all_columns()
    letters = {col.key: col_letter(c) for c, col in cols}
    shared_columns = tuple(letters.items())
    identifying = [c for c, col in cols if col.key in IDENTIFYING]
    en = lang == "en"
    limit = cfg.max_text_length
    # Everything about a column that does not depend on the row, worked out once per sheet. Values other
    # than free text repeat down a column (ids, dates, stages, enumerations, numbers): each distinct value
    # is parsed once per process (`seen`), free text is only trimmed.
    memos = _memos(ctx)
    for _c, col in cols:
        if col.kind is not Kind.TEXT and col.kind is not Kind.MARKDOWN and col not in memos:
            memos[col] = ({}, _converter(col, ctx))
    plan = [(c, col.key, *memos.get(col, (None, None)),
             col.required and not _derivable(col, form, table, cfg, owner),  # blank: report value-missing
             _private_column(private, col, _typed_header(grid, table.header_rows, c)),  # kept as a private field
             col, col.en if en and col.en else col.label, letters[col.key])  # the column's name in messages
            for c, col in cols]
    extras = [(c, label, private.is_private(label)) for c, label in sorted(table.extras.items())]
    rep_col = next((c for c, col in cols if col.key == "rep"), None)
    id_col = next((c for c, col in cols if col.key == "account_id"), None)
    idents = _IDENTS
    texts = _shared_texts()
    origin = grid.origin
    origin_rows = {r for r, _ in origin}
    rel, sheet_name = f.rel, sheet.name
    read = accepted = rejected = skipped = 0
    for r in data_rows:
        vals = grid.rows[r]
        read += 1
        n = len(vals)
        if _row_blank(vals):
            skipped += 1
            continue
        if _is_example(vals):  # a template's example row belongs to the form, like its header: not data
            read -= 1
            continue
        if _is_subtotal(vals, identifying):
            skipped += 1
            continue
        row_rep = ""
        if rep_col is not None and rep_col < n and not is_blank(vals[rep_col]) and vals[rep_col].__class__ is not CellProblem:
            row_rep = idents(vals[rep_col])[:limit]
        rep = row_rep or owner
        account = ""
        if id_col is not None and id_col < n and not is_blank(vals[id_col]) and vals[id_col].__class__ is not CellProblem:
            account = idents(vals[id_col])
        rowno = str(r + 1)
        issues: list[Issue] = []
        errors = 0
        values: dict[str, object] = {}
        priv: list[tuple[str, str]] = []
        for c, key, seen, conv, report_blank, is_private, col, label, letter in plan:
            raw = vals[c] if c < n else ""
            cls = raw.__class__  # is_blank(), inlined: this loop runs once per cell
            if (not raw or raw.isspace()) if cls is str else (raw is None or (cls is float and raw != raw)):
                if report_blank:
                    i = make_issue("value-missing", lang=lang, file=rel, sheet=sheet_name,
                                   cell=_ref(origin, r, c, letter, rowno), rep=rep, account=account,
                                   column=col.en if en else col.label)
                    errors += i.severity.value == "error"
                    issues.append(i)
                continue
            if cls is CellProblem:  # a formula without a value: reported at its cell, the value is absent
                i = problem_issue(raw, col, label, lang, rel, sheet_name,  # type: ignore[arg-type]
                                  _ref(origin, r, c, letter, rowno), rep, account)
                errors += i.severity.value == "error"
                issues.append(i)
                continue
            if is_private:
                priv.append((col.label, text(raw)[:limit]))
                continue
            if seen is None:  # free text: text(), inlined; short texts shared (names, purposes repeat)
                v = raw.replace("\r\n", "\n").strip() if cls is str else text(raw)  # type: ignore[attr-defined]
                if len(v) <= 40:
                    v = texts.setdefault(v, v)
            else:
                k = (cls, raw)
                try:
                    v = seen.get(k, _MISS)
                except TypeError:  # not hashable
                    v = conv(raw)
                else:
                    if v is _MISS:
                        v = conv(raw)
                        if cls is not float or (raw == raw and raw != 0):  # never -0.0 for 0.0, nor NaN
                            if len(seen) >= MEMO_LIMIT:
                                seen.clear()
                            seen[k] = v
                if v.__class__ is _Dated:
                    if _DATED_SINK:
                        _DATED_SINK[0].update(v.keys)  # type: ignore[attr-defined]
                    v = v.value  # type: ignore[attr-defined]
                elif v.__class__ is _Failed:
                    i = _value_issue(v, col, raw, label, cfg, lang, rel, sheet_name,  # type: ignore[arg-type]
                                     _ref(origin, r, c, letter, rowno), rep, account)
                    errors += i.severity.value == "error"
                    issues.append(i)
                    continue
            if v.__class__ is str and len(v) > limit:  # type: ignore[arg-type]
                i = make_issue("value-too-long", lang=lang, file=rel, sheet=sheet_name,
                               cell=_ref(origin, r, c, letter, rowno), rep=rep, account=account,
                               column=label, length=len(v), limit=limit)  # type: ignore[arg-type]
                errors += i.severity.value == "error"
                issues.append(i)
                v = v[:limit]  # type: ignore[index]
            if v is not None:
                values[key] = v
        extra: list[tuple[str, str]] = []
        for c, label, hidden in extras:
            raw = vals[c] if c < n else ""
            if is_blank(raw):
                continue
            if raw.__class__ is CellProblem:
                issues.append(problem_issue(raw, None, label, lang, rel, sheet_name,  # type: ignore[arg-type]
                                            _ref(origin, r, c, col_letter(c), rowno), rep, account))
                continue
            if hidden:
                priv.append((label, _text(raw)[:limit]))
            else:
                extra.append((label, _text(raw)[:limit]))
        if issues:
            result.issues.extend(issues)
        if errors:
            rejected += 1
            continue
        accepted += 1
        overrides = () if r not in origin_rows else tuple(
            (key, a1(*origin[(r, c)])) for c, key, *_ in plan if (r, c) in origin)
        src = Source(rel, sheet_name, r + 1, overrides, shared_columns)
        result.rows.append(Row(form.key, values, tuple(extra), tuple(priv), src, rep))
    result.sheets.append(SheetCount(f.rel, sheet.name, form.key, owner, read, accepted, rejected, skipped))


def _row_blank(vals: list[object]) -> bool:
    for v in vals:
        if v.__class__ is str:
            if v and not v.isspace():
                return False
        elif not is_blank(v):
            return False
    return True


def _text(raw: object) -> str:
    return raw.replace("\r\n", "\n").strip() if raw.__class__ is str else text(raw)  # type: ignore[attr-defined]


def _ref(origin: dict[tuple[int, int], tuple[int, int]], r: int, c: int, letter: str, rowno: str) -> str:
    """The A1 reference of cell (r, c): the top-left cell of its merged range, if it is in one."""
    home = origin.get((r, c)) if origin else None
    return a1(*home) if home is not None else letter + rowno


class _Failed:
    """A value a column does not accept: the Invalid it raised (kept, so that memoised answers repeat it)."""

    __slots__ = ("code", "fields")

    def __init__(self, exc: Invalid) -> None:
        self.code = exc.code
        self.fields = exc.fields


class _Dated:
    """A parsed value that took its year from the as-of date (11月3日, 11月), as remembered per column,
    with the AS_OF_KEYS its parsing added."""

    __slots__ = ("keys", "value")

    def __init__(self, value: object, keys: tuple[tuple[str, int, int], ...]) -> None:
        self.value = value
        self.keys = keys


_DATED_SINK: list[set[tuple[str, int, int]]] = []  # the file being read: where remembered _Dated keys go


MEMO_LIMIT = 50_000  # distinct values remembered per column
_MISS = object()
_MEMOS: dict[str, dict[Column, tuple[dict[tuple[type, object], object], Callable[[object], object]]]] = {}


def _memos(ctx: ReadContext) -> dict[Column, tuple[dict[tuple[type, object], object], Callable[[object], object]]]:
    """Per column: the values parsed so far in this process and the parser, for everything convert() reads."""
    cfg = ctx.config
    key = repr((ctx.as_of, cfg.money_scale, [s.name for s in cfg.stages], cfg.stage_aliases, cfg.value_aliases))
    memos = _MEMOS.get(key)
    if memos is None:
        _MEMOS.clear()
        memos = _MEMOS[key] = {}
    return memos


class _Idents:
    """ident() of the 客户经理 and 客户编号 cells, remembered (they repeat on every row)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[type, object], str] = {}

    def __call__(self, raw: object) -> str:
        k = (raw.__class__, raw)
        try:
            v = self.seen.get(k)
        except TypeError:
            return ident(raw)
        if v is None:
            v = ident(raw)
            if raw.__class__ is not float or (raw == raw and raw != 0):
                if len(self.seen) >= MEMO_LIMIT:
                    self.seen.clear()
                self.seen[k] = v
        return v


_IDENTS = _Idents()
_TEXTS: dict[str, str] = {}


def _shared_texts() -> dict[str, str]:
    """Equal short texts as one object: smaller to pickle (pickle stores an object once) and in memory."""
    if len(_TEXTS) > 200_000:
        _TEXTS.clear()
    return _TEXTS


def _converter(col: Column, ctx: ReadContext) -> Callable[[object], object]:
    """raw -> typed value, or a _Failed carrying the Invalid it raised."""
    cfg, as_of = ctx.config, ctx.as_of

    def conv(raw: object) -> object:
        start = len(AS_OF_KEYS)
        try:
            v = convert(col, raw, cfg, as_of)
        except Invalid as exc:
            return _Failed(exc)
        # remembered with its dependence on the as-of date, which each later file that meets it inherits
        return _Dated(v, tuple(AS_OF_KEYS[start:])) if len(AS_OF_KEYS) != start else v

    return conv


def _value_issue(v: _Failed, col: Column, raw: object, label: str, cfg: Config, lang: str, rel: str, sheet: str,
                 cell: str, rep: str, account: str) -> Issue:
    """The issue of a value a column does not accept (as _RowReader.value reports it)."""
    shown = text(raw)[:60]
    common = dict(lang=lang, file=rel, sheet=sheet, cell=cell, rep=rep, account=account, column=label, value=shown)
    if v.code == "value-enum":
        return make_issue("value-enum", accepted=accepted_values(col, cfg), **common)  # type: ignore[arg-type]
    if v.code == "value-range":
        return make_issue("value-range", low=v.fields.get("low", 1), high=v.fields.get("high", 5),
                          **common)  # type: ignore[arg-type]
    return make_issue(v.code, **common, **v.fields)  # type: ignore[arg-type]


def problem_issue(p: CellProblem, col: Column | None, label: str, lang: str, rel: str, sheet: str, cell: str,
                  rep: str, account: str) -> Issue:
    """The issue of a formula cell without a value: an error where the column is required or typed (the
    record cannot be trusted without it), a warning in a free-text or extra column."""
    serious = col is not None and (col.required or col.kind not in (Kind.TEXT, Kind.MARKDOWN))
    sev = Severity.ERROR if serious else Severity.WARNING
    common = dict(lang=lang, file=rel, sheet=sheet, cell=cell, rep=rep, account=account, column=label, severity=sev)
    if p.code:
        return make_issue("formula-error", error=p.code, **common)  # type: ignore[arg-type]
    return make_issue("formula-uncached", **common)  # type: ignore[arg-type]


def _derivable(col: Column, form: FormSpec, table: TableLayout | None, cfg: Config, owner: str) -> bool:
    if col.key == "rep":
        return bool(owner)
    if col.key == "account_id":
        return form.key != "customer" or cfg.account_id_from_name
    return False


def _read_card(result: WorkbookResult, f: InputFile, sheet: RawSheet, grid: Grid, card: CardLayout,
               ctx: ReadContext) -> None:
    cfg = ctx.config
    owner = _owner(card.owner, f.rel, cfg)
    rep_raw = card.fields.get("rep")
    rep = ""
    if rep_raw:
        v = grid.value(rep_raw[1], rep_raw[2])
        rep = ident(v) if not is_blank(v) and v.__class__ is not CellProblem else ""
    rep = rep or owner
    id_raw = card.fields.get("account_id")
    id_value = grid.value(id_raw[1], id_raw[2]) if id_raw else ""
    account = ident(id_value) if not is_blank(id_value) and id_value.__class__ is not CellProblem else ""
    rr = _RowReader(ctx, f.rel, sheet.name, rep, account)
    private = classifier(cfg)
    values: dict[str, object] = {}
    cells: list[tuple[str, str]] = []
    priv: list[tuple[str, str]] = []
    for key, (col, r, c) in sorted(card.fields.items()):
        raw = grid.value(r, c)
        hr, hc = grid.home(r, c)
        ref = a1(hr, hc)
        cells.append((key, ref))
        if is_blank(raw):
            if col.required and not _derivable(col, card.form, None, cfg, owner):
                rr.issue("value-missing", ref, column=col.name(ctx.lang))
            continue
        if raw.__class__ is CellProblem:
            i = problem_issue(raw, col, col.en if ctx.lang == "en" and col.en else col.label,  # type: ignore[arg-type]
                              ctx.lang, f.rel, sheet.name, ref, rep, account)
            rr.errors += i.severity.value == "error"
            rr.issues.append(i)
            continue
        if _private_column(private, col, text(grid.value(r, c - 1)) if c > 0 else ""):
            priv.append((col.label, text(raw)[: cfg.max_text_length]))
            continue
        v = rr.value(col, raw, ref)
        if v is not None:
            values[key] = v
    for col in card.form.required:
        if col.key not in card.fields and not _derivable(col, card.form, None, cfg, owner):
            if col.key == "account_id" and cfg.account_id_from_name:
                continue
            rr.issue("value-missing", a1(card.first_row, 0), column=col.name(ctx.lang))
    extra: list[tuple[str, str]] = []
    for label, r, c in card.extras:
        raw = grid.value(r, c)
        if is_blank(raw):
            continue
        if raw.__class__ is CellProblem:
            rr.issues.append(problem_issue(raw, None, label, ctx.lang, f.rel, sheet.name,  # type: ignore[arg-type]
                                           a1(*grid.home(r, c)), rep, account))
            continue
        (priv if private.is_private(label) else extra).append((label[:60], text(raw)[: cfg.max_text_length]))
    result.issues.extend(rr.issues)
    ok = rr.errors == 0
    if ok:
        src = Source(f.rel, sheet.name, card.first_row + 1, tuple(cells))
        result.rows.append(Row("customer", values, tuple(extra), tuple(priv), src, rep))
    result.sheets.append(SheetCount(f.rel, sheet.name, "customer", owner, 1, int(ok), int(not ok), 0))
