"""Record which wheels an offline install needs, for Windows and Linux PCs, CPython 3.10-3.13.

    python scripts/record_wheels.py            # needs PyPI; writes docs/offline-wheels.json

For each target (win_amd64 and manylinux x86_64, CPython 3.10 to 3.13) pip resolves the dependencies of
pyproject.toml as it would for `pip download --only-binary=:all: --platform ... --python-version ...`, reading
only the packages' metadata (nothing is installed or kept), and the wheel files it picked are written down,
together with the dependencies they were resolved for. tests/test_offline_wheels.py checks the record without
a network: every dependency of pyproject.toml has a wheel for every target, and the record is not older than
pyproject.toml's list of dependencies. Run this again whenever that list changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "offline-wheels.json"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PLATFORMS = {"win_amd64": ["win_amd64"],
             "manylinux_x86_64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]}


def dependencies() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["project"]["dependencies"])


def resolve(deps: list[str], python: str, platforms: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        reqs = Path(tmp) / "requirements.txt"
        reqs.write_text("\n".join(deps) + "\n", encoding="utf-8")
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
               "--report", str(report), "--only-binary=:all:", "--python-version", python,
               "--implementation", "cp", "--target", str(Path(tmp) / "t"), "-r", str(reqs)]
        for p in platforms:
            cmd += ["--platform", p]
        subprocess.run(cmd, check=True)
        data = json.loads(report.read_text(encoding="utf-8"))
    return sorted(item["download_info"]["url"].rsplit("/", 1)[-1] for item in data["install"])


def main() -> None:
    deps = dependencies()
    targets = {}
    for platform, tags in PLATFORMS.items():
        for python in PYTHONS:
            key = f"{platform}-cp{python.replace('.', '')}"
            targets[key] = resolve(deps, python, tags)
            print(key, len(targets[key]), "wheels")
    RECORD.write_text(json.dumps({"dependencies": deps, "targets": targets}, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")


if __name__ == "__main__":
    main()
