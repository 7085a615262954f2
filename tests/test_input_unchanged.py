"""Nothing lost (issue 7 §3): the input folder is never modified.

The demo department (a copy of input/) plus a mix of hostile files (an XML bomb, a zip bomb, a truncated
zip, an encrypted workbook, an empty file, an absurd sheet extent, hostile file and folder names, a
read-only workbook, Excel's `~$` owner file, a text file, symbolic links to a file and a folder outside the
input) is snapshotted before, and after each of: `sitegen build` (cold), `sitegen build` again (from the
read cache), `sitegen check --feedback <folder>`. A snapshot records every entry below the input folder
(files, folders and links, without following links) with its type, SHA-256 (links: their target), size,
mode and modification time, the folders' own modification times (a file created and deleted again changes
its folder's time), and the files the links point to outside. Every snapshot must equal the first.

The snapshot is shown to catch a changed byte, a touched file, a changed mode, and a file created and
removed again.

Folders the tool writes (feedback, output, state) placed inside the input folder must be refused, since
whatever is written there changes the input (and is read back as input by the next build). sitegen.yaml
naming any of them inside the input is a configuration error (exit code 2).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import GOOD_TABLE, billion_laughs, huge_extent_variants, ole_file, table_rows, xlsx, zip_bomb
from make_fixtures import Sheet, write

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"

Snapshot = dict[str, tuple[object, ...]]


def snapshot(root: Path, outside: Path) -> Snapshot:
    """Every entry below root (links not followed) and every file below `outside` (what the links point at)."""
    out: Snapshot = {}
    for base, top in (("in", root), ("out", outside)):
        st = os.lstat(top)
        out[f"{base}:"] = ("dir", st.st_mode, st.st_mtime_ns)
        for dirpath, dirs, files in os.walk(top, followlinks=False):
            for name in dirs + files:
                p = os.path.join(dirpath, name)
                rel = f"{base}:{os.path.relpath(p, top)}"
                st = os.lstat(p)
                if os.path.islink(p):
                    out[rel] = ("link", os.readlink(p))
                elif os.path.isdir(p):
                    out[rel] = ("dir", st.st_mode, st.st_mtime_ns)
                else:
                    with open(p, "rb") as fh:
                        digest = hashlib.sha256(fh.read()).hexdigest()
                    out[rel] = ("file", digest, st.st_size, st.st_mode, st.st_mtime_ns)
    return out


def hostile_mix(root: Path, outside: Path) -> None:
    bad = root / "坏"
    billion_laughs(bad / "笑.xlsx")
    zip_bomb(bad / "炸弹.xlsx", megabytes=1024, lie=True)
    write(bad / "截断.xlsx", [Sheet("客户档案", [["客户编号", "客户名称", "客户经理"]]
                                    + [[f"T{i}", "x" * 50, "张三"] for i in range(200)])])
    data = (bad / "截断.xlsx").read_bytes()
    (bad / "截断.xlsx").write_bytes(data[: len(data) // 2])
    ole_file(bad / "加密.xlsx", encrypted=True)
    (bad / "空.xlsx").write_bytes(b"")
    xlsx(bad / "巨大.xlsx", [("客户档案", huge_extent_variants()["canonical"])])
    xlsx(root / "<img src=x onerror=alert(1)>" / "\"><svg onload=alert(1)>.xlsx",
         [("<script>alert(1)</script>", table_rows([GOOD_TABLE[0], ["H-1", "恶意名称", "张三"]]))])
    write(bad / "只读.xlsx", [Sheet("客户档案", [GOOD_TABLE[0], ["RO-1", "只读客户", "张三"]])])
    os.chmod(bad / "只读.xlsx", 0o444)
    (bad / "~$只读.xlsx").write_bytes(b"\x06\x00owner")
    (bad / "说明.txt").write_text("本周的表格\n", encoding="utf-8")
    write(outside / "secret.xlsx", [Sheet("客户档案", [GOOD_TABLE[0], ["S-1", "外部客户", "张三"]])])
    (bad / "外部.xlsx").symlink_to(outside / "secret.xlsx")
    (root / "外部文件夹").symlink_to(outside, target_is_directory=True)


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)


def test_build_and_check_never_change_the_input(tmp_path: Path) -> None:
    project = tmp_path / "project"
    root = project / "input"
    outside = tmp_path / "outside"
    shutil.copytree(REPO / "input", root, symlinks=True)
    hostile_mix(root, outside)
    (project / "sitegen.yaml").write_text("title: 大客户部\n", encoding="utf-8")
    before = snapshot(root, outside)
    assert sum(1 for k, v in before.items() if v[0] == "file" and k.endswith(".xlsx")) >= 30

    steps = [("build", ("build", "--as-of", AS_OF)),
             ("build from the cache", ("build", "--as-of", AS_OF)),
             ("check --feedback", ("check", "--as-of", AS_OF, "--feedback", str(tmp_path / "fb")))]
    for what, args in steps:
        p = run(project, *args)
        assert p.returncode in (0, 1) and "Traceback" not in p.stderr + p.stdout, (what, p.returncode, p.stderr)
        if args[0] == "build":
            assert p.returncode == 0, p.stderr
        after = snapshot(root, outside)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not changed, f"{what} changed the input: {changed[:10]}"

    # the commands did their work (outside the input)
    assert (project / "output" / "index.html").is_file()
    assert list((project / "feedback").rglob("*.xlsx")), "the build wrote no feedback workbook"
    assert list((tmp_path / "fb").rglob("*.xlsx")), "check --feedback wrote no feedback workbook"


@pytest.mark.parametrize("change", ["byte", "touch", "create-and-remove", "chmod"])
def test_the_snapshot_catches_a_change(tmp_path: Path, change: str) -> None:
    root = tmp_path / "input"
    outside = tmp_path / "outside"
    write(root / "a" / "b.xlsx", [Sheet("客户档案", [GOOD_TABLE[0], ["K-1", "客户", "张三"]])])
    outside.mkdir()
    before = snapshot(root, outside)
    time.sleep(0.05)  # file times have the kernel clock's coarse granularity (a few milliseconds)
    target = root / "a" / "b.xlsx"
    if change == "byte":
        data = bytearray(target.read_bytes())
        data[-1] ^= 1
        st = target.stat()
        target.write_bytes(bytes(data))
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # same time, same size: only the hash differs
    elif change == "touch":
        st = target.stat()
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    elif change == "create-and-remove":
        tmp = root / "a" / "~$b.xlsx"
        tmp.write_bytes(b"x")
        tmp.unlink()
    else:
        os.chmod(target, 0o600)
    assert snapshot(root, outside) != before


# ---------------------------------------------------------------- folders placed inside the input

@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A small generated department (with its data mistakes, so that there is feedback to write)."""
    from datetime import date

    from sitegen.demo.generate import generate_department

    project = tmp_path / "project"
    generate_department(project / "input", teams=1, reps_per_team=2, accounts=8, followups_per_account=4,
                        key_persons_per_account=2, as_of=date.fromisoformat(AS_OF))
    return project


def _inside(project: Path, setting: str, *flags: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    root = project / "input"
    (project / "sitegen.yaml").write_text(f"title: 大客户部\n{setting}\n", encoding="utf-8")
    before = snapshot(root, project)
    p = run(project, "build", "--as-of", AS_OF, *flags)
    after = snapshot(root, project)
    changed = sorted(k for k in before.keys() | after.keys() if k.startswith("in:") and before.get(k) != after.get(k))
    return p, changed


def test_feedback_folder_inside_the_input_is_refused(small: Path) -> None:
    p = run(small, "check", "--as-of", AS_OF, "--feedback", str(small / "input" / "反馈"))
    assert p.returncode == 2 and "输入文件夹" in p.stderr, p.stderr
    p, changed = _inside(small, "feedback: input/反馈")
    assert p.returncode == 2 and "“feedback”" in p.stderr and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert changed == []


def test_output_folder_inside_the_input_is_refused(small: Path) -> None:
    p, changed = _inside(small, "output: input/site")
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert changed == []


def test_state_folder_inside_the_input_is_refused(small: Path) -> None:
    p, changed = _inside(small, "state: input/.sitegen")
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert changed == []


@pytest.mark.parametrize("flags", [("--output", "input/site"), ("--input", ".")], ids=["output", "input"])
def test_command_line_folders_inside_the_input_are_refused(small: Path, flags: tuple[str, str]) -> None:
    p, changed = _inside(small, "", *flags)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert changed == []
