"""`sitegen check` as a user runs it (a subprocess): text and JSON reports, exit codes, no traceback.

Exit codes: 0 no errors, 1 errors in the input, 2 a usage or configuration problem.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from make_fixtures import EXPECTED, Sheet, department, write

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sitegen", "check", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return department(tmp_path_factory.mktemp("clean") / "input")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = department(tmp_path_factory.mktemp("broken") / "input", "xlsxwriter")
    write(root / "李四" / "跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "跟进方式"],
        [date(2026, 11, 2), "KB-001", "拜访"],
        [date(2026, 11, 3), "KB-404", "拜访"],
        [date(2026, 11, 4), "KB-002", "飞鸽传书"],
    ])])
    return root


def test_text_report_exit_0(clean: Path) -> None:
    p = run(str(clean), "--as-of", "2026-11-20", cwd=clean.parent)
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    # grouped by rep, then file, with the counts of every sheet
    reps = [line for line in out.splitlines() if line.startswith("■ ")]
    assert reps == ["■ 张三", "■ 李四", "■ 王五", "■ （未确定客户经理）"]
    zhang = out[out.index("■ 张三"): out.index("■ 李四")]
    assert "  张三/张三的客户.xlsx\n" in zhang
    assert "[客户档案] 读取 5 行 = 接受 3 + 拒绝 0 + 跳过（空行/合计）2" in zhang
    assert "[跟进记录] 读取 5 行 = 接受 3 + 拒绝 0 + 跳过（空行/合计）2" in zhang
    li = out[out.index("■ 李四"): out.index("■ 王五")]
    assert li.index("关键人.xlsx") < li.index("李四/客户档案表.xlsx")  # files sorted within the rep
    assert "警告 客户档案表!C6" in li and "[account-conflict]" in li
    total = sum(c[0] for sheets in EXPECTED.values() for c in sheets.values())
    assert f"合计：读取 {total} 行 = 接受 23 + 拒绝 0 + 跳过 4" in out
    assert "错误 0 个，警告 2 个" in out
    assert "工作表像客户档案表，但只识别出 2 个标准列（客户编号、客户名称）" in out  # 导出.csv, read since issue 15
    assert "file-skipped" not in out  # info only with -v


def test_verbose_shows_info(clean: Path) -> None:
    p = run(str(clean), "--as-of", "2026-11-20", "-v", cwd=clean.parent)
    assert p.returncode == 0
    assert "提示  已跳过：Excel/WPS 的临时锁定文件" in p.stdout and "[file-skipped]" in p.stdout


def test_text_report_exit_1_names_file_sheet_cell(broken: Path) -> None:
    p = run(str(broken), "--as-of", "2026-11-20", cwd=broken.parent)
    no_traceback(p)
    assert p.returncode == 1
    li = p.stdout[p.stdout.index("■ 李四"): p.stdout.index("■ 王五")]
    assert "  李四/跟进.xlsx\n    [跟进记录] 读取 3 行 = 接受 1 + 拒绝 2 + 跳过（空行/合计）0" in li
    assert "错误 跟进记录!B3 客户编号“KB-404”在任何客户档案表中都不存在" in li
    assert "错误 跟进记录!C4 “跟进方式”的值“飞鸽传书”无法识别" in li
    assert "错误 2 个" in p.stdout


def test_json_report(broken: Path) -> None:
    p = run(str(broken), "--as-of", "2026-11-20", "--format", "json", cwd=broken.parent)
    no_traceback(p)
    assert p.returncode == 1
    data = json.loads(p.stdout)
    s = data["summary"]
    assert (s["errors"], s["warnings"], s["accounts"], s["projects"], s["key_persons"], s["followups"]) == (2, 2, 7, 10, 5, 7)
    assert s["rows"] == {"read": 30, "accepted": 24, "rejected": 2, "skipped": 4}
    sheets = {(x["file"], x["sheet"]): x for x in data["sheets"]}
    assert sheets[("李四/跟进.xlsx", "跟进记录")] == {"file": "李四/跟进.xlsx", "sheet": "跟进记录", "form": "followup",
                                                   "rep": "李四", "read": 3, "accepted": 1, "rejected": 2, "skipped": 0}
    errors = [i for i in data["issues"] if i["severity"] == "error"]
    assert sorted((i["code"], i["file"], i["sheet"], i["cell"], i["rep"]) for i in errors) == [
        ("account-unknown", "李四/跟进.xlsx", "跟进记录", "B3", "李四"),
        ("value-enum", "李四/跟进.xlsx", "跟进记录", "C4", "李四"),
    ]
    assert {"severity", "code", "message", "file", "sheet", "cell", "rep", "account"} == set(errors[0])


def test_json_clean_exit_0(clean: Path) -> None:
    p = run(str(clean), "--as-of", "2026-11-20", "--format", "json", cwd=clean.parent)
    assert p.returncode == 0
    assert json.loads(p.stdout)["summary"]["errors"] == 0


def test_input_from_config_and_english(clean: Path, tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text(f"language: en\ninput: {clean}\n", encoding="utf-8")
    p = run("--as-of", "2026-11-20", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "[客户档案] read 5 = accepted 3 + rejected 0 + skipped 2" in p.stdout
    assert "0 errors, 2 warnings" in p.stdout


@pytest.mark.parametrize(("yaml_text", "words"), [
    ("titel: 大客户\n", ["titel"]),  # unknown key: named
    ("stale_days: 三十\n", ["stale_days"]),  # wrong type: named
    ("account_id_from_name: 1\n", ["account_id_from_name"]),
    ("aliases:\n  customer:\n    客户名称: 公司\n", ["aliases.customer.客户名称"]),
    ("language: fr\n", ["language"]),
    ("stages: [1, 2]\n", ["stages"]),
    ("title: [unclosed\n", ["YAML"]),
    ("- a\n- b\n", ["键: 值"]),
])
def test_bad_config_exit_2(tmp_path: Path, clean: Path, yaml_text: str, words: list[str]) -> None:
    (tmp_path / "sitegen.yaml").write_text(yaml_text, encoding="utf-8")
    p = run(str(clean), cwd=tmp_path)
    no_traceback(p)
    assert p.returncode == 2, (p.returncode, p.stderr)
    for w in words:
        assert w in p.stderr


def test_config_flag_pointing_nowhere(tmp_path: Path, clean: Path) -> None:
    for target in (tmp_path / "missing.yaml", tmp_path):  # a missing file, a folder
        p = run(str(clean), "--config", str(target), cwd=tmp_path)
        no_traceback(p)
        assert p.returncode == 2 and str(target) in p.stderr


@pytest.mark.parametrize("as_of", ["2026-13-01", "昨天", "20261120x", "2026/11/20"])
def test_bad_as_of_exit_2(tmp_path: Path, clean: Path, as_of: str) -> None:
    p = run(str(clean), "--as-of", as_of, cwd=tmp_path)
    no_traceback(p)
    assert p.returncode == 2 and "--as-of" in p.stderr


def test_missing_input_folder_exit_2(tmp_path: Path) -> None:
    for target in (tmp_path / "没有这个文件夹", tmp_path / "file.xlsx"):
        if target.suffix:
            target.write_bytes(b"PK")
        p = run(str(target), cwd=tmp_path)
        no_traceback(p)
        assert p.returncode == 2 and "输入文件夹" in p.stderr


def test_missing_input_folder_from_config(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("input: nowhere\n", encoding="utf-8")
    p = run(cwd=tmp_path)
    no_traceback(p)
    assert p.returncode == 2 and "nowhere" in p.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    p = run("--formt", "json", cwd=tmp_path)
    assert p.returncode == 2 and "用法：" in p.stderr and "错误：" in p.stderr
    no_traceback(p)


def test_empty_input_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "input").mkdir()
    p = run("input", "--format", "json", cwd=tmp_path)
    assert p.returncode == 0
    assert json.loads(p.stdout)["summary"]["rows"] == {"read": 0, "accepted": 0, "rejected": 0, "skipped": 0}


def test_bad_workbooks_are_errors_not_crashes(tmp_path: Path) -> None:
    root = tmp_path / "input"
    write(root / "张三" / "好.xlsx", [Sheet("客户档案", [["客户编号", "客户名称"], ["K1", "甲"]])])
    (root / "张三" / "坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (root / "张三" / "空.xlsx").write_bytes(b"")
    p = run(str(root), "--format", "json", cwd=tmp_path)
    no_traceback(p)
    assert p.returncode == 1
    data = json.loads(p.stdout)
    assert data["summary"]["accounts"] == 1
    # listed under the rep whose folder holds them, so that the report groups them there
    assert sorted((i["file"], i["code"], i["rep"]) for i in data["issues"] if i["severity"] == "error") == [
        ("张三/坏.xlsx", "file-unreadable", "张三"), ("张三/空.xlsx", "file-unreadable", "张三")]
    text = run(str(root), cwd=tmp_path).stdout
    zhang = text[text.index("■ 张三"):]
    assert "  张三/坏.xlsx\n   错误  无法读取此文件" in zhang
