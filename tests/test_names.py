"""Names in any encoding (issue 14 §3): a folder and a workbook whose names are GBK bytes (a zip made on a
Chinese Windows PC, unpacked on Linux or a Mac), and a name that is neither GBK nor UTF-8.

The build reads them, shows the GBK names decoded (the undecodable one with \\xNN escapes), and the build
record, the feedback folder, the issue list and the pages all hold them; the next build finds its inputs
unchanged (the record was written and read back).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.names import shown

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"
pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names are bytes on Linux only")


def sitegen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=root, capture_output=True, text=True,
                       timeout=300, env={**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})
    assert "Traceback" not in p.stdout + p.stderr and "内部错误" not in p.stderr, p.stderr
    return p


def test_shown_decodes_gbk_and_escapes_the_rest() -> None:
    gbk = os.fsdecode("华东一组".encode("gbk"))
    assert gbk != "华东一组"
    assert shown(f"{gbk}/许磊峰.xlsx") == "华东一组/许磊峰.xlsx"
    assert shown("普通/名字.xlsx") == "普通/名字.xlsx"
    assert shown(os.fsdecode(b"\xff\xfe.txt")) == "\\xff\\xfe.txt"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names")
    shutil.copytree(REPO / "input", root / "input")
    team = os.fsencode(root / "input" / "华东一组")
    os.rename(team + "/许磊峰.xlsx".encode(), team + "/许磊峰.xlsx".encode("gbk"))
    os.rename(team, os.fsencode(root / "input") + b"/" + "华东一组".encode("gbk"))
    (root / "input" / os.fsdecode(b"\xff\xfe.txt")).write_text("not a workbook", encoding="utf-8")
    (root / "input" / os.fsdecode("会议纪要.docx".encode("gbk"))).write_bytes(b"PK")
    return root


def test_a_build_with_gbk_names(project: Path) -> None:
    p = sitegen(project, "build", "--as-of", AS_OF)
    assert p.returncode == 0, p.stderr
    issues = json.loads((project / "output" / "data" / "issues.json").read_text(encoding="utf-8"))
    files = {i["file"] for i in (issues if isinstance(issues, list) else issues["issues"])}
    assert "华东一组/许磊峰.xlsx" in files  # the demo has mistakes in this workbook
    assert {"\\xff\\xfe.txt", "会议纪要.docx"} <= files  # skipped, and said so under a readable name
    quality = (project / "output" / "quality.html").read_text(encoding="utf-8")
    assert "华东一组/许磊峰.xlsx" in quality and "会议纪要.docx" in quality
    assert "华东一组" in (project / "output" / "teams.html").read_text("utf-8")
    feedback = [p.relative_to(project / "feedback").as_posix() for p in (project / "feedback").rglob("*.xlsx")]
    assert "许磊峰/华东一组/许磊峰.xlsx" in feedback
    for name in feedback:
        name.encode("utf-8")  # every name in the feedback folder is text
    record = json.loads((project / ".sitegen" / "build.json").read_text(encoding="utf-8"))
    again = sitegen(project, "build", "--as-of", AS_OF)
    assert again.returncode == 0 and "输入与上次相同" in again.stdout, again.stdout  # the record was read back
    assert "许磊峰/华东一组/许磊峰.xlsx" in json.dumps(record, ensure_ascii=False)  # the feedback listing
    check = sitegen(project, "check", "--format", "json", "--as-of", AS_OF)
    assert "华东一组/许磊峰.xlsx" in check.stdout
