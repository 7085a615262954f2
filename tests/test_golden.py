"""Golden files: the fixture department (tests/sitefixture.py) built with a fixed as-of date is compared, file by
file, with the expected output stored in tests/golden/expected/.

After a deliberate change to the pages, the data files or the fixture, refresh the expected output with

    SITEGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the difference with `git diff tests/golden` before committing it.

Compared: every page, data/*.json, assets/search-index.js, and the Excel export as a text dump of its cells
(its zip bytes depend on the zlib version). Not compared: site.css, site.js (package files, copied as they are)
and plotly.min.js (checked to be the installed plotly's file, byte for byte).
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sitefixture import build_site

from sitegen.render import plotly_js

GOLDEN = Path(__file__).parent / "golden" / "expected"
UPDATE = os.environ.get("SITEGEN_UPDATE_GOLDEN") == "1"
NOT_COMPARED = {"assets/site.css", "assets/site.js", "assets/accounts.js", "assets/plotly.min.js", "data/export.xlsx", ".sitegen-site"}


def xlsx_dump(path: Path) -> str:
    wb = load_workbook(path)
    lines = []
    for ws in wb.worksheets:
        lines.append(f"## {ws.title}")
        for row in ws.iter_rows():
            cells = []
            for c in row:
                v = "" if c.value is None else (c.value.isoformat() if hasattr(c.value, "isoformat") else str(c.value))
                cells.append(("'" if c.quotePrefix else "") + v.replace("\t", " ").replace("\n", "\\n"))
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines) + "\n"


def actual_files(site: Path) -> dict[str, str]:
    out = {}
    for f in sorted(site.rglob("*")):
        rel = f.relative_to(site).as_posix()
        if f.is_file() and rel not in NOT_COMPARED:
            out[rel] = f.read_text(encoding="utf-8")
    out["data/export.xlsx.txt"] = xlsx_dump(site / "data" / "export.xlsx")
    return out


def test_golden_site(tmp_path: Path) -> None:
    site = build_site(tmp_path)
    assert (site / "assets" / "plotly.min.js").read_bytes() == plotly_js()
    actual = actual_files(site)
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in actual.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        pytest.skip(f"golden files refreshed in {GOLDEN}; review them with git diff")
    assert GOLDEN.is_dir(), "no golden files: run SITEGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
    expected = {f.relative_to(GOLDEN).as_posix(): f.read_text(encoding="utf-8")
                for f in sorted(GOLDEN.rglob("*")) if f.is_file()}
    assert sorted(actual) == sorted(expected), "the set of output files changed"
    for rel in sorted(expected):
        if actual[rel] != expected[rel]:
            diff = "".join(list(difflib.unified_diff(expected[rel].splitlines(True), actual[rel].splitlines(True),
                                                     f"expected/{rel}", f"actual/{rel}"))[:80])
            pytest.fail(f"{rel} differs from the golden file (refresh with SITEGEN_UPDATE_GOLDEN=1 if intended):\n{diff}")
