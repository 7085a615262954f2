"""`python -m sitegen.demo [OUTDIR]`: regenerate the demo department (default: the repository's input/)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from .generate import DEFAULT_AS_OF, DEFAULT_SEED, generate_department, remove_workbooks
from .lastweek import write_last_week
from .report import mistakes_markdown

_REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sitegen.demo", description=__doc__)
    p.add_argument("outdir", nargs="?", type=Path, help="where to write (default: the repository's input/, "
                   "whose old .xlsx files are deleted first, and docs/demo-mistakes.md is rewritten)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)
    p.add_argument("--teams", type=int, default=3)
    p.add_argument("--reps-per-team", type=int, default=3)
    p.add_argument("--accounts", type=int, default=90)
    p.add_argument("--followups-per-account", type=float, default=24)
    p.add_argument("--key-persons-per-account", type=int, default=5)
    p.add_argument("--writer", action="append", choices=("openpyxl", "xlsxwriter"),
                   help="restrict to this writer (repeatable; default: both)")
    p.add_argument("--jobs", type=int, default=1, help="write workbooks in this many processes")
    p.add_argument("--no-mistakes", action="store_true", help="a clean department")
    p.add_argument("--clean", action="store_true", help="delete the .xlsx files already under OUTDIR first")
    p.add_argument("--manifest", type=Path, help="also write the manifest as JSON to this file")
    p.add_argument("--doc", type=Path, help="also write the mistakes page (Markdown) to this file")
    p.add_argument("--history", type=Path, help="also write the previous week's snapshot into this folder (named "
                   "history; default with no OUTDIR: examples/demo/history, sitegen.yaml's history_baseline)")
    args = p.parse_args(argv)

    default = args.outdir is None
    outdir = _REPO / "input" if default else args.outdir
    if default or args.clean:
        remove_workbooks(outdir)
    m = generate_department(
        outdir, teams=args.teams, reps_per_team=args.reps_per_team, accounts=args.accounts,
        followups_per_account=args.followups_per_account, key_persons_per_account=args.key_persons_per_account,
        seed=args.seed, as_of=args.as_of, mistakes=not args.no_mistakes,
        writers=tuple(args.writer or ("openpyxl", "xlsxwriter")), jobs=args.jobs,
    )
    doc = args.doc or (_REPO / "docs" / "demo-mistakes.md" if default else None)
    if doc is not None:
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(mistakes_markdown(m), encoding="utf-8")
    history = args.history or (_REPO / "examples" / "demo" / "history" if default else None)
    if history is not None:
        write_last_week(outdir, history, args.as_of, args.seed)
    if args.manifest is not None:
        args.manifest.write_text(json.dumps(m.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{outdir}: {len(m.files)} workbooks, {len(m.reps)} reps, {m.accounts} accounts, {m.projects} projects, "
          f"{m.key_persons} key persons, {m.competition_rows} competition rows, {m.followups} follow-ups, "
          f"{len(m.mistakes)} listed mistakes")
    for x in m.mistakes:
        print(f"  {x.code:<18} {x.file} / {x.sheet} / {x.cell}  {x.value!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
