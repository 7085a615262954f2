"""`sitegen bench` end to end on a tiny department: the code path of the benchmark (generation, floor, cold,
warm and one-changed builds, memory sampling, page weight, table and JSON). Not a timing test: the figures
are only checked for being there and plausible."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sitegen.bench import run_bench


@pytest.mark.slow
def test_bench_runs_on_a_tiny_department(tmp_path: Path) -> None:
    lines: list[str] = []
    out = tmp_path / "bench.json"
    assert run_bench(tmp_path / "work", scale=0.001, echo=lines.append, json_path=out) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["department"]["accounts"] >= 20 and result["cells"] > 0
    for key in ("floor_seconds", "cold_seconds", "warm_unchanged_seconds", "warm_one_changed_seconds"):
        assert result[key] > 0
    assert result["warm_unchanged_seconds"] < result["cold_seconds"]
    assert 0 < result["peak_pss_bytes"] <= result["peak_rss_sum_bytes"]
    assert result["account_pages"] == result["department"]["accounts"]
    assert result["plotly_copies"] == 1 and result["targets_met"]["one_plotly"]
    table = [line for line in lines if line.startswith("| ")]
    assert len(table) == 10 and "cold build" in "".join(table)
    # the changed workbook is restored: a second run measures the same department
    work = tmp_path / "work"
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((work / "input").rglob("*.xlsx"))}
    assert run_bench(work, scale=0.001, echo=lambda _s: None, json_path=out) == 0
    assert digests == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((work / "input").rglob("*.xlsx"))}


@pytest.mark.slow
def test_bench_on_a_plain_install_without_xlsxwriter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README's first command installs sitegen without its test extras: bench generates with openpyxl alone."""
    import importlib.util
    import sys

    real = importlib.util.find_spec
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # `import xlsxwriter` raises ImportError
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xlsxwriter" else real(name, *a))
    lines: list[str] = []
    assert run_bench(tmp_path / "work", scale=0.001, echo=lines.append) == 0
    said = [line for line in lines if "xlsxwriter" in line]
    assert len(said) == 1 and "pip install xlsxwriter" in said[0], lines
