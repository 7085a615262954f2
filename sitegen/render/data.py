"""The machine-readable output (issue 3 §4) and the search index. Names here are a contract: keep them.

- data/summary.json   the department's headline figures
- data/accounts.json  one object per account, with its projects and its page
- data/issues.json    every issue with its place
- data/changes.json   what changed since the previous week in history (shape: sitegen/changes.py)
- data/reps.json      one object per rep: rep, team, month (YYYY-MM of the as-of date), signing_target (万元 or
                      null), signed (万元), visit_target (or null), visits: the as-of month (issue 17)
- data/targets.json   targets against results of the department, each team and each rep, for the as-of month,
                      quarter to date and year to date, and month by month (issue 17; docs/admin.md)
- assets/search-index.js  accounts, key persons, reps, teams and competitors for the search box, as a script
                          (works from file://), loaded when the search box is first used

None of these holds a private field: they are built from named, public attributes only.
"""

from __future__ import annotations

import json
from typing import Any

from ..config import Config
from ..issues import Report, Severity
from ..measures import Measures
from ..measures.common import probability, status
from ..meeting import Meeting
from .env import json_for_script
from .urls import Urls


def dumps(obj: Any) -> bytes:
    """JSON with one top-level member per line: readable in an editor and diffable week to week, and
    written by json's C encoder (indent= would use the pure-Python one: 0.5 s for 5,000 accounts)."""
    def one(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, allow_nan=False)

    if isinstance(obj, list) and obj:
        body = "[\n" + ",\n".join(map(one, obj)) + "\n]"
    elif isinstance(obj, dict) and obj and all(isinstance(k, str) for k in obj):
        body = "{\n" + ",\n".join(f"{one(k)}: {one(v)}" for k, v in obj.items()) + "\n}"
    else:
        body = one(obj)
    return (body + "\n").encode("utf-8")


def summary(m: Measures, report: Report) -> dict[str, Any]:
    d = m.department
    return {
        "as_of": m.as_of.isoformat(),
        "counts": {
            "accounts": d.counts.accounts,
            "open_accounts": d.counts.open_accounts,
            "projects": d.counts.projects,
            "open_projects": d.counts.open_projects,
            "key_persons": d.counts.key_persons,
            "competition_rows": d.counts.competition_rows,
            "followups": d.counts.followups,
        },
        "pipeline": {
            "open_total": d.open_value,
            "by_stage": {r.stage: r.value for r in d.by_stage},
            "weighted_total": d.weighted_value,
        },
        "stale_accounts": [s.account for s in d.stale],
        "overdue_actions": [{"account": o.account, "due": o.due.isoformat(), "action": o.action} for o in d.overdue],
        "no_decision_maker": list(d.no_decision_maker),
        "won": d.win_loss.won,
        "lost": d.win_loss.lost,
        "issues": {"error": report.errors, "warning": report.warnings},
        "issues_by_rep": issues_by_rep(report),
    }


def issues_by_rep(report: Report) -> dict[str, dict[str, int]]:
    """Errors and warnings per rep (issues without a rep are counted in `issues` only)."""
    out: dict[str, dict[str, int]] = {}
    for i in report.issues:
        if i.rep and i.severity in (Severity.ERROR, Severity.WARNING):
            out.setdefault(i.rep, {"error": 0, "warning": 0})[i.severity.value] += 1
    return dict(sorted(out.items()))


def accounts(m: Measures, config: Config, urls: Urls, meeting: Meeting | None = None) -> list[dict[str, Any]]:
    codes = meeting.codes if meeting is not None else (lambda _a, _p: [])
    out = []
    for f in m.facts.values():
        a = f.account
        out.append({
            "id": a.id,
            "name": a.name,
            "rep": a.rep,
            "team": f.team,
            "category": a.category,
            "grade": a.grade,
            "industry": a.industry,
            "region": a.region,
            "nature": a.nature,
            "stage": f.stage,
            "open": f.open,
            "open_value": f.open_value,
            "weighted": f.weighted,
            "last_contact": f.last_contact.isoformat() if f.last_contact else None,
            "stale": f.stale is not None,
            "overdue": ({"due": f.overdue.due.isoformat(), "action": f.overdue.action} if f.overdue else None),
            "coverage_flags": list(f.coverage.flags) if f.open else [],
            "support": f.coverage.support,
            "contact_flags": list(f.contacts.flags) if f.open else [],
            "key_persons": [{"name": c.name, "roles": list(c.roles),
                             "last_contact": c.last_contact.isoformat() if c.last_contact else None}
                            for c in f.contacts.persons],
            "url": urls.account(a.id),
            "projects": [
                {
                    "name": p.name,
                    "stage": p.stage,
                    "value": p.value,
                    "probability": round(probability(p, config), 4),
                    "expected_close": p.expected_close.isoformat() if p.expected_close else None,
                    "flags": codes(a.id, p.name),
                    "plan_url": urls.plan(a.id, p.name) if status(p, config) == "open" else None,
                }
                for p in a.projects
            ],
        })
    return out


def reps(m: Measures, meeting: Meeting) -> list[dict[str, Any]]:
    """data/reps.json: each rep's as-of month against 销售目标表."""
    out = []
    for s in m.reps:
        month = meeting.of(s).attainment.period("month")
        out.append({"rep": s.name, "team": m.index.team_of_rep.get(s.name, ""), "month": month.months[-1],
                    "signing_target": month.target, "signed": month.signed,
                    "visit_target": month.visit_target, "visits": month.visits})
    return out


def targets(m: Measures, meeting: Meeting) -> dict[str, Any]:
    """data/targets.json: every scope's periods and months (see sitegen/measures/targets.py)."""
    def one(kind: str, name: str) -> dict[str, Any]:
        at = meeting.scopes[(kind, name)].attainment
        return {"kind": kind, "name": name, "reps": list(at.reps),
                **{p.key: p.to_json() for p in at.periods},
                "by_month": [{"month": b.month, "signing_target": b.target, "signed": b.signed,
                              "visit_target": b.visit_target, "visits": b.visits} for b in at.months]}

    return {
        "as_of": m.as_of.isoformat(),
        "department": one("department", ""),
        "teams": [one("team", t.name) for t in m.teams],
        "reps": [one("rep", r.name) for r in m.reps],
    }


def issues(report: Report) -> list[dict[str, str]]:
    return [i.to_dict() for i in report.issues]


def search_index(m: Measures, urls: Urls) -> bytes:
    """The search box's index, set as window.SITEGEN_SEARCH and loaded only when someone searches. Compact:
    {"ap": "accounts/", "a": [[name, id, page slug]], "pt": [titles], "p": [[name, index into "pt",
    index into "a"]], "r": [[rep, team, url]], "t": [[team, url]], "c": [[competitor, url]]}. A key person
    points at its account instead of repeating its name and page; an account's key persons follow each
    other, so the n-th of them is #kp-n on the page (assets/site.js expands the rows)."""
    prefix = "accounts/"
    acc: list[list[str]] = []
    persons: list[list[Any]] = []
    titles: dict[str, int] = {}
    for f in m.facts.values():
        a = f.account
        url = urls.account(a.id)
        if not url:
            continue
        at = len(acc)
        acc.append([a.name, a.id, url[len(prefix):-len(".html")]])
        for k in m.index.persons.get(a.id, ()):
            persons.append([k.name, titles.setdefault(k.title or "", len(titles)), at])
    index = {
        "ap": prefix,
        "a": acc,
        "pt": list(titles),
        "p": persons,
        "r": [[r.name, m.index.team_of_rep.get(r.name, ""), urls.rep(r.name) or ""] for r in m.reps],
        "t": [[t.name, urls.team(t.name) or ""] for t in m.teams],
        "c": [[c.name, urls.competitor(c.name) or ""] for c in m.department.competitors],
    }
    return ("window.SITEGEN_SEARCH=" + str(json_for_script(index)) + ";\n").encode("utf-8")
