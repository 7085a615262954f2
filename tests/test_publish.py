"""Atomic swap of a built site, recovery after an interrupted swap, the build lock, and history files."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sitegen.config import Config
from sitegen.history import load_history, save_snapshot, week_key, with_current
from sitegen.publish import BuildLock, LockedError, copy_site, recover, staging_dir, swap_in


def make_tree(root: Path, marker: str, n: int = 5) -> None:
    root.mkdir(parents=True)
    for i in range(n):
        (root / f"p{i}.html").write_text(f"{marker}-{i}", encoding="utf-8")


def read_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


def test_swap_replaces_the_old_site_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "output"
    make_tree(target, "old")
    staged = staging_dir(target)
    make_tree(staged, "new", 3)
    swap_in(staged, target)
    assert read_tree(target) == {f"p{i}.html": f"new-{i}" for i in range(3)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_swap_into_missing_target(tmp_path: Path) -> None:
    target = tmp_path / "output"
    staged = staging_dir(target)
    make_tree(staged, "new", 2)
    swap_in(staged, target)
    assert read_tree(target)["p1.html"] == "new-1"


def test_recover_restores_an_interrupted_two_rename_swap(tmp_path: Path) -> None:
    target = tmp_path / "output"
    old = tmp_path / "output.old-123"
    make_tree(old, "old")
    make_tree(tmp_path / "output.new-999", "half")
    recover(target)
    assert read_tree(target)["p0.html"] == "old-0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_copy_site_publishes_a_complete_copy(tmp_path: Path) -> None:
    site = tmp_path / "output"
    make_tree(site, "v2")
    share = tmp_path / "share" / "kam"
    make_tree(share, "v1")
    copy_site(site, share)
    assert read_tree(share) == read_tree(site)
    with pytest.raises(ValueError):
        copy_site(site, site / "inside")


def test_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sitegen.publish import BuildLock\n"
        "with BuildLock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError) as info:
            with BuildLock(tmp_path):
                pass
        assert str(info.value) == str(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    with BuildLock(tmp_path):  # released when the holder died
        pass


def test_history_replaces_the_week_and_skips_damaged_files(tmp_path: Path) -> None:
    cfg = Config(root=tmp_path)
    snap = {"format": 1, "week": week_key(date(2026, 11, 20)), "as_of": "2026-11-20", "accounts": [],
            "persons": [], "competition": [], "activity": {}, "summary": {}}
    assert snap["week"] == "2026-W47"
    p = save_snapshot(cfg, snap)
    save_snapshot(cfg, {**snap, "as_of": "2026-11-21"})
    assert [s["as_of"] for s in load_history(cfg).weeks] == ["2026-11-21"]
    with gzip.open(p, "rb") as fh:
        assert fh.read(1) == b"{"
    (p.parent / "2026-W40.json.gz").write_bytes(b"not gzip")
    (p.parent / "2026-W41.json.gz").write_bytes(gzip.compress(b'{"format": 99, "week": "2026-W41"}'))
    h = load_history(cfg)
    assert [s["week"] for s in h.weeks] == ["2026-W47"]
    assert len(h.notes) == 2 and "2026-W40" in h.notes[0] and "2026-W41" in h.notes[1]
    h2 = with_current(h, {**snap, "week": "2026-W48", "as_of": "2026-11-27"})
    assert [s["week"] for s in h2.weeks] == ["2026-W47", "2026-W48"]
    assert h2.before("2026-W48")["week"] == "2026-W47"
