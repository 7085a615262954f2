"""`sitegen build` as a user runs it (a subprocess) on the shipped demo department: the one-screen summary
states the build's real figures. Every number is checked against what the build wrote and against
`sitegen check --format json` on the same input, never against a number written here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"


def sitegen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd, capture_output=True, text=True,
                       timeout=600, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert "Traceback" not in p.stdout + p.stderr, p.stderr
    return p


def numbers(line: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", line)]


def facts_of_check(root: Path) -> dict[str, Any]:
    p = sitegen("check", "input", "--as-of", AS_OF, "--format", "json", cwd=root)
    return dict(json.loads(p.stdout)["summary"])


def site_counts(out: Path) -> dict[str, int]:
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".sitegen-site"]
    return {"files": len(files), "pages": sum(p.suffix == ".html" for p in files),
            "reps": len(list((out / "reps").glob("*.html"))), "teams": len(list((out / "teams").glob("*.html"))),
            "accounts": len(list((out / "accounts").glob("*.html")))}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "input", root / "input")
    return root


@pytest.fixture(scope="module")
def first(demo: Path) -> list[str]:
    p = sitegen("build", "--as-of", AS_OF, "--output", "site", "--publish", "share", cwd=demo)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stderr == ""  # not a terminal: no progress bar, nothing else
    return p.stdout.splitlines()


def test_summary_states_the_real_figures(demo: Path, first: list[str]) -> None:
    check = facts_of_check(demo)
    site = site_counts(demo / "site")
    assert 7 <= len(first) <= 11, first
    head, day, people, pages, rows, issues, *rest = first
    assert head == f"网站已生成：{demo / 'site' / 'index.html'}"
    assert day == f"  统计日期 {AS_OF}"
    assert numbers(people) == [check["accounts"], site["reps"], site["teams"]]
    assert site["accounts"] == check["accounts"]
    n_pages, new, reused, n_files = numbers(pages)[:4]
    assert (n_pages, n_files) == (site["pages"], site["files"]) and new + reused == n_pages and new == n_pages
    t = check["rows"]
    assert numbers(rows) == [t["read"], t["accepted"], t["rejected"], t["skipped"]]
    assert t["read"] == t["accepted"] + t["rejected"] + t["skipped"]
    assert numbers(issues)[:2] == [check["errors"], check["warnings"]] and check["errors"] > 0  # the demo's mistakes
    assert str(demo / "site" / "quality.html") in issues
    feedback = next(line for line in rest if "反馈工作簿" in line)
    folder = Path(re.search(r"反馈工作簿：(.+?)（", feedback).group(1))  # type: ignore[union-attr]
    assert folder == demo / "feedback" and any(folder.rglob("*.xlsx"))
    assert f"  已发布到：{demo / 'share'}" in rest and (demo / "share" / "index.html").is_file()
    took = re.fullmatch(r"  用时 (\d+\.\d) 秒", rest[-1])
    assert took is not None and float(took.group(1)) > 0


def test_nothing_changed_repeats_the_figures(demo: Path, first: list[str]) -> None:
    p = sitegen("build", "--as-of", AS_OF, "--output", "site", "--publish", "share", cwd=demo)
    assert p.returncode == 0, p.stderr
    again = p.stdout.splitlines()
    assert again[0] == f"输入与上次相同，网站无需重新生成：{demo / 'site' / 'index.html'}"
    assert again[1] == first[1] and again[2] == first[2] and again[4] == first[4] and again[5] == first[5]
    assert numbers(again[3])[0] == numbers(first[3])[0] and "全部沿用上次" in again[3]


def test_quiet_prints_nothing(demo: Path) -> None:
    p = sitegen("build", "-q", "--as-of", AS_OF, "--output", "quiet-site", cwd=demo)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == ""
    assert (demo / "quiet-site" / "index.html").is_file()


def test_quiet_strict_still_says_why_it_failed(demo: Path) -> None:
    check = facts_of_check(demo)
    p = sitegen("build", "-q", "--strict", "--as-of", AS_OF, "--output", "strict-site", cwd=demo)
    assert p.returncode == 1 and p.stdout == ""
    assert numbers(p.stderr) == [check["errors"], check["warnings"]] and "严格模式" in p.stderr, p.stderr
    assert not (demo / "strict-site").exists()


def test_english_and_verbose(demo: Path, tmp_path: Path) -> None:
    shutil.copytree(demo / "input", tmp_path / "input")
    (tmp_path / "sitegen.yaml").write_text("language: en\n", encoding="utf-8")
    p = sitegen("build", "-v", "--as-of", AS_OF, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) <= 12, lines
    check = facts_of_check(tmp_path)
    site = site_counts(tmp_path / "output")
    assert lines[0] == f"Site built: {tmp_path / 'output' / 'index.html'}"
    assert lines[1] == f"  Figures as of {AS_OF}"
    assert lines[2] == f"  {check['accounts']} accounts, {site['reps']} reps, {site['teams']} teams"
    assert any(line.startswith(f"  {check['errors']} data errors, {check['warnings']} warnings") for line in lines)
    steps = next(line for line in lines if line.startswith("  Seconds per step: "))
    for step in ("reading", "measures", "pages"):
        assert re.search(rf"{step} \d+\.\d", steps), steps
    assert not re.search(r"[\u4e00-\u9fff]", "\n".join(lines).replace(str(tmp_path), ""))  # no Chinese left
