"""Faults end cleanly (issue 14 §5): Ctrl-C and SIGTERM at any moment of a build print one line, no traceback
from any process, end the workers, remove the staging folder, release the lock, and exit 130 / 143 with last
week's site unchanged.

A small generated department is built once (its duration measured), then a build of a changed input is
started and interrupted after a quarter, a half and three quarters of that duration: Ctrl-C as the terminal
sends it (to the build's whole process group: main process and workers), SIGTERM as `kill` sends it (to the
main process only). Runs under fork, and again under spawn (tests/test_spawn.py).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from sitegen.publish import BuildLock, LockedError

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 20)
LINE = "已中断，上次的网站保持不变"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def group_alive(pgid: int) -> list[int]:
    alive = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(d.name))
    return alive


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from sitegen.demo.generate import generate_department

    root = tmp_path_factory.mktemp("interrupt")
    for seed, name in enumerate(("input-a", "input-b"), 1):
        generate_department(root / name, teams=2, reps_per_team=3, accounts=40, followups_per_account=10,
                            key_persons_per_account=3, seed=seed, as_of=AS_OF, mistakes=True)
    (root / "sitegen.yaml").write_text("title: 中断测试\n", encoding="utf-8")
    t = time.monotonic()
    done = subprocess.run(command(root, "input-a"), cwd=root, env=env(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return {"root": root, "duration": time.monotonic() - t, "tree": tree(root / "output")}


def command(root: Path, folder: str) -> list[str]:
    return [sys.executable, "-m", "sitegen", "build", "--input", str(root / folder), "--output",
            str(root / "output"), "--as-of", AS_OF.isoformat(), "--quiet"]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_build_ends_cleanly_and_keeps_the_old_site(project: dict[str, object], signum: int) -> None:
    root = project["root"]
    assert isinstance(root, Path)
    duration = float(project["duration"])  # type: ignore[arg-type]
    interrupted = 0
    for fraction in (0.25, 0.5, 0.75):
        # forget what was read, so that every run reads (in its worker processes) and renders again
        subprocess.run(["rm", "-rf", str(root / ".sitegen")], check=True)
        proc = subprocess.Popen(command(root, "input-b"), cwd=root, env=env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            time.sleep(duration * fraction)
            if signum == signal.SIGINT:
                os.killpg(proc.pid, signal.SIGINT)  # the terminal's Ctrl-C reaches every process of the build
            else:
                os.kill(proc.pid, signal.SIGTERM)  # `kill <pid>`: the main process only
            out, err = proc.communicate(timeout=60)
            if proc.returncode == 0:  # finished before the signal came: nothing to check but the site
                assert tree(root / "output") != project["tree"]
                subprocess.run(command(root, "input-a"), cwd=root, env=env(), check=True, capture_output=True)
                continue
            interrupted += 1
            assert proc.returncode == 128 + signum, (fraction, proc.returncode, err)
            assert err.strip() == LINE and out == "", (fraction, err)  # one line, no traceback from any process
            assert tree(root / "output") == project["tree"], f"after {fraction}: the old site changed"
            assert [p.name for p in root.iterdir() if p.name.startswith("output.")] == [], "staging left behind"
            with BuildLock(root / ".sitegen"):  # the lock is free at once
                pass
            end = time.monotonic() + 5
            while group_alive(proc.pid) and time.monotonic() < end:
                time.sleep(0.05)
            assert group_alive(proc.pid) == [], "worker processes outlived the build"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
    assert interrupted >= 2, "the build was too quick to be interrupted"


def test_lock_is_free_after_an_interrupt_even_with_a_build_waiting(tmp_path: Path) -> None:
    # the lock's holder is the build process alone: its spawned or forked workers never hold it
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sitegen import procs\n"
        "from sitegen.publish import BuildLock\n"
        "if __name__ == '__main__':\n"
        "    with BuildLock(Path(sys.argv[1])):\n"
        "        p = procs.context().Process(target=time.sleep, args=(60,), daemon=False)\n"
        "        p.start()\n"
        "        print(p.pid, flush=True)\n"
        "        time.sleep(60)\n"
    )
    script = tmp_path / "holder.py"
    script.write_text(code, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script), str(tmp_path / "state")], stdout=subprocess.PIPE,
                              text=True, env=env(), start_new_session=True)
    try:
        assert holder.stdout is not None
        child = int(holder.stdout.readline())
        with pytest.raises(LockedError):
            with BuildLock(tmp_path / "state"):
                pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        os.kill(child, 0)  # the worker is still alive ...
        with BuildLock(tmp_path / "state"):  # ... and does not hold the lock
            pass
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
