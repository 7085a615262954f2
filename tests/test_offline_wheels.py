"""The offline install for an intranet PC (issue 14 §2): every dependency has a wheel for Windows (win_amd64)
and Linux (manylinux x86_64), CPython 3.10 to 3.13.

No network at test time: docs/offline-wheels.json records, per target, the wheel files pip picked when it
resolved pyproject.toml's dependencies for that target (scripts/record_wheels.py, which needs PyPI). This
test checks that the record answers for the dependencies pyproject.toml has *now* (a dependency added or
changed without recording again fails here), that each of them (and everything they pull in) is a wheel,
and that each wheel's tags fit its target. With SITEGEN_NETWORK_TESTS=1 the resolution is done again
against PyPI and must give wheels for the same packages.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "docs" / "offline-wheels.json"
PYTHONS = ("310", "311", "312", "313")
PLATFORMS = ("win_amd64", "manylinux_x86_64")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_dependencies() -> list[str]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    return list(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"])


def wheel_tags(filename: str) -> tuple[str, set[str], set[str], set[str]]:
    """(project, interpreters, abis, platforms) of a wheel file name."""
    assert filename.endswith(".whl"), f"{filename}: not a wheel (an sdist would need a compiler on the PC)"
    parts = filename[:-4].split("-")
    assert len(parts) in (5, 6), filename
    name, py, abi, plat = parts[0], parts[-3], parts[-2], parts[-1]
    return norm(name), set(py.split(".")), set(abi.split(".")), set(plat.split("."))


def fits(filename: str, python: str, platform: str) -> bool:
    _name, pys, abis, plats = wheel_tags(filename)
    cp = f"cp{python}"
    if platform == "win_amd64":
        plat_ok = bool(plats & {"any", "win_amd64"})
    else:
        plat_ok = "any" in plats or any(re.fullmatch(r"manylinux(1|2010|2014|_\d+_\d+)_x86_64", p) for p in plats)
    if not plat_ok:
        return False
    if "none" in abis and (pys & {"py3", "py2", f"py{python[0]}", f"py{python}"} or cp in pys):
        return True
    if cp in pys and cp in abis:
        return True
    # the stable ABI: built for cp3X, good for every later CPython 3
    return "abi3" in abis and any(p.startswith("cp3") and int(p[3:]) <= int(python[1:]) for p in pys if p[3:].isdigit())


def test_the_record_covers_the_dependencies_of_pyproject() -> None:
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    deps = pyproject_dependencies()
    assert record["dependencies"] == deps, "pyproject.toml's dependencies changed: run scripts/record_wheels.py"
    wanted = {norm(re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0]) for d in deps}
    assert sorted(record["targets"]) == sorted(f"{p}-cp{v}" for p in PLATFORMS for v in PYTHONS)
    for target, wheels in record["targets"].items():
        platform, python = target.rsplit("-cp", 1)
        names = {wheel_tags(w)[0] for w in wheels}
        assert wanted <= names, f"{target}: no wheel for {sorted(wanted - names)}"
        assert len(names) == len(wheels), f"{target}: one wheel per package"
        for w in wheels:
            assert fits(w, python, platform), f"{target}: {w} does not install there"


def test_the_tag_check_can_fail() -> None:
    assert fits("nh3-0.3.8-cp39-abi3-win_amd64.whl", "313", "win_amd64")
    assert not fits("nh3-0.3.8-cp39-abi3-win_amd64.whl", "312", "manylinux_x86_64")
    assert not fits("pyyaml-6.0.4-cp310-cp310-win_amd64.whl", "311", "win_amd64")
    assert fits("pyyaml-6.0.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "311", "manylinux_x86_64")
    assert not fits("foo-1.0-cp311-cp311-macosx_11_0_arm64.whl", "311", "manylinux_x86_64")
    with pytest.raises(AssertionError):
        wheel_tags("foo-1.0.tar.gz")


@pytest.mark.skipif(os.environ.get("SITEGEN_NETWORK_TESTS") != "1", reason="needs PyPI: SITEGEN_NETWORK_TESTS=1")
def test_pypi_still_has_wheels_for_every_target() -> None:  # pragma: no cover - network
    sys.path.insert(0, str(REPO / "scripts"))
    import record_wheels

    record = json.loads(RECORD.read_text(encoding="utf-8"))
    for platform, tags in record_wheels.PLATFORMS.items():
        for python in record_wheels.PYTHONS:
            got = record_wheels.resolve(record_wheels.dependencies(), python, tags)
            key = f"{platform}-cp{python.replace('.', '')}"
            assert {wheel_tags(w)[0] for w in got} >= {wheel_tags(w)[0] for w in record["targets"][key]}
