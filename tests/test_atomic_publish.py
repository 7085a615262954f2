"""Nothing lost (issue 7 §3): a build killed at any moment leaves the previous site whole, and two builds
started at once do not corrupt each other.

A small generated department in two versions (A and B, ~2 s per build) is built into one output folder.
Reference trees (relative path -> SHA-256 of every file, the `.sitegen-site` marker included) are recorded
from normal builds of A and of B, and a third build of A, timed, gives the build's duration and proves that
a build's output is reproducible (otherwise comparing trees would prove nothing).

Then `python -m sitegen build` is started 26 times, each time on the version that is *not* in the output,
and SIGKILLed after a seeded random delay: two kills in the first instants, one delay drawn in each of 21
equal slices of the measured duration, and three near or past its end; a last run is left to complete.
Only the build's main process is killed, as `kill -9 <pid>` would: its reading workers are orphaned,
which is the hard case for the lock. After every kill:
  * (Linux) no worker of the build outlives it by more than a few seconds (they ask the kernel to end
    them with their parent, sitegen/orphans.py);
  * `output/` is exactly the complete old tree or the complete new tree;
  * the build lock can be taken (within 3 s: a worker forked just before the kill lets go of it when it
    first runs), although the orphaned workers are still alive (they are then killed through the build's
    process group, which the test created);
  * the run was not refused by a lock left behind by an earlier one.
Over the whole run, at least one kill must have left the old site, at least one build must have published
the new one, and at least one kill must have landed while the new tree was being written (its staging
folder `output.new-<pid>` is left behind): a writer that wrote straight into `output/` would be caught.
Leftover `output.new-*` / `output.old-*` folders are allowed; the next normal build must remove them.

Runtime: about a minute on 2 idle cores (the delays scale with the measured build time).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from sitegen import procs
from sitegen.publish import BuildLock, LockedError

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 20)
KILLS_SPREAD = 21  # delays drawn one per slice of the build's duration
EARLY = (0.0, 0.03)  # seconds: killed while Python is still starting
LATE = (0.97, 1.05, 1.4)  # fractions of the duration: around the end, and past it
COMPLETE = math.inf  # one run is left to finish, whatever the machine's load
LOCKED_MESSAGE = "另一个构建正在进行"

Tree = dict[str, str]


def tree(root: Path) -> Tree:
    """Every file and folder below root: relative path -> SHA-256 (folders: 'dir', links: 'link:<target>')."""
    out: Tree = {}
    for dirpath, dirs, files in os.walk(root):
        base = Path(dirpath)
        for name in dirs + files:
            p = base / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def describe(got: Tree, want: Tree) -> str:
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(k for k in set(got) & set(want) if got[k] != want[k])
    return f"missing {len(missing)} {missing[:5]}, extra {len(extra)} {extra[:5]}, changed {len(changed)} {changed[:5]}"


@dataclass
class Project:
    root: Path
    inputs: dict[str, Path]
    trees: dict[str, Tree] = field(default_factory=dict)
    duration: float = 0.0

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def state(self) -> Path:
        return self.root / ".sitegen"

    def command(self, version: str) -> list[str]:
        return [sys.executable, "-m", "sitegen", "build", "--input", str(self.inputs[version]),
                "--output", str(self.output), "--as-of", AS_OF.isoformat(), "--quiet"]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}

    def forget_reads(self) -> None:
        """Empty the read cache, so that the next build reads every workbook in its process pool."""
        shutil.rmtree(self.state / "cache", ignore_errors=True)

    def build(self, version: str) -> float:
        self.forget_reads()
        t = time.monotonic()
        p = subprocess.run(self.command(version), cwd=self.root, env=self.env(), capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        return time.monotonic() - t

    def current(self) -> str:
        """Which complete site the output holds ('A' or 'B'); fails when it is neither."""
        got = tree(self.output)
        for name, want in self.trees.items():
            if got == want:
                return name
        pytest.fail("output is neither site: " + "; ".join(f"{n}: {describe(got, t)}" for n, t in self.trees.items()))

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir()
                      if p.name.startswith(("output.new-", "output.old-")))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    from sitegen.demo.generate import generate_department

    root = tmp_path_factory.mktemp("atomic")
    inputs = {"A": root / "input-a", "B": root / "input-b"}
    for seed, folder in enumerate(inputs.values(), 1):
        generate_department(folder, teams=2, reps_per_team=2, accounts=16, followups_per_account=8,
                            key_persons_per_account=3, seed=seed, as_of=AS_OF, mistakes=False)
    (root / "sitegen.yaml").write_text("title: 原子发布测试\n", encoding="utf-8")
    proj = Project(root, inputs)
    proj.build("A")
    proj.trees["A"] = tree(proj.output)
    proj.build("B")
    proj.trees["B"] = tree(proj.output)
    proj.duration = proj.build("A")
    assert tree(proj.output) == proj.trees["A"], "a build's output is not reproducible: " + describe(
        tree(proj.output), proj.trees["A"])
    assert proj.trees["A"] != proj.trees["B"] and len(proj.trees["A"]) > 30
    assert proj.leftovers() == []
    return proj


def lock_free_soon(state: Path, seconds: float = 3.0) -> bool:
    """The build lock can be taken within a few seconds (a worker forked just before the kill may not have
    run yet: it lets go of the lock as soon as it is scheduled)."""
    end = time.monotonic() + seconds
    while True:
        try:
            with BuildLock(state):
                return True
        except LockedError:
            if time.monotonic() > end:
                return False
            time.sleep(0.05)


def group_gone_soon(pgid: int, within: float = 5.0) -> list[int]:
    """The live (not zombie) processes left in the build's process group after `within` seconds."""
    end = time.monotonic() + within
    while True:
        alive = []
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(d.name))
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.05)


def kill_group(pgid: int) -> None:
    """Kill what is left of a build the test started in its own session (its orphaned workers)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


_SPAWN_BOOTSTRAP = re.compile(
    r"Traceback \(most recent call last\):\n"
    r"(?:  File \"<string>\", line 1, in <module>\n)?"
    r"(?:  File \"[^\"]*multiprocessing[/\\\\]spawn\.py\", line \d+, in \w+\n(?:    .*\n)*)+"
    r"(?:_pickle\.UnpicklingError|EOFError|pickle\.UnpicklingError)[^\n]*\n?")


def spawn_bootstrap_removed(stderr: str) -> str:
    """Under spawn, a worker whose parent is killed with SIGKILL while Python's own multiprocessing start-up
    is still reading the parent's preparation data prints that module's traceback before any sitegen code
    runs (nothing of ours can catch it; SIGINT and SIGTERM, which a user sends, end cleanly: test_interrupt).
    Only that exact traceback is taken out; any other still fails the test."""
    if procs.start_method() != "spawn":
        return stderr
    return _SPAWN_BOOTSTRAP.sub("", stderr)


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site(project: Project) -> None:
    rng = random.Random(20261120)
    d = project.duration
    delays = list(EARLY) + [d * (i + rng.random()) / KILLS_SPREAD for i in range(KILLS_SPREAD)] + [d * f for f in LATE]
    rng.shuffle(delays)
    delays.append(COMPLETE)
    assert len(delays) > 20 + 1 and min(delays) < 0.05 and max(x for x in delays if x != COMPLETE) > d
    outcomes: list[tuple[float, str, str, bool]] = []  # delay, old, result, staging left behind
    for delay in delays:
        old = project.current()
        new = "B" if old == "A" else "A"
        err = project.root / "stderr.txt"
        project.forget_reads()
        with err.open("wb") as fh:
            proc = subprocess.Popen(project.command(new), cwd=project.root, env=project.env(),
                                    stdout=subprocess.DEVNULL, stderr=fh, start_new_session=True)
            try:
                if delay == COMPLETE:
                    proc.wait(timeout=120)
                else:
                    time.sleep(delay)
                    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as `kill -9 <pid>`
                    proc.wait(timeout=60)
                got = tree(project.output)
                assert got in (project.trees[old], project.trees[new]), (
                    f"killed after {delay:.2f}s: output is neither the old site ({describe(got, project.trees[old])}) "
                    f"nor the new one ({describe(got, project.trees[new])})")
                assert lock_free_soon(project.state), f"killed after {delay:.2f}s: its orphaned workers keep the lock"
                if sys.platform.startswith("linux"):  # workers end with their build (sitegen/orphans.py)
                    left = group_gone_soon(proc.pid)
                    assert not left, f"killed after {delay:.2f}s: worker processes {left} outlived the build"
            finally:
                kill_group(proc.pid)
                proc.wait(timeout=60)
        stderr = spawn_bootstrap_removed(err.read_text(encoding="utf-8", errors="replace"))
        assert LOCKED_MESSAGE not in stderr and "Traceback" not in stderr, stderr
        result = "new" if got == project.trees[new] else "old"
        outcomes.append((delay, old, result, (project.root / f"output.new-{proc.pid}").exists()))

    results = [o[2] for o in outcomes]
    assert "old" in results and "new" in results, outcomes
    assert any(o[3] for o in outcomes), f"no kill landed while a site was being written: {outcomes}"

    # the next normal build removes whatever the killed ones left and succeeds
    target = "B" if project.current() == "A" else "A"
    project.build(target)
    assert project.current() == target
    assert project.leftovers() == []


def test_two_builds_started_at_once(project: Project) -> None:
    target = "B" if project.current() == "A" else "A"
    procs = [subprocess.Popen(project.command(target), cwd=project.root, env=project.env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], (codes, outs)
    loser = next(o for p, o in zip(procs, outs, strict=True) if p.returncode == 2)
    assert LOCKED_MESSAGE in loser[1] and "Traceback" not in loser[1] + loser[0], loser
    assert project.current() == target
    assert project.leftovers() == []


def test_the_lock_is_not_kept_by_a_forked_child_of_a_killed_build(tmp_path: Path) -> None:
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from sitegen.publish import BuildLock\n"
        "with BuildLock(Path(sys.argv[1])):\n"
        "    if os.fork() == 0:\n"
        "        print(os.getpid(), flush=True)  # the child runs: its after-fork handlers have run\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
    try:
        assert holder.stdout is not None
        child = int(holder.stdout.readline())
        with pytest.raises(LockedError):  # held while the build runs
            with BuildLock(tmp_path):
                pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        os.kill(child, 0)  # the child is still alive ...
        with BuildLock(tmp_path):  # ... and does not hold the lock
            pass
    finally:
        kill_group(holder.pid)
        holder.wait(timeout=30)
