"""`sitegen bench`: generate a large department deterministically and measure the build against its floor.

    floor       = read every cell of every workbook sequentially with python-calamine
                  + write as many files and bytes as the built site holds
    cold build  = empty cache (state folder) and empty output
    warm build  = nothing changed
    one changed = one rep's follow-up workbook gained one row
    peak memory = PSS of the build's process tree (main + reading and rendering workers), sampled from
                  /proc every 50 ms: forked workers share the build's data, and PSS counts a shared page once
                  (the RSS of the main process and the RSS summed over the tree are reported beside it)
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
from dataclasses import dataclass
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


def available_writers() -> tuple[str, ...]:
    """The workbook writers the generator can use here: xlsxwriter (fast, a test dependency) when it is
    installed, and openpyxl (a dependency of sitegen) always."""
    import importlib.util

    return ("xlsxwriter", "openpyxl") if importlib.util.find_spec("xlsxwriter") else ("openpyxl",)


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
    writers = available_writers()
    if "xlsxwriter" not in writers:
        echo("未安装 xlsxwriter：全部用 openpyxl 生成工作簿（较慢；pip install xlsxwriter 可加快，结果不受影响）")
    echo(f"generating the department ({params['accounts']} accounts) in {workdir / 'input'} …")
    t0 = time.perf_counter()
    manifest = generate_department(workdir / "input", seed=6, as_of=AS_OF, mistakes=True, jobs=2,
                                   writers=writers, **params)
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


def _tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes. PSS counts a page shared by n processes as 1/n of a page, so the
    PSS of a process tree is the memory it really holds (forked workers share the build's data)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """(PSS of the tree, RSS summed over the tree, RSS of the main process), in bytes."""
    pss = rss = main = 0
    for p in _tree(pid):
        r, q = _memory(p)
        rss += r
        pss += q
        if p == pid:
            main = r
    return pss, rss, main


@dataclass
class Run:
    seconds: float
    code: int
    pss: int = 0  # peak PSS of the process tree
    rss_sum: int = 0  # peak of the RSS summed over the tree (shared pages counted once per process)
    rss_main: int = 0  # peak RSS of the main process


def timed_build(workdir: Path) -> Run:
    """Run `sitegen build` in a subprocess: seconds, peak memory of its process tree, exit code."""
    cmd = [sys.executable, "-m", "sitegen", "build", "--config", str(workdir / "sitegen.yaml"),
           "--as-of", AS_OF.isoformat(), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir)
    run = Run(0.0, 0)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pss, rss, main = _tree_memory(proc.pid)
            run.pss, run.rss_sum, run.rss_main = max(run.pss, pss), max(run.rss_sum, rss), max(run.rss_main, main)
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    run.code = proc.wait()
    run.seconds = time.perf_counter() - t0
    done.set()
    t.join()
    return run


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
    shutil.rmtree(workdir / ".sitegen", ignore_errors=True)  # cold: no cache, no build record, no history,
    shutil.rmtree(site, ignore_errors=True)  # no site
    shutil.rmtree(workdir / "feedback", ignore_errors=True)  # and no feedback workbooks

    load_before = os.getloadavg()
    echo("floor: reading every cell …")
    read_s, cells = floor_read(workdir / "input")
    echo("cold build …")
    cold = timed_build(workdir)
    if cold.code != 0:
        echo(f"the cold build failed (exit {cold.code})")
        return 1
    write_s = floor_write(site)
    floor_s = read_s + write_s
    echo("warm build, nothing changed …")
    warm = timed_build(workdir)
    backup = workdir / "changed-workbook.bak"
    changed = add_followup_row(workdir, backup)
    echo(f"warm build, one row added to {changed.relative_to(workdir)} …")
    one = timed_build(workdir)
    weight = page_weight(site)
    shutil.copy2(backup, changed)  # restore the generated department for the next run
    backup.unlink()
    load_after = os.getloadavg()
    cold_s, warm_s, one_s = cold.seconds, warm.seconds, one.seconds
    runs = (cold, warm, one)
    peak = max(r.pss for r in runs)
    rss_sum = max(r.rss_sum for r in runs)
    rss_main = max(r.rss_main for r in runs)

    rows = [
        ("floor (read cells + write bytes)", f"{floor_s:.2f} s", f"read {read_s:.2f} s ({cells:,} cells), write {write_s:.2f} s", ""),
        ("cold build", f"{cold_s:.2f} s", f"{cold_s / floor_s:.2f} × floor", _ok(cold_s <= 2 * floor_s, "≤ 2 × floor")),
        ("warm build, nothing changed", f"{warm_s:.2f} s", f"{warm_s / cold_s:.1%} of cold", _ok(warm_s <= 0.05 * cold_s, "≤ 5 %")),
        ("warm build, one workbook changed", f"{one_s:.2f} s", f"{one_s / cold_s:.1%} of cold", _ok(one_s <= 0.10 * cold_s, "≤ 10 %")),
        ("peak memory (PSS, build process tree)", f"{peak / 2**20:.0f} MB",
         f"main process RSS {rss_main / 2**20:.0f} MB; RSS summed {rss_sum / 2**20:.0f} MB", _ok(peak <= 2**30, "≤ 1 GB")),
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
    echo(f"machine: {os.cpu_count()} cores; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    echo(f"| {'measure':34} | {'value':>10} | {'ratio / detail':42} | target |")
    echo(f"|{'-' * 36}|{'-' * 12}|{'-' * 44}|--------|")
    for name, value, detail, target in rows:
        echo(f"| {name:34} | {value:>10} | {detail:42} | {target} |")
    result = {
        "department": dept, "cores": os.cpu_count(), "cells": cells,
        "floor_seconds": round(floor_s, 3), "floor_read_seconds": round(read_s, 3), "floor_write_seconds": round(write_s, 3),
        "cold_seconds": round(cold_s, 3), "warm_unchanged_seconds": round(warm_s, 3),
        "warm_one_changed_seconds": round(one_s, 3), "peak_pss_bytes": peak, "peak_rss_sum_bytes": rss_sum,
        "peak_rss_main_bytes": rss_main, "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        **weight,
        "targets_met": {
            "cold_le_2x_floor": cold_s <= 2 * floor_s, "warm_unchanged_le_5pct": warm_s <= 0.05 * cold_s,
            "warm_one_changed_le_10pct": one_s <= 0.10 * cold_s, "peak_pss_le_1gb": peak <= 2**30,
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
