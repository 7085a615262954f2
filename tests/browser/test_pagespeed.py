"""scripts/pagespeed.py's code path on the demo site (both profiles, CPU throttling through CDP, long tasks
observed): figures are checked for being there, never against a time limit (the machine's load decides them)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from pagespeed import KINDS, accounts_interactions, page_kinds, run_pages, table  # noqa: E402


def test_pagespeed_measures_every_page_kind_in_both_profiles(browser: Any, built: Path) -> None:
    kinds = page_kinds(built)
    assert set(kinds) == set(KINDS) and all((built / rel).is_file() for rel in kinds.values())
    lines: list[str] = []
    results = run_pages(built, ("accounts", "rep"), echo=lines.append, after_load_ms=500, browser=browser)
    assert {(r["profile"], r["kind"]) for r in results} == {(p, k) for p in ("desktop", "phone")
                                                           for k in ("accounts", "rep")}
    for r in results:
        assert r["observed"] and r["load"] > 0 and r["tbt"] >= 0 and r["size"] > 0
    assert len(lines) == 4
    rows = table(results)
    assert len(rows) == 4 and rows[2].startswith("| accounts |")
    answers = accounts_interactions(built, "desktop", browser)
    assert set(answers) == {"sort by name", "sort by open value", "filter by rep", "filter by status", "clear filters"}
    assert all(v >= 0 for v in answers.values())
