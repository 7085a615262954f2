"""The demo generator: deterministic, counts as listed, every layout, exactly the listed mistakes.

The files are read back with openpyxl and a small independent reader written for these tests (not
sitegen's reader), so the demo is checked against domain.md rather than against itself.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sitegen.cells import a1, parse_a1
from sitegen.demo import Manifest, generate_department
from sitegen.demo.report import mistakes_markdown
from sitegen.forms import BASE_FORMS, header_key, header_key_loose
from sitegen.forms.values import (
    ENUM_ALIASES,
    ENUMS,
    INFLUENCE_WORDS,
    NO_WORDS,
    RELATIONSHIPS,
    SUBTOTAL_WORDS,
    YES_WORDS,
)

AS_OF = date(2026, 11, 20)
REPO = Path(__file__).resolve().parents[1]
SMALL = dict(teams=2, reps_per_team=2, accounts=10, followups_per_account=8)
STAGES = ("客户开发", "立项", "提案", "招投标", "商务谈判", "工程实施", "赢单", "丢单", "暂停")
SCORES = ("品牌", "产品技术", "商务价格", "服务", "客户关系")


def cell_values(root: Path) -> dict[tuple[str, str], list[tuple[object, ...]]]:
    """Every cell value of every sheet under `root` (to compare runs by values, not bytes)."""
    out = {}
    for path in sorted(root.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            out[(path.relative_to(root).as_posix(), ws.title)] = [tuple(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
    return out


# ---------------------------------------------------------------- a small reader for the tests


@dataclass
class Rec:
    form: str
    file: str
    sheet: str
    row: int
    rep: str
    values: dict[str, object]
    cells: dict[str, str]


def _header_maps() -> dict[str, dict[str, str]]:
    maps = {}
    for form in BASE_FORMS:
        m: dict[str, str] = {header_key(d): f"score:{d}" for d in SCORES}
        for c in form.columns:
            m.setdefault(header_key(c.label), c.key)
            m.setdefault(header_key_loose(c.label), c.key)
        for c in form.columns:
            for alias in c.aliases:
                m.setdefault(header_key(alias), c.key)
                m.setdefault(header_key_loose(alias), c.key)
        maps[form.key] = m
    return maps


HEADERS = _header_maps()
CUSTOMER_LABELS = {header_key(c.label): c.key for c in BASE_FORMS[0].columns}


def _grid(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[list[object]]:
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:  # merged cells: every cell shows the top-left value
        top = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = top
    return grid


def _form_of(sheet: str) -> str:
    for form in BASE_FORMS:
        if any(w in sheet.lower() for w in form.sheet_names):
            return form.key
    return ""


@dataclass
class Loaded:
    """Everything read back from an input folder in one pass (openpyxl is the slow part of these tests)."""

    recs: list[Rec]
    grids: dict[tuple[str, str], list[list[object]]]  # (file, sheet) -> values, merged cells filled
    merges: dict[tuple[str, str], list[str]]
    sheets: dict[str, list[str]]  # file -> sheet names in order


def read_input(root: Path) -> Loaded:
    out = Loaded([], {}, {}, {})
    for path in sorted(root.rglob("*.xlsx")):
        rel = path.relative_to(root).as_posix()
        rep = "" if path.parent == root else (path.stem if path.parent.parent == root else path.parent.name)
        wb = openpyxl.load_workbook(path)
        out.sheets[rel] = wb.sheetnames
        for ws in wb.worksheets:
            grid = _grid(ws)
            out.grids[(rel, ws.title)] = grid
            out.merges[(rel, ws.title)] = [str(r) for r in ws.merged_cells.ranges]
            if grid and grid[0] and grid[0][0] == "客户档案卡":
                values, cells = {}, {}
                for r, row in enumerate(grid[1:], 1):
                    for c in range(0, len(row) - 1, 2):
                        key = CUSTOMER_LABELS.get(header_key(row[c]))
                        if key and key not in values:
                            values[key], cells[key] = row[c + 1], a1(r, c + 1)
                out.recs.append(Rec("customer", rel, ws.title, 2, rep, values, cells))
            else:
                out.recs += _table(_form_of(ws.title), rel, ws.title, rep, grid)
        wb.close()
    return out


def _table(form: str, file: str, sheet: str, rep: str, grid: list[list[object]]) -> list[Rec]:
    m = HEADERS[form]
    h = next(i for i, row in enumerate(grid[:6]) if sum(header_key(v) in m for v in row if v) >= 3)
    keys = [m.get(header_key(v)) if v else None for v in grid[h]]
    start = h + 1
    if h + 1 < len(grid):
        below = [m.get(header_key(v)) if v else None for v in grid[h + 1]]
        if any(b and not k for b, k in zip(below, keys, strict=False)):  # a two-row header
            keys = [b or k for b, k in zip(below, keys, strict=False)]
            start = h + 2
    out = []
    for r in range(start, len(grid)):
        row = grid[r]
        filled = [v for v in row if v is not None and str(v).strip()]
        if not filled or str(filled[0]).strip().lower() in SUBTOTAL_WORDS:
            continue
        values = {k: v for k, v in zip(keys, row, strict=False) if k}
        cells = {k: a1(r, c) for c, k in enumerate(keys) if k}
        out.append(Rec(form, file, sheet, r + 1, rep, values, cells))
    return out


# ---------------------------------------------------------------- value parsers (domain.md formats)


def _s(v: object) -> str:
    return unicodedata.normalize("NFKC", str(v)).strip()


_DATES = (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{4})/(\d{1,2})/(\d{1,2})", r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
          r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def parse_date(v: object) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    s = _s(v)
    for pattern in _DATES:
        if m := re.fullmatch(pattern, s):
            y, mo, d = map(int, m.groups())
            break
    else:
        if not (m := re.fullmatch(r"(\d{1,2})月(\d{1,2})日", s)):
            return None
        y, (mo, d) = AS_OF.year, map(int, m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def parse_number(v: object, unit: str) -> float | None:
    if isinstance(v, (int, float)):
        return float(v)
    s = _s(v).lstrip("¥￥").replace(",", "")
    scale = 1.0
    if s.endswith("万"):
        s, scale = s[:-1], 10000.0
    elif s.endswith("元"):
        s = s[:-1]
    try:
        x = float(s) * scale
    except ValueError:
        return None
    return x / 10000 if unit == "wan" and (scale > 1 or _s(v).endswith("元")) else x


def parse_percent(v: object) -> float | None:
    s = _s(v)
    try:
        x = float(s[:-1]) if s.endswith("%") else float(s)
    except ValueError:
        return None
    return x * 100 if not s.endswith("%") and x <= 1 else x


def enum_ok(name: str, v: object) -> bool:
    k = header_key(v)
    return k in {header_key(x) for x in ENUMS[name]} or k in ENUM_ALIASES[name]


def stage_ok(v: object) -> bool:
    s = _s(v)
    return s in STAGES or s.upper() in ("S", "P", "A", "D", "C", "O") or s in ("1", "2", "3", "4", "5", "6")


def yesno_ok(v: object) -> bool:
    return header_key(v) in YES_WORDS + NO_WORDS


def check(recs: list[Rec]) -> set[tuple[str, str, str, str]]:
    """The issues a validator following domain.md should raise: (code, file, sheet, cell)."""
    issues: set[tuple[str, str, str, str]] = set()

    def flag(code: str, r: Rec, key: str) -> None:
        issues.add((code, r.file, r.sheet, r.cells[key]))

    owner: dict[str, str] = {}
    persons: dict[str, set[str]] = defaultdict(set)
    for r in recs:
        v = r.values
        if r.form == "customer" and v.get("account_id"):
            acc, rep = _s(v["account_id"]), _s(v.get("rep") or r.rep)
            if owner.setdefault(acc, rep) != rep:
                flag("account-duplicate", r, "account_id")
        if r.form == "keyperson" and v.get("name"):
            persons[_s(v["account_id"])].add(_s(v["name"]))
    for r in recs:
        v = {k: x for k, x in r.values.items() if x is not None and _s(x) != ""}
        acc = _s(v.get("account_id", ""))
        if r.form in ("competition", "keyperson", "followup") and acc not in owner:
            flag("account-unknown", r, "account_id")
        for key, x in v.items():
            kind = _KINDS.get((r.form, key)) or ("score" if key.startswith("score:") else "")
            code = _bad(kind, x)
            if code:
                flag(code, r, key)
        if r.form == "customer":
            if "account_name" not in v:
                flag("value-missing", r, "account_name")
            stage, close = _s(v.get("stage", "")), parse_date(v.get("expected_close", ""))
            if stage_ok(stage) and stage not in ("赢单", "丢单", "暂停") and close and close < AS_OF:
                flag("close-date-passed", r, "expected_close")
        if r.form == "followup":
            d = parse_date(v.get("date", ""))
            if d and d > AS_OF:
                flag("date-future", r, "date")
        for key in ("contact", "reports_to"):
            if key in v and acc in owner and _s(v[key]) not in persons[acc]:
                flag("person-unknown", r, key)
        if r.form == "competition" and "supporters" in v and acc in owner:
            if not set(_s(v["supporters"]).split("、")) <= persons[acc]:
                flag("person-unknown", r, "supporters")
    return issues


_KINDS = {
    **{("customer", k): kind for k, kind in (
        ("category", "enum:category"), ("grade", "enum:grade"), ("nature", "enum:nature"), ("employees", "int"),
        ("revenue", "wan"), ("stage", "stage"), ("value", "wan"), ("probability", "percent"),
        ("expected_close", "date"), ("budget", "yesno"), ("decision_maker", "yesno"), ("need", "yesno"),
        ("win_loss_reason", "enum:win_loss_reason"), ("first_contact", "date"))},
    ("competition", "price"): "wan", ("competition", "threat"): "enum:threat",
    ("keyperson", "roles"): "multi:role", ("keyperson", "influence"): "influence",
    ("keyperson", "attitude"): "enum:attitude", ("keyperson", "relationship"): "relationship",
    ("keyperson", "personal_need"): "multi:personal_need", ("keyperson", "style"): "enum:style",
    ("keyperson", "last_contact"): "date",
    ("followup", "date"): "date", ("followup", "method"): "enum:method", ("followup", "effective"): "yesno",
    ("followup", "stage"): "stage", ("followup", "next_date"): "date", ("followup", "expense"): "yuan",
}


def _bad(kind: str, x: object) -> str:
    """The issue code for a bad value of this kind, or ''."""
    if not kind:
        return ""
    if kind == "date":
        return "" if parse_date(x) else "value-date"
    if kind in ("wan", "yuan"):
        return "" if parse_number(x, kind) is not None else "value-money"
    if kind == "percent":
        p = parse_percent(x)
        return "value-percent" if p is None else ("value-range" if not 0 <= p <= 100 else "")
    if kind in ("int", "score"):
        if not re.fullmatch(r"\d+", _s(x)):
            return "value-number"
        return "value-range" if kind == "score" and not 1 <= int(_s(x)) <= 5 else ""
    if kind == "influence":
        if _s(x) in INFLUENCE_WORDS:
            return ""
        return "value-range" if re.fullmatch(r"\d+", _s(x)) and not 1 <= int(_s(x)) <= 5 else (
            "" if re.fullmatch(r"[1-5]", _s(x)) else "value-number")
    if kind == "relationship":
        return "" if _s(x) in RELATIONSHIPS or _s(x) in ("1", "2", "3", "4", "5") else "value-enum"
    if kind == "yesno":
        return "" if yesno_ok(x) else "value-yesno"
    if kind == "stage":
        return "" if stage_ok(x) else "value-enum"
    name = kind.split(":")[1]
    parts = _s(x).split("、") if kind.startswith("multi:") else [x]
    return "" if all(enum_ok(name, p) for p in parts) else "value-enum"


# ---------------------------------------------------------------- fixtures


@dataclass
class Demo:
    root: Path
    manifest: Manifest
    data: Loaded


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The committed demo (input/) with the manifest of the default generation (or a fresh one, if none)."""
    committed = REPO / "input"
    if any(committed.rglob("*.xlsx")):
        return Demo(committed, generate_department(committed, write=False), read_input(committed))
    out = tmp_path_factory.mktemp("demo")
    return Demo(out, generate_department(out, jobs=2), read_input(out))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    out = tmp_path_factory.mktemp("small")
    m = generate_department(out, **SMALL)
    return Demo(out, m, read_input(out))


def _expected(m: Manifest) -> set[tuple[str, str, str, str]]:
    return {(x.code, x.file, x.sheet, x.cell) for x in m.mistakes}


def _texts(data: Loaded) -> list[str]:
    return [v for grid in data.grids.values() for row in grid for v in row if isinstance(v, str)]


# ---------------------------------------------------------------- tests


def test_same_seed_same_values_other_seed_other_values(tmp_path: Path) -> None:
    m1 = generate_department(tmp_path / "one", **SMALL, seed=7)
    m2 = generate_department(tmp_path / "two", **SMALL, seed=7, jobs=2)  # processes do not change the output
    m3 = generate_department(tmp_path / "three", **SMALL, seed=8)
    assert m1 == m2 and m1 != m3
    assert cell_values(tmp_path / "one") == cell_values(tmp_path / "two")


def test_committed_demo_and_doc_are_current(shipped: Demo) -> None:
    if shipped.root != REPO / "input":
        pytest.skip("input/ not generated yet: run python -m sitegen.demo")
    assert sorted(p.relative_to(shipped.root).as_posix() for p in shipped.root.rglob("*.xlsx")) == sorted(
        shipped.manifest.files)
    assert (REPO / "docs" / "demo-mistakes.md").read_text(encoding="utf-8") == mistakes_markdown(shipped.manifest)


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_exactly_the_listed_mistakes(which: str, request: pytest.FixtureRequest) -> None:
    demo: Demo = request.getfixturevalue(which)
    assert check(demo.data.recs) == _expected(demo.manifest)
    assert 8 <= len(demo.manifest.mistakes) <= 14


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_each_listed_mistake_cell_holds_the_wrong_value(which: str, request: pytest.FixtureRequest) -> None:
    demo: Demo = request.getfixturevalue(which)
    for x in demo.manifest.mistakes:
        r, c = parse_a1(x.cell)
        value = demo.data.grids[(x.file, x.sheet)][r][c]
        shown = "" if value is None else (value.date().isoformat() if isinstance(value, datetime) else str(value))
        assert shown == x.value, x
    by_key = {x.key: x for x in demo.manifest.mistakes}
    assert by_key["bad-month"].value == "2026-13-05"
    assert by_key["unknown-account"].value == "KA-0999"
    assert by_key["attitude-typo"].value == "支特"
    assert parse_date(by_key["future-date"].value) == date(2026, 12, 5)
    assert len({x.code for x in demo.manifest.mistakes}) >= 10


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_counts_in_the_files_match_the_manifest(which: str, request: pytest.FixtureRequest) -> None:
    demo: Demo = request.getfixturevalue(which)
    m = demo.manifest
    added = {(x.file, x.sheet, parse_a1(x.cell)[0] + 1) for x in m.mistakes if x.extra_row}
    recs = [r for r in demo.data.recs if (r.file, r.sheet, r.row) not in added]
    forms = Counter(r.form for r in recs)
    assert forms["customer"] == m.projects
    assert len({_s(r.values["account_id"]) for r in recs if r.form == "customer"}) == m.accounts
    assert forms["keyperson"] == m.key_persons
    assert forms["competition"] == m.competition_rows
    assert Counter(r.rep for r in recs if r.form == "followup") == Counter(m.followups_per_rep)
    # every rep, the 12 months to as-of and the rest of its year (sitegen.demo.activity.target_months)
    assert forms["targets"] == m.targets == (12 + 12 - m.as_of.month) * len(m.reps)
    assert sorted(demo.data.sheets) == sorted(m.files)


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_every_layout_is_present(which: str, request: pytest.FixtureRequest) -> None:
    demo: Demo = request.getfixturevalue(which)
    data, m = demo.data, demo.manifest
    assert {r.layout for r in m.reps} == {"a", "b", "c"}
    for rep in m.reps:
        if rep.layout == "a":  # a: one workbook, four sheets, header in row 1, 客户经理 filled
            file = f"{rep.team}/{rep.name}.xlsx"
            assert data.sheets[file] == ["客户档案表", "竞争分析", "关键人分析", "客户跟进表"]
            header, first = data.grids[(file, "客户档案表")][:2]
            assert first[header.index("客户经理")] == rep.name
        elif rep.layout == "b":  # b: a file per form, title rows, merged account cells, header aliases
            folder = f"{rep.team}/{rep.name}/"
            assert sorted(f for f in data.sheets if f.startswith(folder)) == sorted(
                folder + f for f in ("客户档案表.xlsx", "竞争分析表.xlsx", "关键人分析表.xlsx", "拜访记录表.xlsx"))
            grid = data.grids[(folder + "客户档案表.xlsx", "客户档案表")]
            assert grid[0][0] == "客户档案表" and grid[1][0] == f"填表人：{rep.name}  日期：2026-11-20"
            assert "客户经理" not in grid[2]
            assert {"拜访日期", "拜访对象"} <= set(data.grids[(folder + "拜访记录表.xlsx", "拜访记录")][2])
            assert "H3:L3" in data.merges[(folder + "竞争分析表.xlsx", "竞争分析")]  # a two-row header
        else:  # c: one card sheet per customer
            file = f"{rep.team}/{rep.name}/客户档案卡.xlsx"
            assert len(data.sheets[file]) == rep.accounts
            for sheet in data.sheets[file]:
                grid = data.grids[(file, sheet)]
                assert "A1:D1" in data.merges[(file, sheet)] and grid[0][0] == "客户档案卡"
                assert (grid[1][0], grid[1][1], grid[1][2]) == ("客户名称", sheet, "客户编号")
    vertical = [rng for (file, sheet), ranges in data.merges.items() if sheet == "客户档案表" for rng in ranges
                if re.fullmatch(r"([A-Z]+)(\d+):\1(\d+)", rng)]
    assert vertical  # an account's cells merged over its project rows
    # d: both writers (openpyxl names itself in docProps/app.xml, xlsxwriter says Microsoft Excel)
    writers = {r.writer for r in m.reps}
    assert writers == {"openpyxl", "xlsxwriter"}
    for rep in m.reps:
        with zipfile.ZipFile(demo.root / rep.files[0]) as z:
            assert (b"Openpyxl" in z.read("docProps/app.xml")) == (rep.writer == "openpyxl")


def test_shipped_demo_is_realistic(shipped: Demo) -> None:
    m, recs = shipped.manifest, shipped.data.recs
    assert len(m.teams) == 3 and len(m.reps) >= 9 and 80 <= m.accounts <= 100
    assert m.projects > m.accounts  # several accounts have 2-3 projects
    assert 4 * m.accounts <= m.key_persons <= 7 * m.accounts
    assert m.stale_accounts and m.overdue_accounts and m.no_decision_maker
    dates = [parse_date(r.values["date"]) for r in recs if r.form == "followup"]
    assert min(d for d in dates if d) >= date(2025, 11, 21)
    assert 12 * m.accounts <= m.followups <= 36 * m.accounts
    assert len({_s(r.values["party"]) for r in recs if r.form == "competition"}) >= 8
    phones = [_s(r.values["phone"]) for r in recs if r.form == "keyperson"]
    assert all(re.fullmatch(r"1\d{10}", p) for p in phones)  # full fake numbers, for leak tests
    stages = {_s(r.values["stage"]) for r in recs if r.form == "customer" and r.values.get("stage")}
    assert set(STAGES) <= stages


def test_values_are_typed_in_every_accepted_way(shipped: Demo) -> None:
    data = shipped.data
    texts = _texts(data)
    for pattern in (r"\d{4}-\d{1,2}-\d{1,2}", r"\d{4}/\d{1,2}/\d{1,2}", r"\d{4}\.\d{1,2}\.\d{1,2}",
                    r"\d{4}年\d{1,2}月\d{1,2}日", r"\d{1,2}月\d{1,2}日", r"[\d.]+万", r"[\d,]+元", r"¥[\d.]+万",
                    r"\d+%", r"[０-９]+", r"√|×|Y|N", r".*\S $"):
        assert any(re.fullmatch(pattern, t) for t in texts), pattern
    assert any(isinstance(v, datetime) for grid in data.grids.values() for row in grid for v in row)
    recs = data.recs
    probabilities = [r.values["probability"] for r in recs if r.form == "customer" and r.values.get("probability")]
    assert any(isinstance(p, float) and p < 1 for p in probabilities) and any(isinstance(p, int) for p in probabilities)
    stages = [r.values["stage"] for r in recs if r.form in ("customer", "followup") and r.values.get("stage")]
    assert {"S", "P", "A", "D", "C", "O"} & set(stages) and {1, 2, 3, 4, 5, 6} & set(stages)
    attitudes = {_s(r.values["attitude"]) for r in recs if r.form == "keyperson"}
    assert {"支持", "中立", "反对"} & attitudes and {"接受", "怀疑"} <= attitudes
    assert any("、" in _s(r.values["roles"]) for r in recs if r.form == "keyperson")
    assert any(_s(r.values["influence"]) in ("高", "中", "低") for r in recs if r.form == "keyperson")
    # blank rows in the middle of follow-up tables, and one 合计 row with the summed expenses
    followup_sheets = [grid for (f, s), grid in data.grids.items() if _form_of(s) == "followup"]
    assert any(all(v is None for v in row) for grid in followup_sheets for row in grid[3:-3])
    totals = [(grid, row) for grid in followup_sheets for row in grid if row and row[0] == "合计"]
    assert len(totals) == 1
    grid, total = totals[0]
    header = next(row for row in grid if "费用(元)" in row)
    col = header.index("费用(元)")
    spent = sum(parse_number(r[col], "yuan") or 0 for r in grid[grid.index(header) + 1:] if r[col] is not None)
    assert total[col] == spent - total[col]


def test_parameters_scale(small: Demo) -> None:
    m = small.manifest
    assert m.accounts == 10 and len(m.reps) == 4 and len(m.teams) == 2
    assert sum(r.accounts for r in m.reps) == 10 and m.followups == sum(m.followups_per_rep.values())


def test_no_mistakes_means_a_clean_department(tmp_path: Path) -> None:
    m = generate_department(tmp_path, **SMALL, mistakes=False, writers=("xlsxwriter",), layouts=("a", "b"), seed=3)
    assert m.mistakes == () and check(read_input(tmp_path).recs) == set()
    assert {r.writer for r in m.reps} == {"xlsxwriter"} and {r.layout for r in m.reps} == {"a", "b"}


def test_the_test_reader_sees_unlisted_mistakes(small: Demo) -> None:
    """The cleanliness check above is only worth something if it notices a stray mistake."""
    recs = [Rec(r.form, r.file, r.sheet, r.row, r.rep, dict(r.values), r.cells) for r in small.data.recs]
    followup = next(r for r in recs if r.form == "followup" and r.values.get("contact"))
    followup.values.update(contact="无名氏", date="2026-02-30")
    person = next(r for r in recs if r.form == "keyperson")
    person.values["account_id"] = "KA-777"
    new = check(recs) - _expected(small.manifest)
    assert {(code, cell) for code, _, _, cell in new} >= {
        ("person-unknown", followup.cells["contact"]), ("value-date", followup.cells["date"]),
        ("account-unknown", person.cells["account_id"])}
