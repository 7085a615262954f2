"""`sitegen bench`: generate a large department deterministically and measure the build against its floor.

    floor       = read every cell of every workbook sequentially with python-calamine
                  + write as many files and bytes as the built site holds
    cold build  = empty cache (state folder) and empty output
    warm build  = nothing changed
    one changed = one rep's follow-up workbook gained one row
    peak RSS    = the build's process tree (main + reading workers), sampled from /proc
    page weight = median and largest account page, total output, copies of plotly.js

Targets (issue 6): cold ≤ 2 × floor; warm one-changed ≤ 10 % of cold; warm unchanged ≤ 5 % of cold;
peak RSS ≤ 1 GB; median account page ≤ 100 KB, largest ≤ 300 KB; exactly one plotly.js.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = date(2026, 11, 20)
FULL = {"teams": 12, "reps_per_team": 17, "accounts": 5000, "followups_per_account": 50.0, "key_persons_per_account": 5}


def _params(scale: float) -> dict[str, Any]:
    return {
        "teams": max(2, round(FULL["teams"] * min(1.0, scale ** 0.5))),
        "reps_per_team": max(2, round(FULL["reps_per_team"] * min(1.0, scale ** 0.5))),
        "accounts": max(20, round(FULL["accounts"] * scale)),
        "followups_per_account": FULL["followups_per_account"],
        "key_persons_per_account": FULL["key_persons_per_account"],
    }


def ensure_department(workdir: Path, scale: float, echo: Callable[[str], None]) -> dict[str, Any]:
    from .demo.generate import generate_department

    params = _params(scale)
    stamp = workdir / "department.json"
    if stamp.exists():
        try:
            saved = json.loads(stamp.read_text(encoding="utf-8"))
            if saved.get("params") == params:
                return saved
        except ValueError:
            pass
    shutil.rmtree(workdir / "input", ignore_errors=True)
    (workdir / "input").mkdir(parents=True)
    echo(f"generating the department ({params['accounts']} accounts) in {workdir / 'input'} …")
    t0 = time.perf_counter()
    manifest = generate_department(workdir / "input", seed=6, as_of=AS_OF, mistakes=True, jobs=2,
                                   writers=("xlsxwriter", "openpyxl"), **params)
    info = {
        "params": params,
        "workbooks": len(manifest.files),
        "reps": len(manifest.reps),
        "accounts": manifest.accounts,
        "key_persons": manifest.key_persons,
        "competition_rows": manifest.competition_rows,
        "followups": sum(manifest.followups_per_rep.values()),
        "generate_seconds": round(time.perf_counter() - t0, 1),
    }
    (workdir / "sitegen.yaml").write_text("title: 大型部门基准\ninput: input\noutput: output\nstate: .sitegen\n",
                                          encoding="utf-8")
    stamp.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return info


def floor_read(input_dir: Path) -> tuple[float, int]:
    import python_calamine as pc

    cells = 0
    t0 = time.perf_counter()
    for p in sorted(input_dir.rglob("*.xlsx")):
        wb = pc.CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python()
            cells += sum(len(r) for r in rows)
    return time.perf_counter() - t0, cells


def floor_write(site: Path) -> float:
    sizes = [p.stat().st_size for p in site.rglob("*") if p.is_file()]
    with tempfile.TemporaryDirectory(dir=site.parent) as tmp:
        t0 = time.perf_counter()
        blob = b"x" * max(sizes, default=0)
        for i, n in enumerate(sizes):
            sub = Path(tmp) / f"d{i // 1000}"
            if i % 1000 == 0:
                sub.mkdir()
            (sub / f"f{i}.html").write_bytes(blob[:n])
        return time.perf_counter() - t0


def _tree_rss(pid: int) -> int:
    """Sum of the RSS of a process and its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            ppid = int(parts[1])
            rss[int(d)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def timed_build(workdir: Path) -> tuple[float, int, int]:
    """Run `sitegen build` in a subprocess; (seconds, peak RSS of its process tree, exit code)."""
    cmd = [sys.executable, "-m", "sitegen", "build", "--config", str(workdir / "sitegen.yaml"),
           "--as-of", AS_OF.isoformat(), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    code = proc.wait()
    secs = time.perf_counter() - t0
    done.set()
    t.join()
    return secs, peak, code


def add_followup_row(workdir: Path, backup: Path) -> Path:
    """Append one follow-up row to the first rep's follow-up sheet (as a rep would in Excel)."""
    import openpyxl

    for p in sorted((workdir / "input").rglob("*.xlsx")):
        wb = openpyxl.load_workbook(p)
        shutil.copy2(p, backup)
        for ws in wb.worksheets:
            if "跟进" in ws.title or "拜访" in ws.title:
                last = ws.max_row
                src = [c.value for c in ws[last]]
                ws.append(src)
                wb.save(p)
                return p
    raise RuntimeError("no follow-up sheet found")


def page_weight(site: Path) -> dict[str, Any]:
    pages = sorted(p.stat().st_size for p in (site / "accounts").glob("*.html")) if (site / "accounts").is_dir() else []
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    copies = 0
    for p in site.rglob("*"):
        if p.is_file() and p.suffix in (".js", ".html"):
            with p.open("rb") as fh:
                copies += fh.read().count(b"plotly.js v")
    return {
        "account_pages": len(pages),
        "median_account_page": pages[len(pages) // 2] if pages else 0,
        "largest_account_page": pages[-1] if pages else 0,
        "total_output": total,
        "plotly_copies": copies,
    }


def run_bench(workdir: Path, *, scale: float = 1.0, echo: Callable[[str], None] = print,
              json_path: Path | None = None) -> int:
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    dept = ensure_department(workdir, scale, echo)
    site = workdir / "output"
    shutil.rmtree(workdir / ".sitegen", ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)

    echo("floor: reading every cell …")
    read_s, cells = floor_read(workdir / "input")
    echo("cold build …")
    cold_s, cold_rss, code = timed_build(workdir)
    if code != 0:
        echo(f"the cold build failed (exit {code})")
        return 1
    write_s = floor_write(site)
    floor_s = read_s + write_s
    echo("warm build, nothing changed …")
    warm_s, warm_rss, _ = timed_build(workdir)
    backup = workdir / "changed-workbook.bak"
    changed = add_followup_row(workdir, backup)
    echo(f"warm build, one row added to {changed.relative_to(workdir)} …")
    one_s, one_rss, _ = timed_build(workdir)
    weight = page_weight(site)
    peak = max(cold_rss, warm_rss, one_rss)
    shutil.copy2(backup, changed)  # restore the generated department for the next run
    backup.unlink()

    rows = [
        ("floor (read cells + write bytes)", f"{floor_s:.2f} s", f"read {read_s:.2f} s ({cells:,} cells), write {write_s:.2f} s", ""),
        ("cold build", f"{cold_s:.2f} s", f"{cold_s / floor_s:.2f} × floor", _ok(cold_s <= 2 * floor_s, "≤ 2 × floor")),
        ("warm build, nothing changed", f"{warm_s:.2f} s", f"{warm_s / cold_s:.1%} of cold", _ok(warm_s <= 0.05 * cold_s, "≤ 5 %")),
        ("warm build, one workbook changed", f"{one_s:.2f} s", f"{one_s / cold_s:.1%} of cold", _ok(one_s <= 0.10 * cold_s, "≤ 10 %")),
        ("peak RSS (build process tree)", f"{peak / 2**20:.0f} MB", "", _ok(peak <= 2**30, "≤ 1 GB")),
        ("median account page", f"{weight['median_account_page'] / 1024:.1f} KB", "",
         _ok(weight["median_account_page"] <= 100 * 1024, "≤ 100 KB")),
        ("largest account page", f"{weight['largest_account_page'] / 1024:.1f} KB", "",
         _ok(weight["largest_account_page"] <= 300 * 1024, "≤ 300 KB")),
        ("total output", f"{weight['total_output'] / 2**20:.1f} MB", f"{weight['account_pages']} account pages", ""),
        ("copies of plotly.js", str(weight["plotly_copies"]), "", _ok(weight["plotly_copies"] == 1, "= 1")),
    ]
    echo("")
    echo(f"department: {dept['reps']} reps, {dept['accounts']} accounts, {dept['key_persons']} key persons, "
         f"{dept['competition_rows']} competition rows, {dept['followups']} follow-ups in {dept['workbooks']} workbooks")
    echo(f"machine: {os.cpu_count()} cores")
    echo(f"| {'measure':34} | {'value':>10} | {'ratio / detail':42} | target |")
    echo(f"|{'-' * 36}|{'-' * 12}|{'-' * 44}|--------|")
    for name, value, detail, target in rows:
        echo(f"| {name:34} | {value:>10} | {detail:42} | {target} |")
    result = {
        "department": dept, "cores": os.cpu_count(), "cells": cells,
        "floor_seconds": round(floor_s, 3), "floor_read_seconds": round(read_s, 3), "floor_write_seconds": round(write_s, 3),
        "cold_seconds": round(cold_s, 3), "warm_unchanged_seconds": round(warm_s, 3),
        "warm_one_changed_seconds": round(one_s, 3), "peak_rss_bytes": peak, **weight,
        "targets_met": {
            "cold_le_2x_floor": cold_s <= 2 * floor_s, "warm_unchanged_le_5pct": warm_s <= 0.05 * cold_s,
            "warm_one_changed_le_10pct": one_s <= 0.10 * cold_s, "peak_rss_le_1gb": peak <= 2**30,
            "median_page_le_100kb": weight["median_account_page"] <= 100 * 1024,
            "largest_page_le_300kb": weight["largest_account_page"] <= 300 * 1024,
            "one_plotly": weight["plotly_copies"] == 1,
        },
    }
    out = json_path or (workdir / "bench.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    echo(f"\nwritten to {out}")
    return 0


def _ok(cond: bool, target: str) -> str:
    return f"{target} {'✓' if cond else '✗'}"
