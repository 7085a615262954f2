"""`sitegen init`: the commented config, the blank workbooks for reps, the layouts README."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml

from sitegen.cli import main
from sitegen.config import SETTINGS, Config, Stage, config_from_dict, load_config
from sitegen.docs import ENUMERATED_KINDS, department_forms, dropdown_values, form_guides
from sitegen.forms import Kind
from sitegen.load import load
from sitegen.read.discover import InputFile
from sitegen.read.extract import ReadContext, read_file
from sitegen.read.layout import Matcher
from sitegen.scaffold import ProjectExistsError, ScaffoldError, init_project
from sitegen.scaffold.config_file import render_config_file
from sitegen.scaffold.workbooks import (
    EXAMPLE_PREFIX,
    GUIDE_SHEET,
    LIST_FORMULA_LIMIT,
    LISTS_SHEET,
    NUMBER_FORMATS,
    TEMPLATE_FILES,
    _example_value,
    write_template,
)

AS_OF = date(2026, 11, 20)
FORMS = department_forms(Config(root=Path(".")))
FORM_BY_KEY = {f.key: f for f in FORMS}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "大客户网站"
    init_project(target)
    return target


def _input_file(path: Path) -> InputFile:
    st = path.stat()
    return InputFile(path, path.name, st.st_size, st.st_mtime_ns)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Column letter -> formula1 of the list validation covering that column."""
    out: dict[str, str] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            letter = re.match(r"[A-Z]+", rng.coord).group()  # type: ignore[union-attr]
            out[letter] = dv.formula1
    return out


# ---------------------------------------------------------------- the project

def test_init_creates_the_project(tmp_path: Path) -> None:
    target = tmp_path / "new"
    created = init_project(target)
    expected = [target / "sitegen.yaml", *(target / "input" / n for n in TEMPLATE_FILES.values()),
                target / "layouts" / "README.md"]
    assert sorted(created) == sorted(expected)
    assert created[0] == target / "sitegen.yaml"
    for p in expected:
        assert p.is_file()


def test_fresh_init_passes_check(project: Path) -> None:
    cfg = load_config(project / "sitegen.yaml")
    loaded = load(cfg, AS_OF, read=lambda files, ctx: [read_file(f, ctx) for f in files])
    assert loaded.report.errors == 0, [i.message for i in loaded.report.issues]
    assert loaded.report.warnings == 0, [i.message for i in loaded.report.issues]
    assert len(loaded.files) == len(TEMPLATE_FILES)
    # the example rows are skipped, never read as data
    assert all(s.accepted == 0 and s.rejected == 0 for s in loaded.report.sheets)
    assert not loaded.dataset.accounts


def test_fresh_init_check_command_exits_0(project: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sitegen", "check", "--as-of", AS_OF.isoformat()],
                          cwd=project, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_refuses_an_existing_config(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("title: 我们的网站\n", encoding="utf-8")
    with pytest.raises(ProjectExistsError, match="sitegen.yaml"):
        init_project(tmp_path)
    assert (tmp_path / "sitegen.yaml").read_text(encoding="utf-8") == "title: 我们的网站\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sitegen.yaml"]


def test_cli_init_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "p")]) == 0
    assert main(["init", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "已有 sitegen.yaml" in err and "Traceback" not in err


def test_refuses_a_file_as_target(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("", encoding="utf-8")
    with pytest.raises(ScaffoldError):
        init_project(tmp_path / "x")


def test_never_touches_existing_workbooks(tmp_path: Path) -> None:
    inp = tmp_path / "input"
    inp.mkdir()
    mine = inp / TEMPLATE_FILES["customer"]
    wb = openpyxl.Workbook()
    wb.active.append(["客户编号", "客户名称", "客户经理"])  # type: ignore[union-attr]
    wb.active.append(["KA-9", "某集团", "张伟"])  # type: ignore[union-attr]
    wb.save(mine)
    other = inp / "张伟" / "跟进表.xlsx"
    other.parent.mkdir()
    other.write_bytes(mine.read_bytes())
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "README.md").write_text("ours", encoding="utf-8")
    before = {p: _sha(p) for p in (mine, other)}
    created = init_project(tmp_path)
    assert mine not in created and other not in created
    assert {p: _sha(p) for p in (mine, other)} == before
    assert (tmp_path / "layouts" / "README.md").read_text(encoding="utf-8") == "ours"
    assert (inp / TEMPLATE_FILES["followup"]).exists()


def test_layouts_readme_explains_overrides(project: Path) -> None:
    text = (project / "layouts" / "README.md").read_text(encoding="utf-8")
    assert '{% extends "default:account.html" %}' in text
    assert "layouts/" in text and "{{BUILTIN_TEMPLATES}}" not in text


# ---------------------------------------------------------------- sitegen.yaml

def test_config_file_loads_as_the_defaults(project: Path) -> None:
    cfg = load_config(project / "sitegen.yaml")
    assert cfg == Config(root=project.resolve())


def test_config_file_lists_every_setting_with_its_help() -> None:
    text = render_config_file()
    for s in SETTINGS:
        assert re.search(rf"^#{re.escape(s.key)}:", text, re.M), s.key
        assert s.help in text, s.key
    assert yaml.safe_load(text) is None  # everything is commented out


def test_uncommenting_every_key_gives_the_defaults(tmp_path: Path) -> None:
    lines = [line[1:] if re.match(r"^#[^\s#]", line) else line for line in render_config_file().splitlines()]
    data = yaml.safe_load("\n".join(lines))
    assert set(data) == {s.key for s in SETTINGS}
    cfg = config_from_dict(data, tmp_path)
    assert cfg == Config(root=tmp_path)
    assert cfg.stages[0] == Stage("客户开发", 0.10, True, False, False, "Development")


# ---------------------------------------------------------------- the blank workbooks

@pytest.mark.parametrize("key", list(TEMPLATE_FILES))
def test_template_is_recognised_as_its_form(project: Path, key: str) -> None:
    path = project / "input" / TEMPLATE_FILES[key]
    ctx = ReadContext(Config(root=project), AS_OF)
    result = read_file(_input_file(path), ctx)
    assert not result.unreadable
    # exactly one sheet is a form — the 填写说明 sheet is never taken for one
    assert [(s.sheet, s.form) for s in result.sheets] == [(FORM_BY_KEY[key].title, key)]
    # the example row belongs to the template, like its header: not read as data, not counted as skipped
    assert [(s.read, s.skipped) for s in result.sheets] == [(0, 0)]
    assert not [i for i in result.issues if i.severity.value != "info"]


@pytest.mark.parametrize("key", list(TEMPLATE_FILES))
def test_header_marks_required_columns_and_matches_every_column(project: Path, key: str) -> None:
    form = FORM_BY_KEY[key]
    wb = openpyxl.load_workbook(project / "input" / TEMPLATE_FILES[key])
    ws = wb[form.title]
    assert wb.sheetnames[0] == form.title
    assert ws.freeze_panes in ("A2", "B2")
    headers = [c.value for c in ws[1]]
    assert len(headers) == len(form.columns)
    matcher = Matcher(FORMS)
    required_fills = set()
    for cell, col in zip(ws[1], form.columns, strict=True):
        text = str(cell.value)
        assert text.endswith(" *") == col.required, text
        assert matcher.match(form, text) == col, text
        assert cell.font.bold and cell.alignment.wrap_text and cell.border.bottom.style == "thin"
        assert cell.comment is not None and col.label in cell.comment.text
        if col.required:
            required_fills.add(cell.fill.fgColor.rgb)
    optional_fills = {c.fill.fgColor.rgb for c, col in zip(ws[1], form.columns, strict=True) if not col.required}
    assert required_fills and not (required_fills & optional_fills)


@pytest.mark.parametrize("key", list(TEMPLATE_FILES))
def test_every_enumerated_column_has_a_dropdown(project: Path, key: str) -> None:
    form = FORM_BY_KEY[key]
    wb = openpyxl.load_workbook(project / "input" / TEMPLATE_FILES[key])
    ws = wb[form.title]
    validations = _validations(ws)
    cfg = Config(root=project)
    enumerated = 0
    for i, col in enumerate(form.columns, 1):
        letter = openpyxl.utils.get_column_letter(i)
        if col.kind in ENUMERATED_KINDS:
            enumerated += 1
            assert letter in validations, col.label
            formula = validations[letter]
            assert len(formula) <= LIST_FORMULA_LIMIT
            assert formula.strip('"').split(",") == list(dropdown_values(col, cfg)), col.label
        else:
            assert letter not in validations, col.label
    assert enumerated > 0 or key == "targets"
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list" and dv.allow_blank
    assert LISTS_SHEET not in wb.sheetnames  # the default lists all fit inline


def test_dropdown_values_of_the_domain() -> None:
    cfg = Config(root=Path("."))
    cust, kp = FORM_BY_KEY["customer"], FORM_BY_KEY["keyperson"]
    assert dropdown_values(cust.column("stage"), cfg)[:6] == ("客户开发", "立项", "提案", "招投标", "商务谈判", "工程实施")
    assert dropdown_values(cust.column("budget"), cfg) == ("是", "否")
    assert dropdown_values(kp.column("influence"), cfg) == ("1", "2", "3", "4", "5")
    assert dropdown_values(kp.column("relationship"), cfg) == ("认识", "约会", "认同", "信赖", "同盟")
    assert dropdown_values(FORM_BY_KEY["competition"].column("score:品牌"), cfg) == ("1", "2", "3", "4", "5")


@pytest.mark.parametrize("key", list(TEMPLATE_FILES))
def test_formats_widths_and_example_row(project: Path, key: str) -> None:
    form = FORM_BY_KEY[key]
    ws = openpyxl.load_workbook(project / "input" / TEMPLATE_FILES[key])[form.title]
    first = ws.cell(row=2, column=1).value
    assert isinstance(first, str) and first.startswith(EXAMPLE_PREFIX)
    for i, col in enumerate(form.columns, 1):
        letter = openpyxl.utils.get_column_letter(i)
        dim = ws.column_dimensions[letter]
        assert dim.width and dim.width >= 8
        fmt = NUMBER_FORMATS.get(col.kind)
        if fmt:
            assert dim.number_format == fmt, col.label
            if i > 1 and ws.cell(row=2, column=i).value is not None:
                assert ws.cell(row=2, column=i).number_format == fmt
    kinds = {c.kind for c in form.columns}
    if Kind.DATE in kinds:
        assert any(ws.column_dimensions[openpyxl.utils.get_column_letter(i)].number_format == "yyyy-mm-dd"
                   for i, c in enumerate(form.columns, 1) if c.kind is Kind.DATE)
    if Kind.PERCENT in kinds:
        i = next(i for i, c in enumerate(form.columns, 1) if c.kind is Kind.PERCENT)
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].number_format == "0%"
        assert ws.cell(row=2, column=i).value == pytest.approx(0.4)


@pytest.mark.parametrize("key", list(TEMPLATE_FILES))
def test_guide_sheet_lists_every_column(project: Path, key: str) -> None:
    form = FORM_BY_KEY[key]
    wb = openpyxl.load_workbook(project / "input" / TEMPLATE_FILES[key])
    assert wb.sheetnames[:2] == [form.title, GUIDE_SHEET]
    ws = wb[GUIDE_SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    by_label = {r[1]: r for r in rows if isinstance(r[1], str) and r[1].startswith("【")}
    assert list(by_label) == [f"【{c.label}】" for c in form.columns]
    for g in form_guides(form, Config(root=Path("."))):
        row = by_label[f"【{g.label}】"]
        assert row[2] == ("必填" if g.required else "选填")
        if g.help:
            assert g.help in str(row[4])
        for v in g.values:
            assert v in str(row[5]), (g.label, v)
    # no cell of the guide reads as a column name: the reader can never take it for a form
    matcher = Matcher(FORMS)
    for row in rows:
        for v in row:
            if isinstance(v, str):
                assert not any(matcher.match(f, v) for f in FORMS), v


def test_example_rows_are_valid_records(tmp_path: Path) -> None:
    """A rep who copies the example row (without 示例) writes rows that pass the check."""
    init_project(tmp_path)
    cfg = load_config(tmp_path / "sitegen.yaml")
    for key, name in TEMPLATE_FILES.items():
        form = FORM_BY_KEY[key]
        path = tmp_path / "input" / name
        wb = openpyxl.load_workbook(path)
        ws = wb[form.title]
        for i, g in enumerate(form_guides(form, cfg), 1):
            ws.cell(row=3, column=i, value=_example_value(g))
        wb.save(path)
    loaded = load(cfg, AS_OF, read=lambda files, ctx: [read_file(f, ctx) for f in files])
    assert loaded.report.errors == 0, [(i.file, i.cell, i.message) for i in loaded.report.issues]
    assert sorted((s.form, s.read, s.accepted, s.skipped) for s in loaded.report.sheets) == sorted(
        (k, 1, 1, 0) for k in TEMPLATE_FILES)  # the example row itself is not read
    assert [a.id for a in loaded.dataset.accounts] == ["KA-001"]


def test_long_lists_go_to_a_hidden_sheet(tmp_path: Path) -> None:
    names = [f"第{i}阶段：一个非常非常长的阶段名称用来超过二百五十五个字符的限制" for i in range(1, 10)]
    data = {"stages": [{"name": n, "probability": 0.1, "open": True} for n in names]}
    cfg = config_from_dict(data, tmp_path)
    assert len(",".join(names)) > LIST_FORMULA_LIMIT
    path = write_template(FORM_BY_KEY["customer"], tmp_path / "input" / "客户档案表.xlsx", cfg)
    wb = openpyxl.load_workbook(path)
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    listed = [c.value for c in wb[LISTS_SHEET]["A"]]
    assert names == [v for v in listed if v in names]
    formulas = _validations(wb["客户档案表"])
    stage_col = openpyxl.utils.get_column_letter(
        next(i for i, c in enumerate(FORM_BY_KEY["customer"].columns, 1) if c.key == "stage"))
    assert formulas[stage_col].startswith(f"'{LISTS_SHEET}'!$A$")
    assert all(len(f) <= LIST_FORMULA_LIMIT for f in formulas.values())
    # the lists sheet is never read as a form either
    result = read_file(_input_file(path), ReadContext(cfg, AS_OF))
    assert [s.form for s in result.sheets] == ["customer"]
    assert not [i for i in result.issues if i.severity.value != "info"]


# ---------------------------------------------------------------- from init to a built site

def test_init_fill_override_build(tmp_path: Path) -> None:
    """The newcomer's path: init, copy the example rows, override a layout as layouts/README.md shows, build."""
    init_project(tmp_path)
    cfg = load_config(tmp_path / "sitegen.yaml")
    for key, name in TEMPLATE_FILES.items():
        form = FORM_BY_KEY[key]
        path = tmp_path / "input" / name
        wb = openpyxl.load_workbook(path)
        ws = wb[form.title]
        for i, g in enumerate(form_guides(form, cfg), 1):
            value = _example_value(g)
            if key == "keyperson" and g.column.key == "phone":
                value = "13800001234"  # private: must not reach the site
            ws.cell(row=3, column=i, value=value)
        wb.save(path)
    readme = (tmp_path / "layouts" / "README.md").read_text(encoding="utf-8")
    override = re.search(r"```jinja\n(.*?)```", readme, re.S)
    assert override is not None
    (tmp_path / "layouts" / "account.html").write_text(override.group(1), encoding="utf-8")
    assert main(["build", "--config", str(tmp_path / "sitegen.yaml"), "--as-of", AS_OF.isoformat(), "-q"]) == 0
    pages = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "output").rglob("*.html")}
    assert any("拜访前请先查看关键人和竞争对手。" in html and "华东电力集团" in html for html in pages.values())
    for p in (tmp_path / "output").rglob("*"):
        if p.is_file():
            data = [p.read_bytes()]
            if p.suffix == ".xlsx":
                with zipfile.ZipFile(p) as z:
                    data = [z.read(n) for n in z.namelist()]
            assert not any(b"13800001234" in d for d in data), p
