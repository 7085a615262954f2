"""The check report: issues grouped by rep, then file, with per-sheet row counts. Text or JSON."""

from __future__ import annotations

import json
from collections import defaultdict

from .issues import Report, Severity
from .model import Dataset

_SEV_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
_SEV_EN = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def report_json(report: Report, dataset: Dataset) -> str:
    data = {
        "summary": {
            "errors": report.errors,
            "warnings": report.warnings,
            "info": report.count(Severity.INFO),
            "accounts": len(dataset.accounts),
            "projects": sum(len(a.projects) for a in dataset.accounts),
            "key_persons": len(dataset.key_persons),
            "competition_rows": len(dataset.competition),
            "followups": len(dataset.followups),
            "rows": _totals(report),
        },
        "sheets": [s.to_dict() for s in report.sheets],
        "issues": [i.to_dict() for i in report.issues],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _totals(report: Report) -> dict[str, int]:
    return {
        "read": sum(s.read for s in report.sheets),
        "accepted": sum(s.accepted for s in report.sheets),
        "rejected": sum(s.rejected for s in report.sheets),
        "skipped": sum(s.skipped for s in report.sheets),
    }


def report_text(report: Report, dataset: Dataset, *, lang: str = "zh", verbose: bool = False) -> str:
    zh = lang != "en"
    sev = _SEV_ZH if zh else _SEV_EN
    out: list[str] = []
    no_rep = "（未确定客户经理）" if zh else "(no rep)"
    sheets_by_rep: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s in report.sheets:
        sheets_by_rep[s.rep or no_rep][s.file].append(s)
    issues_by_rep: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for i in report.issues:
        if i.severity is Severity.INFO and not verbose:
            continue
        issues_by_rep[i.rep or no_rep][i.file].append(i)
    reps = sorted(set(sheets_by_rep) | set(issues_by_rep))
    for rep in reps:
        out.append(f"■ {rep}")
        files = sorted(set(sheets_by_rep[rep]) | set(issues_by_rep[rep]))
        for file in files:
            out.append(f"  {file or ('（全部）' if zh else '(all)')}")
            for s in sheets_by_rep[rep].get(file, []):
                if zh:
                    out.append(f"    [{s.sheet}] 读取 {s.read} 行 = 接受 {s.accepted} + 拒绝 {s.rejected} + 跳过（空行/合计）{s.skipped}")
                else:
                    out.append(f"    [{s.sheet}] read {s.read} = accepted {s.accepted} + rejected {s.rejected} + skipped {s.skipped}")
            for i in issues_by_rep[rep].get(file, []):
                where = "!".join(p for p in (i.sheet, i.cell) if p)
                out.append(f"    {sev[i.severity]} {where} {i.message} [{i.code}]".replace("  ", " ", 1))
        out.append("")
    t = _totals(report)
    n_proj = sum(len(a.projects) for a in dataset.accounts)
    if zh:
        out.append(f"合计：读取 {t['read']} 行 = 接受 {t['accepted']} + 拒绝 {t['rejected']} + 跳过 {t['skipped']}")
        out.append(f"客户 {len(dataset.accounts)} 个（项目 {n_proj} 个），关键人 {len(dataset.key_persons)} 人，"
                   f"竞争分析 {len(dataset.competition)} 行，跟进记录 {len(dataset.followups)} 条")
        out.append(f"错误 {report.errors} 个，警告 {report.warnings} 个，提示 {report.count(Severity.INFO)} 个")
    else:
        out.append(f"Total: read {t['read']} rows = accepted {t['accepted']} + rejected {t['rejected']} + skipped {t['skipped']}")
        out.append(f"{len(dataset.accounts)} accounts ({n_proj} projects), {len(dataset.key_persons)} key persons, "
                   f"{len(dataset.competition)} competition rows, {len(dataset.followups)} follow-ups")
        out.append(f"{report.errors} errors, {report.warnings} warnings, {report.count(Severity.INFO)} info")
    if not dataset.accounts and not report.errors:
        out.append("还没有数据：用 Excel 打开输入文件夹（input/）中的模板填写后再运行 sitegen build" if zh else
                   "No data yet: open the templates in the input folder (input/) with Excel, fill them in, then run sitegen build")
    return "\n".join(out)
