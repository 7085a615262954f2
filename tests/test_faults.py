"""Faults end cleanly (issue 14 §5): a full disk, and an --output or publish folder that is not a site's.

Builds run in this process (sitegen.cli.main) on a copy of the shipped demo department, so that free space
can be faked (shutil.disk_usage) and a write can fail with ENOSPC. Each fault must leave last week's site and
whatever was in the way exactly as they were, and no staging folder behind.
"""

from __future__ import annotations

import errno
import hashlib
import re
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from sitegen import cli
from sitegen.render import parallel

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"
Usage = namedtuple("Usage", "total used free")


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".new-" in p.name or ".old-" in p.name)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*args: str) -> int:
    return cli.main(["build", "--as-of", AS_OF, *args])


def test_an_output_that_is_a_file_is_refused_and_left_untouched(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = demo / "report.txt"
    report.write_bytes(b"weekly notes\r\n")
    assert build("--output", "report.txt") == 2
    err = capsys.readouterr().err
    assert "输出文件夹" in err and "report.txt" in err and "是一个已有的文件" in err and "Traceback" not in err
    assert report.read_bytes() == b"weekly notes\r\n"
    assert leftovers(demo) == [] and not (demo / "output").exists()


def test_an_output_folder_of_other_things_is_refused_and_left_untouched(demo: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    other = demo / "报告"
    other.mkdir()
    (other / "周报.docx").write_bytes(b"keep me")
    assert build("--output", "报告") == 2
    assert "不是 sitegen 生成的网站" in capsys.readouterr().err
    assert tree(other) == {"周报.docx": hashlib.sha256(b"keep me").hexdigest()} and leftovers(demo) == []


def test_a_publish_folder_that_is_a_file_or_not_a_site_is_refused(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    share = demo / "share.txt"
    share.write_text("x", encoding="utf-8")
    assert build("--publish", "share.txt") == 2
    assert "发布文件夹" in capsys.readouterr().err and share.read_text(encoding="utf-8") == "x"
    other = demo / "共享" / "大客户部"
    other.mkdir(parents=True)
    (other / "老板的文件.docx").write_bytes(b"keep me")
    assert build("--publish", str(other)) == 2
    err = capsys.readouterr().err
    assert "不是 sitegen 发布的网站" in err
    assert tree(other) == {"老板的文件.docx": hashlib.sha256(b"keep me").hexdigest()}
    assert not (demo / "output").exists(), "refused before anything was built"
    # an empty folder, then the same folder holding the site it was given: published, and again
    empty = demo / "共享" / "new"
    empty.mkdir()
    assert build("--publish", str(empty)) == 0
    assert build("--publish", str(empty), "--as-of", "2026-11-21") == 0
    assert tree(empty) == tree(demo / "output")


def test_a_full_disk_is_found_before_the_build(demo: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert build() == 0
    capsys.readouterr()
    before = tree(demo / "output")
    size = sum(p.stat().st_size for p in (demo / "output").rglob("*") if p.is_file())
    real = shutil.disk_usage
    free = 300_000  # bytes: less than the site needs

    def usage(path: str | Path) -> Usage:
        u = real(path)
        return Usage(u.total, u.total - free, free)

    monkeypatch.setattr(shutil, "disk_usage", usage)
    assert build() == 0  # nothing changed: nothing to write, no room needed
    assert "输入与上次相同" in capsys.readouterr().out
    assert build("--as-of", "2026-11-27") == 1
    err = capsys.readouterr().err.strip()
    m = re.fullmatch(r"磁盘空间不足：生成网站需要约 ([\d.]+) MB，(.+) 只剩 ([\d.]+) MB", err)
    assert m, err
    assert abs(float(m.group(1)) - size / 1e6) <= 0.15  # the last build's site
    assert Path(m.group(2)) == demo and float(m.group(3)) == round(free / 1e6, 1)
    assert tree(demo / "output") == before and leftovers(demo) == []


def test_a_disk_that_fills_up_while_writing(demo: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert build() == 0
    capsys.readouterr()
    before = tree(demo / "output")
    monkeypatch.setattr("sitegen.sitewrite.workers", lambda: 1)  # every page in this process, where _write fails
    real = parallel._write
    calls = []

    def write(root: Path, rel: str, body: bytes, done: parallel.Written) -> Path:
        calls.append(rel)
        if len(calls) == 12:
            raise OSError(errno.ENOSPC, "No space left on device", str(root / rel))
        return real(root, rel, body, done)

    monkeypatch.setattr(parallel, "_write", write)
    assert build("--as-of", "2026-11-27") == 1
    err = capsys.readouterr().err
    assert err.startswith("磁盘空间不足：生成网站需要约 ") and "Errno" not in err and "Traceback" not in err, err
    assert tree(demo / "output") == before, "last week's site is whole"
    assert leftovers(demo) == [], "the staging folder is removed"
    monkeypatch.setattr(parallel, "_write", real)
    assert build("--as-of", "2026-11-27") == 0  # the lock was released
