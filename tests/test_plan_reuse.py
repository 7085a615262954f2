"""Plan pages (issue 18) are re-used like account pages: a warm build links the unchanged ones and writes
exactly what a cold build writes."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from test_incremental import assert_same_as_cold, department, inodes, project, run, workbook_with

__all__ = ["department", "project"]  # the fixtures of test_incremental


def test_an_unchanged_plan_is_reused_and_a_changed_one_rendered(project: Path, tmp_path: Path) -> None:
    before = inodes(project / "output")
    plans = [rel for rel in before if rel.startswith("plans/")]
    assert plans
    book = workbook_with(project, "跟进")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "跟进" in ws.title)
    record = next(row for row in ws.iter_rows(values_only=True)
                  if any(isinstance(v, str) and v.startswith("KA-") for v in row))
    ws.append(list(record))  # one account's follow-ups change: its plans may change, the others' do not
    wb.save(book)
    run(project)
    after = inodes(project / "output")
    reused = [rel for rel in plans if before.get(rel) == after.get(rel)]
    assert reused and len(reused) < len(plans)
    assert_same_as_cold(project, tmp_path)
