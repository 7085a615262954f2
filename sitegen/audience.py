"""Audiences: one site per audience (e.g. one per team, one for management with everything).

A team's site holds only that team's accounts, their key persons, competition and follow-ups, its reps,
their targets, and the data problems of those reps and accounts. Nothing of another team is computed
into its figures, so no account, person or number of another team can appear in it.

A problem that involves two teams (an account defined in a workbook of each, a follow-up logged by another
team's rep on this team's account) appears in both sites, each with the other side withheld: its file, sheet,
cell, rep and account are replaced by "另一处在其他团队的文件中".
"""

from __future__ import annotations

import re
from dataclasses import replace

from .config import Audience
from .i18n import Translator
from .issues import Issue, Report
from .model import Dataset


def restrict(dataset: Dataset, report: Report, audience: Audience, lang: str = "zh") -> tuple[Dataset, Report]:
    if not audience.teams:
        return dataset, report
    teams = set(audience.teams)
    accounts = tuple(a for a in dataset.accounts if a.team in teams)
    ids = {a.id for a in accounts}
    reps = tuple(r for r in dataset.reps if r.team in teams)
    rep_names = {r.name for r in reps} | {a.rep for a in accounts}
    files = {a.src.file for a in accounts if a.src} | {p.src.file for a in accounts for p in a.projects if p.src}
    files |= {s.file for s in report.sheets if s.rep in rep_names}
    ds = replace(
        dataset,
        accounts=accounts,
        key_persons=tuple(p for p in dataset.key_persons if p.account_id in ids),
        competition=tuple(c for c in dataset.competition if c.account_id in ids),
        followups=tuple(f for f in dataset.followups if f.account_id in ids),
        targets=tuple(t for t in dataset.targets if t.rep in rep_names),
        reps=reps,
    )
    others = [a for a in dataset.accounts if a.id not in ids]
    other_ids = {a.id for a in others}
    other_reps = ({r.name for r in dataset.reps} | {a.rep for a in others} | {i.rep for i in report.issues}
                  | {s.rep for s in report.sheets}) - rep_names - {""}
    other_files = ({s.file for s in report.sheets} | {i.file for i in report.issues}
                   | {a.src.file for a in others if a.src}) - files - {""}
    scrub = _Scrubber(other_files, other_reps, other_ids, {a.name for a in others} - {a.name for a in accounts},
                      Translator(lang))

    def side(i: Issue) -> str:
        if i.rep:
            if i.rep in rep_names:
                return "mine"
            if i.rep in other_reps:
                return "theirs"
        if i.file:
            return "mine" if i.file in files else "theirs"
        if i.account in ids:
            return "mine"
        return "theirs"

    issues = []
    for i in report.issues:
        where = side(i)
        if where == "mine":
            if i.account in other_ids:
                i = replace(i, account="")
            issues.append(scrub.issue(i))
        elif i.account in ids:  # another team's row about this team's account: its place is withheld
            issues.append(scrub.issue(replace(i, file="", sheet="", cell="", rep=""), withheld=True))
    sheets = tuple(s for s in report.sheets if s.rep in rep_names or s.file in files)
    places = {(s.file, s.sheet) for s in sheets}
    return ds, replace(report, issues=tuple(issues), sheets=sheets,
                       withheld=tuple(w for w in report.withheld if (w[0], w[1]) in places),
                       masked=tuple(m for m in report.masked if (m[0], m[1]) in places))


_QUOTED = re.compile(r"“([^“”]*)”")
_TOKEN = re.compile(r"[\w\-]+")


class _Scrubber:
    """Removes another team's files (with their sheet and cell), reps, account ids and names from a message."""

    def __init__(self, files: set[str], reps: set[str], ids: set[str], names: set[str], t: Translator) -> None:
        self.t = t
        self.elsewhere = t("privacy.other_team")
        self.files = sorted(files, key=len, reverse=True)  # a longer name first: it may start with a shorter
        self.quoted = reps | names | ids
        self.ids = ids

    def text(self, s: str) -> str:
        for f in self.files:
            if f in s:
                # the file, with the sheet and cell that follow it (a sheet name never holds "/")
                s = re.sub(re.escape(f) + r"(?: / [^/\n]*? / (?:[A-Z]{1,3}\d+|第\d+行))?", self.elsewhere, s)
                if self.t.lang == "zh":
                    s = s.replace(" " + self.elsewhere, self.elsewhere)
        if "“" in s:
            s = _QUOTED.sub(lambda m: "" if m.group(1) in self.quoted else m.group(0), s)
        if self.ids:
            s = _TOKEN.sub(lambda m: "—" if m.group(0) in self.ids else m.group(0), s)
        return s

    def issue(self, i: Issue, withheld: bool = False) -> Issue:
        message = self.text(i.message)
        if withheld:
            message = f"{message} {self.t('privacy.other_side')}"
        return i if message == i.message else replace(i, message=message)
