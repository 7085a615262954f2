"""No fork needed (issue 14 §1): every multi-process step runs under spawn (Windows' only start method, macOS's
default) with the very same output.

- The shipped demo department built with fork and with spawn gives byte-identical sites, cold and warm
  (pages re-used from the previous build), and the same feedback workbooks.
- The build, incremental, feedback, serve and publish tests run a second time, in a pytest of their own with
  SITEGEN_START_METHOD=spawn: this module is part of the ordinary `python -m pytest`, so CI runs both.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen import procs

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"
# the tests that run again with spawn forced (every one that starts worker processes through a build)
SPAWN_AGAIN = ["test_build_cli.py", "test_incremental.py", "test_feedback.py", "test_serve.py", "test_publish.py",
               "test_atomic_publish.py", "test_last_good.py", "test_interrupt.py", "test_faults.py",
               "test_windows.py", "test_names.py", "test_unreadable.py"]
ALREADY_SPAWN = os.environ.get(procs.ENV) == "spawn"


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def build(root: Path, method: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", procs.ENV: method}
    p = subprocess.run([sys.executable, "-m", "sitegen", "build", *args], cwd=root, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    return p.stdout


def test_the_start_method_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(procs.ENV, "spawn")
    assert procs.start_method() == "spawn" and procs.context().get_start_method() == "spawn"
    monkeypatch.setenv(procs.ENV, "no-such-method")
    assert procs.start_method() == ("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    monkeypatch.delenv(procs.ENV)
    assert procs.start_method() in mp.get_all_start_methods()


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="fork is not available to compare with")
def test_fork_and_spawn_build_the_same_site(tmp_path: Path) -> None:
    sites = {}
    for method in ("fork", "spawn"):
        root = tmp_path / method
        shutil.copytree(REPO / "input", root / "input")
        build(root, method, "--as-of", AS_OF)
        cold = tree(root / "output")
        (root / "input" / "说明.txt").write_text("x", encoding="utf-8")  # a new skipped file: pages re-used
        warm = build(root, method, "--as-of", AS_OF)
        assert re.search(r"沿用上次 [1-9]\d* 个", warm), warm
        sites[method] = (cold, tree(root / "output"), tree(root / "feedback"))
    assert len(sites["fork"][0]) > 50 and sites["fork"][2]
    assert sites["fork"] == sites["spawn"]


@pytest.mark.skipif(ALREADY_SPAWN, reason="this is the run with spawn forced")
def test_build_tests_pass_again_with_spawn_forced() -> None:
    files = [str(REPO / "tests" / name) for name in SPAWN_AGAIN if (REPO / "tests" / name).exists()]
    env = {**os.environ, procs.ENV: "spawn"}
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *files], cwd=REPO,
                       env=env, capture_output=True, text=True, timeout=1800)
    assert p.returncode == 0, p.stdout[-6000:] + p.stderr[-2000:]
