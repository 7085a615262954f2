"""Folders like files, and a workbook open in Excel (issue 14 §2, §4).

Real permissions, not mocks: a team folder and a workbook are made unreadable with chmod, and the build runs
as a user whom permissions bind. The tests run as root here, and root reads anything; so the build runs as
root *without* the capabilities that let root ignore file permissions (`setpriv --bounding-set
-dac_override,-dac_read_search`), which makes chmod 000 deny it exactly as it denies an ordinary user. (As a
non-root user the build simply runs as it is.) On Windows the same PermissionError is what reading a workbook
that is open in Excel or WPS gives: it is reported as "文件正被 Excel/WPS 打开，已沿用上周数据".

- an unreadable folder keeps the last good data of every workbook last seen under it: no account vanishes,
  its pages carry the same "数据截至" banner as an unreadable file's, the summary says so on its first line,
  and next week's changes page does not call them removed;
- an unreadable (locked) workbook keeps its last good data, with one warning.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SETPRIV = shutil.which("setpriv")
AS_OF, NEXT = "2026-11-20", "2026-11-27"
pytestmark = pytest.mark.skipif(sys.platform == "win32" or (os.geteuid() == 0 and not SETPRIV),
                                reason="needs POSIX permissions (and setpriv when run as root)")


def sitegen(root: Path, *args: str, bound: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sitegen", *args]
    if bound and os.geteuid() == 0:
        assert SETPRIV
        cmd = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", *cmd]
    p = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})
    assert "Traceback" not in p.stdout + p.stderr and "内部错误" not in p.stdout + p.stderr, p.stderr
    return p


def accounts(root: Path) -> dict[str, dict[str, object]]:
    data = json.loads((root / "output" / "data" / "accounts.json").read_text(encoding="utf-8"))
    rows = data["accounts"] if isinstance(data, dict) else data
    return {str(a["id"]): a for a in rows}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "input", tmp_path / "input")
    first = sitegen(tmp_path, "build", "--as-of", AS_OF)
    assert first.returncode == 0, first.stderr
    return tmp_path


def test_an_unreadable_folder_keeps_the_last_good_data(project: Path) -> None:
    before = accounts(project)
    team = project / "input" / "华东一组"
    workbooks = sorted(p.relative_to(project / "input").as_posix() for p in team.rglob("*.xlsx"))
    assert len(workbooks) >= 2
    team.chmod(0)
    try:
        p = sitegen(project, "build", "--as-of", NEXT, bound=True)
    finally:
        team.chmod(0o755)
    assert p.returncode == 0, p.stderr
    first = p.stdout.splitlines()[0]
    assert first == f"注意：文件夹 华东一组/ 本周无法读取，其中 {len(workbooks)} 个工作簿沿用上次的数据（{AS_OF}）", first
    after = accounts(project)
    assert set(after) == set(before), "no account vanished"
    changes = json.loads((project / "output" / "data" / "changes.json").read_text(encoding="utf-8"))
    assert changes["counts"]["account_removed"] == 0, "nothing was removed on purpose"
    assert not [c for c in changes["changes"] if "removed" in json.dumps(c)]
    quality = (project / "output" / "quality.html").read_text(encoding="utf-8")
    for rel in workbooks:
        assert rel in quality  # listed among the files whose last good data stands in
    pages = [p for p in (project / "output" / "accounts").glob("*.html") if "数据截至" in p.read_text("utf-8")]
    assert pages, "the accounts of the unreadable folder carry the banner"
    issues = json.loads((project / "output" / "data" / "issues.json").read_text(encoding="utf-8"))
    issues = issues if isinstance(issues, list) else issues["issues"]
    assert any(i["file"] == "华东一组/" for i in issues)  # the folder itself, with the reason
    # readable again: fresh data, no note
    again = sitegen(project, "build", "--as-of", NEXT)
    assert again.returncode == 0 and "无法读取" not in again.stdout, again.stdout


def test_a_workbook_open_in_excel_keeps_the_last_good_data(project: Path) -> None:
    before = accounts(project)
    book = project / "input" / "华南二组" / "孙雪.xlsx"
    book.chmod(0)
    try:
        p = sitegen(project, "build", "--as-of", NEXT, bound=True)
    finally:
        book.chmod(0o644)
    assert p.returncode == 0, p.stderr
    assert f"注意：华南二组/孙雪.xlsx：文件正被 Excel/WPS 打开，已沿用上周数据（{AS_OF}）" in p.stdout.splitlines(), p.stdout
    assert set(accounts(project)) == set(before)
    issues = json.loads((project / "output" / "data" / "issues.json").read_text(encoding="utf-8"))
    issues = issues if isinstance(issues, list) else issues["issues"]
    mine = [i for i in issues if i["file"] == "华南二组/孙雪.xlsx" and i.get("code") in ("stale-data", "file-unreadable")]
    assert [i["message"] for i in mine] == [f"文件正被 Excel/WPS 打开，已沿用上周数据（{AS_OF}）。"], mine
    assert "文件正被 Excel/WPS 打开" in (project / "output" / "quality.html").read_text(encoding="utf-8")
