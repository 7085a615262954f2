"""Problems found in the input: one `Issue` value each, collected by the whole run and reported once.

Every issue has a stable code, a severity, a message in the user's language, and a place
(file relative to the input folder, sheet, cell in A1 form, rep). Messages are built from the
templates in `MESSAGES`, so the same code always reads the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Severity
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    rep: str = ""
    account: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "rep": self.rep,
            "account": self.account,
        }

    @property
    def place(self) -> str:
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        return " / ".join(parts)


# code -> (severity, zh template, en template). Templates use str.format fields.
MESSAGES: dict[str, tuple[Severity, str, str]] = {
    # files
    "file-skipped": (Severity.INFO, "已跳过：{reason}", "Skipped: {reason}"),
    "file-unreadable": (
        Severity.ERROR,
        "无法读取此文件：{reason}。请用 Excel 或 WPS 打开后另存为 .xlsx 再提交。",
        "This file cannot be read: {reason}. Open it in Excel or WPS and save it again as .xlsx.",
    ),
    "file-format": (
        Severity.WARNING,
        "无法读取此文件：{reason}。请用 Excel 或 WPS 打开后另存为 .xlsx 再提交；在此之前沿用它上次成功读取的数据（如有）。",
        "This file cannot be read: {reason}. Open it in Excel or WPS and save it as .xlsx; until then its last "
        "good data (if any) is used.",
    ),
    "file-too-large": (
        Severity.ERROR,
        "文件过大或内容异常（{reason}），为保护服务器未读取。请检查文件后重新保存。",
        "The file is too large or abnormal ({reason}); it was not read. Check it and save it again.",
    ),
    "file-symlink": (
        Severity.WARNING,
        "这是一个指向输入目录之外的快捷方式（符号链接），未读取。请把文件本身放进输入目录。",
        "This is a symbolic link pointing outside the input folder; it was not followed. Copy the file itself.",
    ),
    "file-no-forms": (
        Severity.WARNING,
        "文件中没有可识别的标准表格（客户档案表、竞争分析、关键人分析、跟进表）。",
        "No standard form was recognised in this workbook.",
    ),
    "stale-data": (
        Severity.WARNING,
        "本周文件无法读取，沿用 {date} 的数据。",
        "This week's file could not be read; using the data of {date}.",
    ),
    # sheets
    "sheet-unrecognised": (
        Severity.INFO,
        "工作表未识别为标准表格：{reason}",
        "Sheet not recognised as a standard form: {reason}",
    ),
    "sheet-near-miss": (
        Severity.WARNING,
        "工作表像{form}，但缺少：{missing}（已识别：{found}），没有读取。请补上这些列，或在 sitegen.yaml 的 aliases 中写明对应的列名。",
        "The sheet looks like a {form} but lacks: {missing} (found: {found}); it was not read. Add these columns, "
        "or name the matching headers under aliases in sitegen.yaml.",
    ),
    "sheet-near-miss-few": (
        Severity.WARNING,
        "工作表像{form}，但只识别出 {n} 个标准列（{found}），不足以确认，没有读取。请按标准列名修改表头，"
        "或把工作表改名为“{form}”。",
        "The sheet looks like a {form} but only {n} standard columns were found ({found}), too few to be sure; it "
        "was not read. Use the standard column names, or name the sheet after the form.",
    ),
    "sheet-empty": (Severity.INFO, "工作表没有数据行。", "The sheet has no data rows."),
    "sheet-too-large": (
        Severity.WARNING,
        "工作表范围过大（{rows} 行 × {cols} 列），只读取了左上角的前 {limit} 行（每行最多 400 列）。",
        "The sheet is too large ({rows} rows × {cols} columns); only its first {limit} rows (up to 400 columns) were read.",
    ),
    "sheet-unreadable": (
        Severity.ERROR,
        "工作表无法读取（{reason}），其中的数据没有导入。请用 Excel 或 WPS 打开后另存。",
        "The sheet cannot be read ({reason}); none of its data was imported. Open it in Excel or WPS and save it again.",
    ),
    "column-duplicate": (
        Severity.WARNING,
        "列“{column}”出现了两次，只使用第一列（{first}）。",
        "Column “{column}” appears twice; only the first ({first}) is used.",
    ),
    "column-missing": (
        Severity.ERROR,
        "工作表像{form}，但缺少必填列“{column}”（已识别：{found}），整张表没有读取。可接受的列名：{accepted}。",
        "The sheet looks like a {form} but the required column “{column}” is missing (found: {found}); none of "
        "it was read. Accepted names: {accepted}.",
    ),
    "owner-unknown": (
        Severity.ERROR,
        "无法确定客户经理：表中没有“客户经理”列或“填表人：…”，文件也不在以客户经理命名的文件夹中。",
        "The rep is unknown: no 客户经理 column, no 填表人 title, and the file is not in a folder named after the rep.",
    ),
    # values
    "value-missing": (Severity.ERROR, "“{column}”必须填写。", "“{column}” is required."),
    "value-enum": (
        Severity.ERROR,
        "“{column}”的值“{value}”无法识别。可接受：{accepted}。",
        "“{column}”: “{value}” is not accepted. Accepted: {accepted}.",
    ),
    "value-date": (
        Severity.ERROR,
        "“{column}”的值“{value}”不是有效日期。可接受：2026-11-03、2026/11/3、2026年11月3日、11月3日 或 Excel 日期。",
        "“{column}”: “{value}” is not a valid date. Accepted: 2026-11-03, 2026/11/3, 2026年11月3日, 11月3日 or an Excel date.",
    ),
    "value-number": (
        Severity.ERROR,
        "“{column}”的值“{value}”不是数字。请只填写数字，例如 120。",
        "“{column}”: “{value}” is not a number. Enter digits only, e.g. 120.",
    ),
    "value-money": (
        Severity.ERROR,
        "“{column}”的值“{value}”不是有效金额。可接受：12.5（万元）、12.5万、125,000元、¥12.5万。",
        "“{column}”: “{value}” is not an amount. Accepted: 12.5 (万元), 12.5万, 125,000元, ¥12.5万.",
    ),
    "value-percent": (
        Severity.ERROR,
        "“{column}”的值“{value}”不是有效百分比。可接受：40%、0.4 或 40。",
        "“{column}”: “{value}” is not a percentage. Accepted: 40%, 0.4 or 40.",
    ),
    "value-yesno": (
        Severity.ERROR,
        "“{column}”的值“{value}”无法识别。可接受：是、否、Y、N、√、×。",
        "“{column}”: “{value}” is not accepted. Accepted: 是, 否, Y, N, √, ×.",
    ),
    "value-range": (
        Severity.ERROR,
        "“{column}”的值“{value}”超出范围：应在 {low} 到 {high} 之间。",
        "“{column}”: “{value}” is out of range: it must be between {low} and {high}.",
    ),
    "value-negative": (
        Severity.ERROR,
        "“{column}”的值“{value}”不能为负数。",
        "“{column}”: “{value}” cannot be negative.",
    ),
    "value-too-long": (
        Severity.WARNING,
        "“{column}”的内容过长（{length} 个字符），网站上只显示前 {limit} 个字符。",
        "“{column}” is very long ({length} characters); the site shows the first {limit}.",
    ),
    # formula cells (issue 15): the severity is set per cell (error in a required or typed column)
    "formula-error": (
        Severity.ERROR,
        "公式出错（{error}）：请在 Excel 中检查这个公式。“{column}”没有读到值。",
        "Formula error ({error}): check this formula in Excel. No value was read for “{column}”.",
    ),
    "formula-uncached": (
        Severity.ERROR,
        "这个公式没有计算结果：请在 Excel 或 WPS 中打开并保存一次。“{column}”没有读到值。",
        "This formula has no calculated result: open the file in Excel or WPS and save it once. "
        "No value was read for “{column}”.",
    ),
    "value-stage-partial": (
        Severity.ERROR,
        "“{column}”的值“{value}”只识别了一部分：“{understood}”是“{stage}”，但“{rest}”无法识别。"
        "请改为标准阶段名，或在 sitegen.yaml 的 stage_aliases 中写明“{value}”对应哪个阶段。",
        "“{column}”: “{value}” is only partly understood: “{understood}” is “{stage}”, but “{rest}” is not. "
        "Use a standard stage name, or say in sitegen.yaml under stage_aliases which stage “{value}” is.",
    ),
    "value-stage-conflict": (
        Severity.ERROR,
        "“{column}”的值“{value}”前后不一致：编号 {number} 是“{by_number}”，文字“{words}”却是“{named}”。"
        "请改正，或在 sitegen.yaml 的 stage_aliases 中写明“{value}”对应哪个阶段。",
        "“{column}”: “{value}” disagrees with itself: number {number} is “{by_number}” but “{words}” is “{named}”. "
        "Correct it, or say in sitegen.yaml under stage_aliases which stage “{value}” is.",
    ),
    # records and references
    "account-duplicate": (
        Severity.ERROR,
        "客户“{account}”重复定义：另一处在 {other}。请只保留一处。",
        "Account “{account}” is defined twice; the other place is {other}. Keep only one.",
    ),
    "account-conflict": (
        Severity.WARNING,
        "同一客户“{account}”的多个项目行中，“{column}”不一致：“{value}”与 {other} 的“{other_value}”。",
        "Account “{account}”: “{column}” differs between its project rows: “{value}” vs “{other_value}” at {other}.",
    ),
    "account-unknown": (
        Severity.ERROR,
        "客户编号“{account}”在任何客户档案表中都不存在。请检查编号，或先在客户档案表中登记该客户。",
        "Account id “{account}” does not exist in any customer file. Check the id or register the account first.",
    ),
    "account-name-ambiguous": (
        Severity.ERROR,
        "客户名称“{value}”对应多个客户（{accounts}），请填写客户编号。",
        "Account name “{value}” matches several accounts ({accounts}); enter the account id.",
    ),
    "person-unknown": (
        Severity.WARNING,
        "“{column}”中的“{value}”不是客户“{account}”的关键人。请先在关键人分析表中登记。",
        "“{column}”: “{value}” is not a key person of account “{account}”. Add them to the key-person sheet.",
    ),
    "person-project-unknown": (
        Severity.WARNING,
        "“项目名称”中的“{value}”不是客户“{account}”的项目（该客户的项目：{projects}）。请与客户档案表的项目名称一致，多个项目用顿号分隔。",
        "“Project”: “{value}” is not a project of account “{account}” (its projects: {projects}). Use the project names "
        "of the customer file, several separated by 、.",
    ),
    "person-duplicate": (
        Severity.WARNING,
        "关键人“{value}”在客户“{account}”中出现了两次（另一处在 {other}），只使用第一处。",
        "Key person “{value}” appears twice for account “{account}” (also at {other}); the first is used.",
    ),
    "date-future": (
        Severity.WARNING,
        "跟进日期 {value} 晚于统计日期 {as_of}，请检查是否填错年份或月份。",
        "The contact date {value} is after the as-of date {as_of}; check the year or month.",
    ),
    "close-date-passed": (
        Severity.WARNING,
        "项目仍在进行中，但预计成交日期 {value} 已过（统计日期 {as_of}）。请更新日期或阶段。",
        "The project is open but its expected close date {value} has passed (as of {as_of}). Update the date or stage.",
    ),
    "competition-duplicate": (
        Severity.WARNING,
        "客户“{account}”的竞争方“{value}”出现了两次（另一处在 {other}），只使用第一处。",
        "Competitor “{value}” appears twice for account “{account}” (also at {other}); the first is used.",
    ),
    "target-duplicate": (
        Severity.WARNING,
        "客户经理“{rep}” {value} 的目标出现了两次（另一处在 {other}），只使用第一处。",
        "The target of {rep} for {value} appears twice (also at {other}); the first is used.",
    ),
}


def make_issue(
    code: str,
    *,
    lang: str = "zh",
    file: str = "",
    sheet: str = "",
    cell: str = "",
    rep: str = "",
    account: str = "",
    severity: Severity | None = None,
    **fields: object,
) -> Issue:
    """Build an Issue from its code's message template."""
    sev, zh, en = MESSAGES[code]
    template = en if lang == "en" else zh
    account = _cap(account)
    shown = {k: _cap(v) if isinstance(v, str) else v for k, v in fields.items()}
    return Issue(
        severity=severity or sev,
        code=code,
        message=template.format(account=account, **shown),
        file=file,
        sheet=_cap(sheet),
        cell=cell,
        rep=_cap(rep),
        account=account,
    )


MAX_FIELD = 200  # characters of a value quoted in a message: a 1 MB cell must not make a 1 MB report


def _cap(value: str) -> str:
    return value if len(value) <= MAX_FIELD else value[:MAX_FIELD] + "…"


@dataclass(frozen=True, slots=True)
class SheetCount:
    """How the rows of one sheet were accounted for: read = accepted + rejected + skipped."""

    file: str
    sheet: str
    form: str
    rep: str
    read: int
    accepted: int
    rejected: int
    skipped: int

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "form": self.form,
            "rep": self.rep,
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Report:
    issues: tuple[Issue, ...] = ()
    sheets: tuple[SheetCount, ...] = field(default_factory=tuple)
    # personal data (privacy.py), counts only, never values: (file, sheet, column, kind, values) set apart as
    # private, and (file, sheet, column, values) whose phone numbers or addresses were masked
    withheld: tuple[tuple[str, str, str, str, int], ...] = ()
    masked: tuple[tuple[str, str, str, int], ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.issues if i.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)


def sort_issues(issues: Iterable[Issue], sheet_order: dict[tuple[str, str], int] | None = None) -> list[Issue]:
    """A stable order: rep, file, sheet (in workbook order when `sheet_order` knows it), row, column, code."""
    from .cells import cell_sort_key

    order = sheet_order or {}
    return sorted(issues, key=lambda i: (i.rep, i.file, order.get((i.file, i.sheet), 1 << 30), i.sheet,
                                         cell_sort_key(i.cell), i.code, i.message))


UNREAD_CODES = ("file-unreadable", "file-too-large", "file-format")


def all_rejected(report: Report) -> list[tuple[str, str, int]]:
    """(file, sheet, rows rejected) of every sheet whose data rows were all rejected; sheet "" when that is
    true of every sheet of the workbook: what the build summary and the quality page name first."""
    by_file: dict[str, list[SheetCount]] = {}
    for s in report.sheets:
        by_file.setdefault(s.file, []).append(s)
    out: list[tuple[str, str, int]] = []
    for file, sheets in by_file.items():
        bad = [s for s in sheets if s.rejected and not s.accepted]
        if not bad:
            continue
        if len(bad) == len([s for s in sheets if s.read > s.skipped]) and len(bad) > 1:
            out.append((file, "", sum(s.rejected for s in bad)))
        else:
            out.extend((file, s.sheet, s.rejected) for s in bad)
    return out


def unread_files(report: Report) -> list[tuple[str, str]]:
    """(file, message) of every workbook that could not be read at all this time."""
    seen: dict[str, str] = {}
    for i in report.issues:
        if i.code in UNREAD_CODES and not i.sheet and i.file:
            seen.setdefault(i.file, i.message)
    return list(seen.items())
