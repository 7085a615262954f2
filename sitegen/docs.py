"""Documentation generated from the definitions the validator uses, so that it never drifts.

- `docs/forms.md` for reps: every form, every column (meaning, required or not, accepted values with their
  aliases, examples), the value formats the reader accepts, and what the feedback workbook tells them.
- `docs/config.md` for the assistant or manager: every `sitegen.yaml` key of `SETTINGS`.

The same column guides feed the blank workbooks of `sitegen init` (the 填写说明 sheet and the dropdowns).
`python -m sitegen.docs [--out DIR] [--check]` regenerates both files (or checks that they are current).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .config import DEFAULT_STAGES, SETTINGS, Config, Setting
from .forms import Column, FormSpec, Kind, forms_for
from .forms.values import (
    ENUM_ALIASES,
    ENUMS,
    INFLUENCE_WORDS,
    NO_WORDS,
    RELATIONSHIPS,
    SUBTOTAL_WORDS,
    US_WORDS,
    YES_WORDS,
)
from .issues import MESSAGES, Severity

GENERATED_NOTE = "<!-- 本文件由 `python -m sitegen.docs` 根据程序中的定义自动生成，请勿手工修改。 -->"

# ---------------------------------------------------------------- column guides

KIND_ZH: dict[Kind, str] = {
    Kind.TEXT: "文字",
    Kind.ID: "编号：文字或数字",
    Kind.MARKDOWN: "文字（可用 Markdown）",
    Kind.DATE: "日期：年-月-日",
    Kind.MONEY: "金额：万元",
    Kind.YUAN: "金额：元",
    Kind.PERCENT: "百分比",
    Kind.INT: "整数",
    Kind.SCORE: "评分 1–5",
    Kind.INFLUENCE: "影响力 1–5",
    Kind.YESNO: "是 / 否（下拉选择）",
    Kind.ENUM: "单选（下拉选择）",
    Kind.MULTI: "多选（下拉选择）",
    Kind.STAGE: "销售阶段：下拉选择",
    Kind.RELATIONSHIP: "关系阶段：下拉选择",
    Kind.MONTH: "月份：年-月",
}

# Kinds whose cells take one of a few values: they get a dropdown in the blank workbooks.
ENUMERATED_KINDS = frozenset({Kind.ENUM, Kind.MULTI, Kind.STAGE, Kind.YESNO, Kind.INFLUENCE, Kind.SCORE,
                              Kind.RELATIONSHIP})

SCALE = ("1", "2", "3", "4", "5")


@dataclass(frozen=True, slots=True)
class ColumnGuide:
    """Everything a rep needs to know about one column, in Chinese."""

    column: Column
    header: str  # the header text in the blank workbook: label, with " *" when required
    required: bool
    kind: str  # what kind of value, in words
    help: str
    values: tuple[str, ...]  # the accepted values of an enumerated column (what the dropdown offers)
    value_aliases: tuple[tuple[str, str], ...]  # (what a rep may type, what it means)
    formats: str  # other accepted ways of writing the value, in words ("" when nothing to add)
    example: str
    private: bool  # left out of the published site

    @property
    def label(self) -> str:
        return self.column.label

    @property
    def required_text(self) -> str:
        return "必填" if self.required else "选填"

    def accepted_text(self) -> str:
        """One line: the accepted values, their aliases and the other accepted formats."""
        aliases = ("也可写：" + "、".join(f"{a}（={v}）" for a, v in self.value_aliases)) if self.value_aliases else ""
        parts = ["、".join(self.values), aliases, self.formats] if self.values else [self.formats, aliases]
        return "；".join(p for p in parts if p)


def required_header(col: Column) -> str:
    """The header text of a column in the blank workbooks. The reader ignores the '*' when matching."""
    return f"{col.label} *" if col.required else col.label


def dropdown_values(col: Column, cfg: Config) -> tuple[str, ...]:
    """The values offered by the dropdown of an enumerated column ("" when the column has none)."""
    k = col.kind
    if k is Kind.ENUM or k is Kind.MULTI:
        return ENUMS[col.enum]
    if k is Kind.STAGE:
        return tuple(s.name for s in cfg.stages)
    if k is Kind.YESNO:
        return ("是", "否")
    if k is Kind.INFLUENCE or k is Kind.SCORE:
        return SCALE
    if k is Kind.RELATIONSHIP:
        return RELATIONSHIPS
    return ()


def _enum_aliases(col: Column, cfg: Config) -> tuple[tuple[str, str], ...]:
    k = col.kind
    if k is Kind.ENUM or k is Kind.MULTI:
        merged = {**ENUM_ALIASES.get(col.enum, {}), **cfg.value_aliases.get(col.enum, {})}
        return tuple(merged.items())
    if k is Kind.STAGE:
        merged = {**cfg.stage_aliases, **cfg.value_aliases.get("stage", {})}
        return tuple(merged.items())
    if k is Kind.INFLUENCE:
        return tuple((w, str(n)) for w, n in INFLUENCE_WORDS.items())
    if k is Kind.RELATIONSHIP:
        return tuple((str(i), name) for i, name in enumerate(RELATIONSHIPS, 1))
    return ()


def _formats(col: Column, cfg: Config) -> str:
    k = col.kind
    if k is Kind.DATE:
        return "日期，如 2026-11-03；也可写 2026/11/3、2026.11.3、2026年11月3日、11月3日"
    if k is Kind.MONTH:
        return "如 2026-11；也可写 2026/11、2026年11月、11月"
    if k is Kind.MONEY:
        unit = "万元" if cfg.money_scale == 1 else f"纯数字 × {cfg.money_scale:g} 得到万元"
        return f"数字（{unit}）；也可写 12.5万、125,000元、¥12.5万、1.2亿"
    if k is Kind.YUAN:
        return "数字（元）；也可写 1,200元、¥300、0.5万"
    if k is Kind.PERCENT:
        return "40%、0.4 或 40 都表示 40%；不能超过 100%"
    if k is Kind.INT:
        return "整数，如 3200；也可写 1,200、80人"
    if k is Kind.SCORE:
        return "1 到 5 的整数，5 最强"
    if k is Kind.INFLUENCE:
        return "1 到 5 的整数，5 最高"
    if k is Kind.RELATIONSHIP:
        return "也可写“3-认同”"
    if k is Kind.YESNO:
        yes = "/".join(w.upper() if len(w) == 1 and w.isascii() else w for w in YES_WORDS if w != "是")
        no = "/".join(w.upper() if len(w) == 1 and w.isascii() else w for w in NO_WORDS if w != "否")
        return f"“是”也可写 {yes}；“否”也可写 {no}"
    if k is Kind.MULTI:
        return f"可填多个，用顿号、逗号、斜杠或空格分隔，如“{'、'.join(ENUMS[col.enum][:2])}”"
    if k is Kind.STAGE:
        return "也可写“3-提案”“阶段3”“提案阶段”"
    if k is Kind.MARKDOWN:
        return "可用 Markdown：**加粗**、- 列表"
    return ""


def column_guide(col: Column, cfg: Config) -> ColumnGuide:
    private_labels = set(cfg.private_fields)
    return ColumnGuide(
        column=col,
        header=required_header(col),
        required=col.required,
        kind=KIND_ZH[col.kind],
        help=col.help,
        values=dropdown_values(col, cfg) if col.kind not in (Kind.SCORE, Kind.INFLUENCE) else (),
        value_aliases=_enum_aliases(col, cfg),
        formats=_formats(col, cfg),
        example=col.example or (dropdown_values(col, cfg)[:1] or ("",))[0],
        private=col.label in private_labels,
    )


def form_guides(form: FormSpec, cfg: Config) -> tuple[ColumnGuide, ...]:
    return tuple(column_guide(c, cfg) for c in form.columns)


def department_forms(cfg: Config) -> tuple[FormSpec, ...]:
    """The forms as the given configuration defines them (score dimensions and column aliases)."""
    return forms_for(cfg.score_dimensions, cfg.aliases)


# What each form is for, in the reps' words (short; the columns say the rest).
FORM_INTRO: dict[str, str] = {
    "customer": (
        "每个客户一行。一个客户同时有几个项目时，加一列“项目名称”，每个项目一行，客户信息（名称、类别、等级等）"
        "在各行重复填写；同一客户各行不一致时会提示。也可以用“客户卡片”格式：每个客户一个工作表，"
        "标签单元格后面紧跟数值单元格（如 `客户名称 | 某某集团 | 客户编号 | KA-001`），一行可以有多对。"
    ),
    "competition": (
        "每个客户 × 每个竞争方一行。我方也填一行（竞争方写“" + "”或“".join(US_WORDS[:2]) + "”），"
        "这样网站可以把我方和对手放在同一张雷达图上比较。评分列由 sitegen.yaml 的 score_dimensions 决定。"
    ),
    "keyperson": (
        "每个关键人一行。“汇报对象”填同一客户另一位关键人的姓名，网站据此画出组织结构图。"
        "电话、邮箱、生日、籍贯、爱好、家庭情况属于个人信息，默认不在网站上公开。"
    ),
    "followup": (
        "每次跟进（拜访、电话、微信……）一行，每周五下班前交给部门助理。也叫拜访记录表、日常联络表、项目跟踪日志。"
        "“客户经理”不填时取文件的填表人（标题中的“填表人：张三”或文件所在的文件夹名）。"
    ),
    "targets": "可选。每位客户经理每月一行，网站用它比较计划与实际。",
}


# ---------------------------------------------------------------- value formats (checked by tests/test_docs.py)

@dataclass(frozen=True, slots=True)
class FormatExample:
    kind: Kind
    typed: str  # what the rep types
    means: str  # what sitegen reads, in words
    value: object  # what the reader returns (checked by tests/test_docs.py)
    enum: str = ""  # the enumeration, for MULTI


FORMAT_EXAMPLES: tuple[FormatExample, ...] = (
    FormatExample(Kind.DATE, "2026-11-03", "2026年11月3日", date(2026, 11, 3)),
    FormatExample(Kind.DATE, "2026/11/3", "2026年11月3日", date(2026, 11, 3)),
    FormatExample(Kind.DATE, "2026.11.3", "2026年11月3日", date(2026, 11, 3)),
    FormatExample(Kind.DATE, "2026年11月3日", "2026年11月3日", date(2026, 11, 3)),
    FormatExample(Kind.DATE, "20261103", "2026年11月3日", date(2026, 11, 3)),
    FormatExample(Kind.DATE, "２０２６－１１－０３", "2026年11月3日（全角数字也可以）", date(2026, 11, 3)),
    FormatExample(Kind.MONTH, "2026-11", "2026年11月", "2026-11"),
    FormatExample(Kind.MONTH, "2026年11月", "2026年11月", "2026-11"),
    FormatExample(Kind.MONEY, "120", "120 万元", 120.0),
    FormatExample(Kind.MONEY, "12.5万", "12.5 万元", 12.5),
    FormatExample(Kind.MONEY, "125,000元", "12.5 万元", 12.5),
    FormatExample(Kind.MONEY, "¥12.5万", "12.5 万元", 12.5),
    FormatExample(Kind.MONEY, "1.2亿", "12000 万元", 12000.0),
    FormatExample(Kind.YUAN, "300", "300 元", 300.0),
    FormatExample(Kind.YUAN, "1,200元", "1200 元", 1200.0),
    FormatExample(Kind.YUAN, "0.5万", "5000 元", 5000.0),
    FormatExample(Kind.PERCENT, "40%", "40%", 0.4),
    FormatExample(Kind.PERCENT, "0.4", "40%", 0.4),
    FormatExample(Kind.PERCENT, "40", "40%", 0.4),
    FormatExample(Kind.YESNO, "是", "是", True),
    FormatExample(Kind.YESNO, "Y", "是", True),
    FormatExample(Kind.YESNO, "√", "是", True),
    FormatExample(Kind.YESNO, "否", "否", False),
    FormatExample(Kind.YESNO, "N", "否", False),
    FormatExample(Kind.YESNO, "×", "否", False),
    FormatExample(Kind.INT, "1,200", "1200", 1200),
    FormatExample(Kind.INT, "80人", "80", 80),
    FormatExample(Kind.INFLUENCE, "高", "5", 5),
    FormatExample(Kind.INFLUENCE, "中", "3", 3),
    FormatExample(Kind.INFLUENCE, "低", "1", 1),
    FormatExample(Kind.RELATIONSHIP, "3", "认同", 3),
    FormatExample(Kind.RELATIONSHIP, "3-认同", "认同", 3),
    FormatExample(Kind.STAGE, "3", "提案", "提案"),
    FormatExample(Kind.STAGE, "D", "提案", "提案"),
    FormatExample(Kind.STAGE, "3-提案", "提案", "提案"),
    FormatExample(Kind.STAGE, "提案阶段", "提案", "提案"),
    FormatExample(Kind.MULTI, "决策者、内线", "决策者 和 内线", ("决策者", "内线"), "role"),
    FormatExample(Kind.MULTI, "决策人/教练", "决策者 和 内线", ("决策者", "内线"), "role"),
)

_FORMAT_TITLES: tuple[tuple[Kind, str, str], ...] = (
    (Kind.DATE, "日期 (dates)",
     "可以是 Excel 的日期单元格，也可以是文字。只写月日（如 11月3日）时，年份取统计日期所在的年份；"
     "如果这样会比统计日期晚 60 天以上，则取上一年。"),
    (Kind.MONTH, "月份 (months)", "也可以是 Excel 的日期单元格（取其年月），或只写“11月”（年份取统计日期所在的年份）。"),
    (Kind.MONEY, "金额：万元 (money, 10k CNY)",
     "带“(万元)”的列以万元为单位。纯数字按万元读取（除非 sitegen.yaml 的 money_scale 另有规定）；"
     "带单位的按单位换算。金额不能为负数。"),
    (Kind.YUAN, "金额：元 (money, CNY)", "带“(元)”的列以元为单位。"),
    (Kind.PERCENT, "百分比 (percent)", "大于 1 的数字按百分数读取；超过 100% 是错误。"),
    (Kind.YESNO, "是 / 否 (yes / no)", ""),
    (Kind.INT, "整数 (integers)", "可以带千位分隔符或“人、名、个、次、户、家”等单位。"),
    (Kind.INFLUENCE, "影响力 (influence)", "1–5 的整数，或 高 / 中 / 低。"),
    (Kind.RELATIONSHIP, "关系阶段 (relationship)", "认识 → 约会 → 认同 → 信赖 → 同盟，也可写 1–5。"),
    (Kind.STAGE, "销售阶段 (stages)", "阶段名、编号 1–6、理光字母 S/P/A/D/C/O 或下面列出的别名。"),
    (Kind.MULTI, "多选 (several values)", "用顿号、逗号、斜杠、分号或空格分隔；每个值都可以用别名。"),
)


# ---------------------------------------------------------------- markdown helpers

def _cell(text: object) -> str:
    s = str(text)
    return s.replace("|", "\\|").replace("\n", "<br>")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = list(header)
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in rows:
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return out


def _code_list(values: Iterable[str]) -> str:
    return "、".join(f"`{v}`" for v in values)


_PLACEHOLDER = {
    "column": "列名", "value": "填写的值", "accepted": "可接受的值", "account": "客户编号", "other": "另一处位置",
    "reason": "原因", "date": "日期", "as_of": "统计日期", "low": "下限", "high": "上限", "rows": "行数",
    "cols": "列数", "limit": "上限", "length": "长度", "first": "第一列位置", "accounts": "客户编号列表",
    "rep": "客户经理", "other_value": "另一处的值",
}


def _message_pattern(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"〈{_PLACEHOLDER.get(m.group(1), m.group(1))}〉", template)


# ---------------------------------------------------------------- docs/forms.md

def render_forms(cfg: Config | None = None) -> str:
    cfg = cfg or Config(root=Path("."))
    forms = department_forms(cfg)
    out: list[str] = [
        GENERATED_NOTE,
        "",
        "# 标准表格填写说明 (How to fill in the standard forms)",
        "",
        "本说明写给大客户经理。sitegen 每周读取你提交的 Excel 工作簿，生成部门内网网站，"
        "并把发现的问题逐个单元格告诉你。下面的列名、取值和格式与程序检查时使用的定义完全一致。",
        "",
        "## 总则 (General rules)",
        "",
        "- 用 Excel 或 WPS 填写，保存为 `.xlsx`（`.xlsm` 也可以）。部门助理运行 `sitegen init` 时会生成每种表格的空白模板："
        "表头已设好，带 `*` 的列必须填写，有固定取值的列带下拉列表，第二个工作表“填写说明”解释每一列。",
        "- 一个工作簿里可以放任意几种表格（每种一个工作表），也可以每种表格一个文件、每个客户一个文件。",
        "- **怎样识别表格**：按工作表名或文件名（如含“客户档案”“跟进”），否则按表头：前 30 行中"
        "至少有 3 个标准列名（名称能提示表格类型时 2 个即可）的一行就是表头。表头上方可以有标题行，"
        "如第 1 行“客户档案表”、第 2 行“填表人：张三  日期：2026-11-20”。",
        "- **列名**：可以用下面列出的标准列名或别名，不区分大小写，忽略空格、全角/半角差别和 `*`；"
        "括号里的单位可以省略（“预计金额”等同于“预计金额(万元)”）。列的顺序不限。"
        "表中不认识的列会保留，作为附加信息显示在客户页面上。",
        "- **客户经理（填表人）**：依次取“客户经理”列、标题中的“填表人：张三”、文件所在文件夹名"
        "（如 `input/张三/跟进表.xlsx`），最后取 sitegen.yaml 的 default_owner。",
        "- **跳过的行**：空行；合计行（前几格以 " + _code_list(SUBTOTAL_WORDS) + " 开头或结尾）；"
        "示例行（前三格中有以“示例”“样例”“例:”开头的内容，模板中的示例行就是这样跳过的）。这些行不会报错。",
        "- **合并单元格**：合并区域中的每一格都按左上角的值读取。",
        "- 数字可以是全角（１２０），单元格前后的空格会被忽略。",
        "- **有错误的行不会出现在网站上**：程序不会猜测或悄悄丢弃数据，而是把该行列为“拒收”，并指出单元格。",
        "",
        "## 值的写法 (Value formats)",
        "",
    ]
    by_kind: dict[Kind, list[FormatExample]] = {}
    for ex in FORMAT_EXAMPLES:
        by_kind.setdefault(ex.kind, []).append(ex)
    for kind, title, note in _FORMAT_TITLES:
        out += [f"### {title}", ""]
        if note:
            out += [note, ""]
        if kind is Kind.YESNO:
            out += [
                "- 表示“是”：" + _code_list(w.upper() if w.isascii() and len(w) == 1 else w for w in YES_WORDS),
                "- 表示“否”：" + _code_list(w.upper() if w.isascii() and len(w) == 1 else w for w in NO_WORDS),
                "",
            ]
        if kind is Kind.STAGE:
            out += _table(("阶段", "默认成交概率", "状态"), (
                (s.name, f"{s.probability:.0%}", "进行中" if s.open else ("赢单" if s.won else ("丢单" if s.lost else "结束/暂停")))
                for s in cfg.stages))
            out += ["", "阶段别名：" + "、".join(f"`{a}`→{v}" for a, v in cfg.stage_aliases.items()), ""]
        examples = by_kind.get(kind, [])
        if examples:
            out += _table(("填写", "读作"), ((f"`{e.typed}`", e.means) for e in examples))
            out.append("")
    out += ["## 各表格的列 (Columns of each form)", ""]
    for n, form in enumerate(forms, 1):
        out += _render_form(n, form, cfg)
    out += _render_feedback()
    return "\n".join(out).rstrip() + "\n"


def _render_form(n: int, form: FormSpec, cfg: Config) -> list[str]:
    guides = form_guides(form, cfg)
    out = [f"### {n}. {form.title} ({form.en})", ""]
    intro = FORM_INTRO.get(form.key, "")
    if intro:
        out += [intro, ""]
    out += [f"识别：工作表名或文件名含有 {_code_list(form.sheet_names)}，或表头与下表的列名相符。", ""]
    rows = []
    for g in guides:
        meaning = g.help + ("（不在网站上公开）" if g.private and "公开" not in g.help else "")
        rows.append((f"**{g.label}**" + (" *" if g.required else ""), g.required_text, g.kind, meaning,
                     f"`{g.example}`" if g.example else ""))
    out += _table(("列名", "必填", "类型", "说明", "示例"), rows)
    out.append("")
    enumerated = [g for g in guides if g.column.kind in ENUMERATED_KINDS or g.formats]
    if enumerated:
        out += ["可填的值：", ""]
        for g in enumerated:
            out.append(f"- **{g.label}**：{g.accepted_text()}")
        out.append("")
    out += ["列名也可写作（别名）：", ""]
    for g in guides:
        names = [a for a in g.column.aliases if a]
        if g.column.en and g.column.en not in names:
            names.append(g.column.en)
        out.append(f"- **{g.label}**：" + (_code_list(names) if names else "（无）"))
    out.append("")
    return out


def _render_feedback() -> list[str]:
    sev_zh = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
    out = [
        "## 反馈：问题清单与反馈工作簿 (Feedback)",
        "",
        "每次检查（`sitegen check`）或生成网站（`sitegen build`）时，程序把发现的每个问题记录下来，"
        "注明文件、工作表、单元格（如 `D17`）和客户经理：",
        "",
        "- 部门助理可以运行 `sitegen check --feedback 文件夹`，为每个有问题的工作簿写出一份**反馈工作簿**发回给你："
        "它是你提交的工作簿的副本（原文件不会被修改），有问题的单元格标了颜色并带批注，说明哪里不对、可以填什么；"
        "第一个工作表“问题清单”列出全部问题，点击即可跳到对应单元格。请在**你自己的原工作簿**中改正，下次照常提交。",
        "- 网站的“数据质量”页面也按客户经理和文件列出同样的问题。",
        "",
        "问题分三级：",
        "",
        "- **错误**：该行（或整个工作表、文件）没有被采用，不会出现在网站上，必须改正。",
        "- **警告**：数据已采用，但很可能有误（如跟进日期晚于今天、预计成交日期已过），请核对。",
        "- **提示**：仅供参考（如跳过了某个非表格的工作表）。",
        "",
        "全部问题及其说明（〈 〉中是具体的列名、值或位置）：",
        "",
    ]
    out += _table(("代码", "级别", "说明"),
                  ((f"`{code}`", sev_zh[sev], _message_pattern(zh)) for code, (sev, zh, _en) in MESSAGES.items()))
    out.append("")
    return out


# ---------------------------------------------------------------- docs/config.md

TYPE_ZH: dict[str, str] = {
    "str": "文字",
    "bool": "true / false",
    "int": "非负整数",
    "float": "正数",
    "path": "文件夹路径",
    "list[str]": "文字列表",
    "dict": "键值对",
    "stages": "阶段列表",
    "audiences": "受众列表",
    "date": "日期",
}

# Examples of non-default values, one YAML snippet per key where an example helps (loaded by tests).
CONFIG_EXAMPLES: dict[str, str] = {
    "title": "title: 华东大客户部",
    "language": "language: en",
    "input": "input: D:/大客户/本周表格",
    "publish": "publish: '\\\\fileserver\\sales\\大客户网站'",
    "stages": (
        "stages:\n"
        "  - {name: 线索, probability: 0.05, open: true}\n"
        "  - {name: 方案, probability: 0.3, open: true}\n"
        "  - {name: 谈判, probability: 0.7, open: true}\n"
        "  - {name: 赢单, probability: 1, won: true}\n"
        "  - {name: 丢单, probability: 0, lost: true}"
    ),
    "stage_aliases": "stage_aliases:\n  方案设计: 提案\n  Closed Won: 赢单",
    "strict_categories": "strict_categories: [战略客户]",
    "private_fields": "private_fields: [电话, 邮箱, 生日, 籍贯, 爱好, 家庭情况, 个人需求, 内部评价]",
    "public_fields": "public_fields: [总机]   # 客户的总机号码是公开信息",
    "mask_values": "mask_values: false",
    "unmasked_fields": "unmasked_fields: [网站, 付款信息]",
    "attitude_scores": "attitude_scores:\n  恶意拆台: -5",
    "score_dimensions": "score_dimensions: [市场关系, 产品技术, 商务, 服务]",
    "aliases": "aliases:\n  customer:\n    客户经理: [业务经理]\n    所属团队: [分区]\n  followup:\n    日期: [走访日期]",
    "value_aliases": "value_aliases:\n  method: {上门: 拜访}\n  category: {VIP客户: 重要客户}\n  stage: {跟进中: 提案}",
    "default_owner": "default_owner: 张伟",
    "rep_teams": "rep_teams:\n  张伟: 华东一组\n  李娜: 华东二组",
    "money_scale": "money_scale: 0.0001   # 金额列按元填写",
    "audiences": (
        "audiences:\n"
        "  - {name: east, title: 华东区, teams: [华东一组, 华东二组]}\n"
        "  - {name: all, title: 全部门}"
    ),
    "as_of": "as_of: 2026-11-20   # 示例部门：统计日期固定，任何一天构建都显示这一天",
    "history_baseline": "history_baseline: examples/demo/history",
}


def setting_default(s: Setting) -> Any:
    """The effective default of a setting, as it would be written in sitegen.yaml."""
    if s.key == "stages":
        return [
            {"name": st.name, "probability": st.probability, "open": st.open, "won": st.won, "lost": st.lost,
             "en": st.en}
            for st in DEFAULT_STAGES
        ]
    return s.default


def yaml_flow(value: Any) -> str:
    """One YAML value on one line (flow style): 大客户管理, [电话, 邮箱], {接受: 2}."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000, sort_keys=False).strip()
    if text.endswith("\n..."):
        text = text[:-4].rstrip()
    return text


def setting_yaml(s: Setting) -> str:
    """`key: default` as YAML text (one or more lines); `key:` alone when there is no default."""
    value = setting_default(s)
    if value is None:
        return f"{s.key}:"
    if s.type == "stages":
        return "\n".join([f"{s.key}:", *(f"  - {yaml_flow(item)}" for item in value)])
    return f"{s.key}: {yaml_flow(value)}"


def _short_default(s: Setting) -> str:
    if s.key == "stages":
        return "九个默认阶段（见下）"
    value = setting_default(s)
    if value is None:
        return "（不填）"
    return f"`{yaml_flow(value)}`"


def render_config() -> str:
    out: list[str] = [
        GENERATED_NOTE,
        "",
        "# sitegen.yaml 配置说明 (Configuration reference)",
        "",
        "`sitegen.yaml` 放在项目文件夹中（`sitegen init` 会生成一份带注释的文件，列出全部配置项及其默认值）。"
        "sitegen 在当前文件夹中查找它，也可以用 `--config 文件` 指定。",
        "",
        "- 每一项都可以省略，省略时使用默认值；文件为空也可以。",
        "- 未知的键或类型不对的值是错误（退出码 2），错误信息会指出是哪个键。",
        "- 路径相对于 sitegen.yaml 所在的文件夹。",
        "- 文件使用 UTF-8 编码（记事本“另存为”时选 UTF-8）。",
        "",
        "## 全部配置项 (All keys)",
        "",
    ]
    out += _table(("键", "类型", "默认值", "说明"),
                  ((f"[`{s.key}`](#{s.key})", TYPE_ZH.get(s.type, s.type), _short_default(s), s.help)
                   for s in SETTINGS))
    out.append("")
    for s in SETTINGS:
        out += [f"### {s.key}", "", s.help, "", f"- 类型：{TYPE_ZH.get(s.type, s.type)}（`{s.type}`）", "- 默认值：", "",
                "```yaml", setting_yaml(s), "```", ""]
        more = _SETTING_NOTES.get(s.key)
        if more:
            out += [more(), ""] if callable(more) else [more, ""]
        example = CONFIG_EXAMPLES.get(s.key)
        if example:
            out += ["例：", "", "```yaml", example, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _stage_aliases_note() -> str:
    from .config import DEFAULT_STAGE_ALIASES

    return ("默认别名（总是生效，这里的设置追加或覆盖它们）：" +
            "、".join(f"`{a}`→{v}" for a, v in DEFAULT_STAGE_ALIASES.items()) + "。")


def _value_aliases_note() -> str:
    names = ", ".join(f"`{k}`" for k in ENUMS)
    return (f"枚举名：{names}，以及 `stage`（销售阶段）。每种枚举的标准值和内置别名见 docs/forms.md。")


def _aliases_note() -> str:
    return ("表单键：`customer`（客户档案表）、`competition`（竞争能力与策略分析对比表）、`keyperson`（关键人决策影响力分析表）、"
            "`followup`（客户跟进表）、`targets`（销售目标表）。其下的键可以是标准列名（如 `客户经理`），"
            "值为该列的别名列表。内置别名见 docs/forms.md。")


_SETTING_NOTES: dict[str, Any] = {
    "stages": (
        "每个阶段的 open 表示项目是否“进行中”（计入管道和停滞检查），won / lost 表示赢单 / 丢单。"
        "改用自己的阶段时，表格中请填写这里列出的阶段名；默认别名（S/P/A/D/C/O、1–6 等）指向的是默认阶段名。"
    ),
    "stage_aliases": _stage_aliases_note,
    "value_aliases": _value_aliases_note,
    "aliases": _aliases_note,
    "private_fields": (
        "这些列的内容不会写进网站（包括搜索索引和下载的 Excel），只留在原工作簿和反馈工作簿中。"
        "按标准列名填写；表中不认识的附加列按其表头文字匹配。"
        "个人信息列（电话、手机、Mobile、邮箱、生日、出生年月、身份证、家庭住址、微信、QQ、家庭、爱好、籍贯等）"
        "无论叫什么、在哪种表格中都不公开，不必列在这里；这里列出的是另外不想公开的列。"
        "详见 docs/security.md 的“个人信息”一节。"
    ),
    "public_fields": (
        "按个人信息的含义本不公开、但确实要公开的列（按表头文字，大小写、全半角、空格和标点不计）。"
        "每次构建的摘要和数据质量页会列出它们。"
    ),
    "mask_values": (
        "公开的文字（备注、跟进内容、应对策略、附加列、文件名和工作表名）中的手机号、带区号的座机号、邮箱、"
        "18 位身份证号和银行卡号在网站上显示为 138****5678、l***@corp.cn 的形式；反馈工作簿保留原样。"
    ),
    "publish": "也可以在命令行用 `sitegen build --publish 文件夹` 指定。",
    "money_scale": "只影响不带单位的纯数字；写了“万”“元”“亿”的金额按单位换算。",
}


# ---------------------------------------------------------------- entry point

def render_all() -> dict[str, str]:
    """File name -> content of every generated document."""
    return {"forms.md": render_forms(), "config.md": render_config()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sitegen.docs",
                                description="根据表格和配置的定义重新生成 docs/forms.md 与 docs/config.md")
    p.add_argument("--out", default="docs", help="输出文件夹（默认 ./docs）")
    p.add_argument("--check", action="store_true", help="只检查文件是否为最新，不写入；不是最新时退出码 1")
    args = p.parse_args(argv)
    out = Path(args.out)
    stale = []
    for name, content in render_all().items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(name)
        if not args.check:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8", newline="\n")
    if args.check:
        if stale:
            print(f"过期的文档：{', '.join(stale)}。运行 python -m sitegen.docs 重新生成。", file=sys.stderr)
            return 1
        return 0
    print(f"已更新：{', '.join(stale)}" if stale else "文档已是最新")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
