"""The wheel carries the templates and assets: build it, install it into a fresh virtual environment,
and run `sitegen init` and `sitegen build` there, away from the source tree.

The fresh environment borrows nothing: it is made without `--system-site-packages` (which would inherit the
*base* interpreter's packages, not the test environment's, and so pass on a machine whose base Python happens
to have them and fail on a clean one), and the wheel's dependencies are installed from the package registry,
exactly as a user's `pip install` would."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_wheel_installs_and_builds_a_fresh_project(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    r = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
            tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    wheels = list(dist.glob("sitegen-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for needed in ("sitegen/templates/base.html", "sitegen/templates/account.html", "sitegen/assets/site.css",
                   "sitegen/assets/site.js", "sitegen/locale/zh.yaml", "sitegen/locale/en.yaml",
                   "sitegen/scaffold/layouts_README.md"):
        assert needed in names, needed
    assert not any(n.startswith(("input/", "tests/", "output/")) for n in names)

    venv = tmp_path / "venv"
    # a venv that sees nothing but the standard library: no site-packages of this or the base interpreter
    r = run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    assert r.returncode == 0, r.stderr
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    py = scripts / "python"
    r = run([str(py), "-c", "import openpyxl"], tmp_path)
    assert r.returncode != 0, "the fresh venv must not see any installed package"
    # sitegen from the wheel, its dependencies from the registry (pip's cache makes this quick after once)
    r = run([str(py), "-m", "pip", "install", "--disable-pip-version-check", str(wheels[0])], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    where = run([str(py), "-c", "import sitegen, sys; print(sitegen.__file__)"], tmp_path).stdout.strip()
    assert where.startswith(str(venv)), where

    sitegen = scripts / "sitegen"
    r = run([str(sitegen), "--version"], tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("sitegen ")
    r = run([str(sitegen), "init", "proj"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    proj = tmp_path / "proj"
    assert (proj / "sitegen.yaml").is_file()
    assert sorted(p.suffix for p in (proj / "input").iterdir()) == [".xlsx"] * 5
    r = run([str(sitegen), "check", "--as-of", "2026-11-20"], proj)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run([str(sitegen), "build", "--as-of", "2026-11-20"], proj)
    assert r.returncode == 0, r.stdout + r.stderr
    out = proj / "output"
    assert (out / "index.html").is_file()
    assert (out / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "Traceback" not in r.stdout + r.stderr
