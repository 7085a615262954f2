"""Typed rows of every workbook -> the department's Dataset, with the checks that span rows and files:
duplicate accounts, unknown account ids, key persons that do not exist, dates after the as-of date,
open projects whose close date has passed.

Rows are taken in a fixed order (file path, sheet order, row), so the first definition wins
deterministically and the later one is rejected with both places named.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from .config import Config
from .fastinit import maker
from .forms.values import US_WORDS
from .issues import Issue, SheetCount, make_issue
from .model import Account, CompetitionRow, Dataset, FollowUp, KeyPerson, Project, Rep, Source, Target
from .normalise import nfkc
from .read.extract import Row, WorkbookResult
from .read.pack import Block, unpack_rows

ACCOUNT_FIELDS = ("account_name", "rep", "team", "category", "grade", "industry", "region", "nature",
                  "employees", "revenue", "first_contact", "address", "website", "notes")
PROJECT_FIELDS = ("stage", "value", "probability", "expected_close", "budget", "decision_maker", "need",
                  "need_desc", "resource_needs", "win_loss_reason", "request_date", "request_status")


@dataclass
class Assembled:
    dataset: Dataset
    issues: list[Issue]
    sheets: list[SheetCount]


class _Counts:
    """Adjusts per-sheet counts when a row accepted by its sheet is rejected by a cross-file check."""

    def __init__(self, sheets: list[SheetCount]) -> None:
        self.sheets = {(s.file, s.sheet): s for s in sheets}
        self.order = [(s.file, s.sheet) for s in sheets]

    def reject(self, src: Source) -> None:
        s = self.sheets[(src.file, src.sheet)]
        self.sheets[(src.file, src.sheet)] = replace(s, accepted=s.accepted - 1, rejected=s.rejected + 1)

    def result(self) -> list[SheetCount]:
        return [self.sheets[k] for k in self.order]


def _place(src: Source) -> str:
    return f"{src.file} / {src.sheet} / {src.cell('account_id') or src.cell('account_name') or ('第' + str(src.row) + '行')}"


_LABELS_EN = {"客户编号": "Account ID", "汇报对象": "Reports to", "接触人": "Contact"}


def assemble(results: list[WorkbookResult], config: Config, as_of: date) -> Assembled:
    lang = config.language
    issues: list[Issue] = []
    counts = _Counts([s for r in results for s in r.sheets])
    # Rows in a fixed order (file path, then the order in the file). Follow-ups (nearly all the rows of a
    # department) stay packed as the reading processes sent them (read/pack.py): no Row, no dict per row.
    by_form: dict[str, list[Row]] = defaultdict(list)
    followup_blocks: list[Block] = []
    for result in sorted(results, key=lambda r: r.rel):
        for block in result.packed():
            if block[0] == "followup":
                followup_blocks.append(block)
            else:
                by_form[block[0]].extend(unpack_rows([block]))

    def issue(code: str, row: Row, key: str, **fields: Any) -> Issue:
        """`fields`: the values of the code's message template (strings, numbers, dates)."""
        given = fields.pop("account", None)
        account = str(row.values.get("account_id") or "") if given is None else given
        cell = row.src.cell(key)
        if not cell and key == "account_id":  # an id taken from the name, or no id at all: point at the name
            cell = row.src.cell("account_name")
        if lang == "en" and isinstance(fields.get("column"), str):
            fields["column"] = _LABELS_EN.get(str(fields["column"]), fields["column"])
        i = make_issue(code, lang=lang, file=row.src.file, sheet=row.src.sheet, cell=cell,
                       rep=row.rep, account=account, **fields)
        issues.append(i)
        return i

    # ---- accounts and projects
    account_rows: dict[str, list[Row]] = {}
    account_home: dict[str, tuple[str, str]] = {}  # id -> (file, sheet) of its definition
    for row in by_form["customer"]:
        v = row.values
        aid = str(v.get("account_id") or "")
        if not aid and config.account_id_from_name:
            aid = nfkc(str(v.get("account_name", "")))
        if not aid:
            issue("value-missing", row, "account_id", column="客户编号")
            counts.reject(row.src)
            continue
        v["account_id"] = aid
        home = account_home.get(aid)
        here = (row.src.file, row.src.sheet)
        if home is not None and home != here:
            first = account_rows[aid][0]
            issue("account-duplicate", row, "account_id", account=aid, other=_place(first.src))
            counts.reject(row.src)
            continue
        if home is not None:
            project = str(v.get("project", ""))
            clash = next((r for r in account_rows[aid] if str(r.values.get("project", "")) == project), None)
            if clash is not None:
                issue("account-duplicate", row, "account_id", account=aid + (f" / {project}" if project else ""),
                      other=_place(clash.src))
                counts.reject(row.src)
                continue
        account_home.setdefault(aid, here)
        account_rows.setdefault(aid, []).append(row)

    rep_team_votes: dict[str, Counter[str]] = defaultdict(Counter)
    accounts: list[Account] = []
    make_account, make_project = maker(Account), maker(Project)
    for aid, group in account_rows.items():
        first = group[0]
        fv = first.values
        reported: set[str] = set()
        for other in group[1:]:
            for key in ACCOUNT_FIELDS:
                a, b = fv.get(key), other.values.get(key)
                if a is not None and b is not None and a != b and key not in reported:
                    reported.add(key)  # once per account and column: the rep fixes it once
                    issue("account-conflict", other, key, account=aid, column=_label(key), value=b,
                          other=first.src.cell(key) or f"第{first.src.row}行", other_value=a)
        merged: dict[str, object] = {}
        for r in group:
            for key in ACCOUNT_FIELDS:
                if key not in merged and key in r.values:
                    merged[key] = r.values[key]
        rep = str(merged.get("rep") or first.rep)
        team = str(merged.get("team") or "")
        if team:
            rep_team_votes[rep][team] += 1
        projects = tuple(
            make_project(
                account_id=aid,
                name=str(r.values.get("project", "")),
                stage=str(r.values.get("stage", "")),
                value=_f(r.values.get("value")),
                probability=_f(r.values.get("probability")),
                expected_close=r.values.get("expected_close"),  # type: ignore[arg-type]
                budget=r.values.get("budget"),  # type: ignore[arg-type]
                decision_maker=r.values.get("decision_maker"),  # type: ignore[arg-type]
                need=r.values.get("need"),  # type: ignore[arg-type]
                need_desc=str(r.values.get("need_desc", "")),
                resource_needs=str(r.values.get("resource_needs", "")),
                win_loss_reason=str(r.values.get("win_loss_reason", "")),
                src=r.src,
                request_date=r.values.get("request_date"),  # type: ignore[arg-type]
                request_status=str(r.values.get("request_status", "")),
            )
            for r in group
        )
        extra: dict[str, str] = {}
        private: dict[str, str] = {}
        for r in group:
            for k, t in r.extra:
                extra.setdefault(k, t)
            for k, t in r.private:
                private.setdefault(k, t)
        accounts.append(make_account(
            id=aid,
            name=str(merged.get("account_name") or aid),
            rep=rep,
            team=team,
            category=str(merged.get("category", "")),
            grade=str(merged.get("grade", "")),
            industry=str(merged.get("industry", "")),
            region=str(merged.get("region", "")),
            nature=str(merged.get("nature", "")),
            employees=merged.get("employees"),  # type: ignore[arg-type]
            revenue=_f(merged.get("revenue")),
            first_contact=merged.get("first_contact"),  # type: ignore[arg-type]
            address=str(merged.get("address", "")),
            website=str(merged.get("website", "")),
            notes=str(merged.get("notes", "")),
            projects=projects,
            extra=tuple(extra.items()),
            private=tuple(private.items()),
            src=first.src,
        ))

    # ---- reps and teams
    rep_team: dict[str, str] = {}
    for rep, votes in rep_team_votes.items():
        rep_team[rep] = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    rep_team.update(config.rep_teams)
    default_team = config.default_team or ("Unassigned" if lang == "en" else "未分组")
    accounts = [a if a.team else replace(a, team=rep_team.get(a.rep, default_team)) for a in accounts]
    accounts.sort(key=lambda a: a.id)
    by_id = {a.id: a for a in accounts}
    by_name: dict[str, list[str]] = defaultdict(list)
    for a in accounts:
        by_name[nfkc(a.name)].append(a.id)

    def resolve(row: Row | _Lazy) -> str | None:
        """The account a row names, by id or else by name; None (with an issue) when there is none."""
        if isinstance(row, Row):
            account_id, account_name = row.values.get("account_id"), row.values.get("account_name")
        else:
            account_id, account_name = row.account_id, row.account_name
        aid = str(account_id or "")
        if aid:
            if aid in by_id:
                return aid
            issue("account-unknown", _row(row), "account_id", account=aid)
            return None
        name = str(account_name or "")
        if name:
            ids = by_name.get(nfkc(name), [])
            if len(ids) == 1:
                return ids[0]
            if len(ids) > 1:
                issue("account-name-ambiguous", _row(row), "account_name", value=name, accounts="、".join(ids))
                return None
            issue("account-unknown", _row(row), "account_name", account=name)
            return None
        issue("value-missing", _row(row), "account_id", column="客户编号")
        return None

    # ---- key persons
    persons: list[KeyPerson] = []
    seen_person: dict[tuple[str, str], Row] = {}
    make_person = maker(KeyPerson)
    for row in by_form["keyperson"]:
        found = resolve(row)
        if found is None:
            counts.reject(row.src)
            continue
        aid = found
        v = row.values
        name = str(v.get("name", ""))
        person_key = (aid, name)
        if person_key in seen_person:
            issue("person-duplicate", row, "name", value=name, account=aid,
                  other=_place(seen_person[person_key].src))
            counts.reject(row.src)
            continue
        seen_person[person_key] = row
        persons.append(make_person(
            account_id=aid, name=name, dept=str(v.get("dept", "")), title=str(v.get("title", "")),
            roles=tuple(v.get("roles", ())),  # type: ignore[arg-type]
            influence=v.get("influence"),  # type: ignore[arg-type]
            attitude=str(v.get("attitude", "")),
            relationship=v.get("relationship"),  # type: ignore[arg-type]
            personal_need=tuple(v.get("personal_need", ())),  # type: ignore[arg-type]
            org_need=str(v.get("org_need", "")), style=str(v.get("style", "")),
            reports_to=str(v.get("reports_to", "")),
            last_contact=v.get("last_contact"),  # type: ignore[arg-type]
            strategy=str(v.get("strategy", "")), extra=row.extra, private=row.private, src=row.src,
            projects=_projects(v.get("projects")),
        ))
    names_of: dict[str, set[str]] = defaultdict(set)
    for p in persons:
        names_of[p.account_id].add(p.name)
    for p in persons:
        row = seen_person[(p.account_id, p.name)]
        if p.reports_to and p.reports_to not in names_of[p.account_id]:
            issue("person-unknown", row, "reports_to", column="汇报对象", value=p.reports_to, account=p.account_id)
        if p.projects:
            project_names = {proj.name for proj in by_id[p.account_id].projects}
            for name in p.projects:
                if name not in project_names:
                    issue("person-project-unknown", row, "projects", value=name, account=p.account_id,
                          projects="、".join(sorted(n for n in project_names if n)) or "—")

    # ---- competition
    competition: list[CompetitionRow] = []
    seen_party: dict[tuple[str, str], Row] = {}
    make_competition = maker(CompetitionRow)
    for row in by_form["competition"]:
        found = resolve(row)
        if found is None:
            counts.reject(row.src)
            continue
        aid = found
        v = row.values
        party = str(v.get("party", ""))
        is_us = nfkc(party) in US_WORDS
        party_key = (aid, "我方" if is_us else party)
        if party_key in seen_party:
            issue("competition-duplicate", row, "party", value=party, account=aid,
                  other=_place(seen_party[party_key].src))
            counts.reject(row.src)
            continue
        seen_party[party_key] = row
        scores = tuple([(k[6:], int(val)) for k, val in v.items() if k[:6] == "score:"])  # type: ignore[call-overload]
        competition.append(make_competition(
            account_id=aid, party="我方" if is_us else party, is_us=is_us, offering=str(v.get("offering", "")),
            price=_f(v.get("price")), strengths=str(v.get("strengths", "")), weaknesses=str(v.get("weaknesses", "")),
            scores=scores, threat=str(v.get("threat", "")), supporters=str(v.get("supporters", "")),
            strategy=str(v.get("strategy", "")), extra=row.extra, src=row.src,
        ))

    # ---- follow-ups (packed records, see read/pack.py; the same checks as for the other forms' Rows)
    followups: list[FollowUp] = []
    sort_keys: list[tuple[date, str, int]] = []  # (date, file, row) of each follow-up
    of_account: dict[str, list[int]] = {aid: [] for aid in by_id}  # positions in `followups`
    make_followup, make_source = maker(FollowUp), maker(Source)
    no_names: set[str] = set()
    fields = ("date", "account_id", "account_name", "rep", "method", "contact", "purpose", "content", "feedback",
              "effective", "stage", "next_action", "next_date", "expense", "project", "satisfaction")
    for form, file, sheet, columns, keys, records in followup_blocks:
        at = {k: i for i, k in enumerate(keys)}
        # the fields of a record in one C call; a column the sheet does not have reads the None appended
        pick = itemgetter(*[at.get(k, len(keys)) for k in fields])
        for rowno, packed, row_extra, row_private, cells, row_rep in records:
            src = make_source(file, sheet, rowno, cells, columns)
            if packed.__class__ is dict:  # kept as a dict (see pack_rows): look the fields up by name
                values: dict[str, object] = packed
                got = [packed.get(k) for k in fields]
            else:
                values = {}
                got = pick(packed + (None,))  # type: ignore[operator]
            (d, account_id, account_name, rep_value, method, contact_value, purpose, content, feedback,
             effective, stage, next_action, next_date, expense, project_value, satisfaction) = got

            aid = str(account_id or "")
            if not aid or aid not in by_id:  # resolve() says which account, or why none (rare)
                found = resolve(_Lazy(account_id, account_name, form, keys, packed, values, row_extra, row_private,
                                      src, row_rep))
                if found is None:
                    counts.reject(src)
                    continue
                aid = found
            late = d > as_of  # type: ignore[operator]
            contact = "" if contact_value is None else str(contact_value)
            unknown = False
            if contact:
                known = names_of.get(aid, no_names)
                if contact not in known:
                    parts = _split_names(contact)
                    unknown = not parts or any(c not in known for c in parts)
            if late or unknown:
                lazy = _row(_Lazy(account_id, account_name, form, keys, packed, values, row_extra, row_private, src,
                                  row_rep))
                if late:
                    issue("date-future", lazy, "date", value=d.isoformat(), as_of=as_of.isoformat())  # type: ignore[union-attr]
                if unknown:
                    issue("person-unknown", lazy, "contact", column="接触人", value=contact, account=aid)
            followups.append(make_followup(
                d, aid, str(rep_value or row_rep or by_id[aid].rep),
                "" if method is None else str(method), contact, "" if purpose is None else str(purpose),
                "" if content is None else str(content), "" if feedback is None else str(feedback),
                effective, "" if stage is None else str(stage),
                "" if next_action is None else str(next_action), next_date,
                expense if expense.__class__ is float else _f(expense),
                "" if project_value is None else str(project_value), row_extra, src, satisfaction,
            ))
            of_account[aid].append(len(sort_keys))
            sort_keys.append((d, file, rowno))  # type: ignore[arg-type]
    # by account, date, file and row, ties in the order read: each account's follow-ups sorted stably, in the
    # order of accounts (by id). A rep's sheet is mostly in date order already, so these sorts are short.
    order: list[int] = []
    for positions in of_account.values():
        positions.sort(key=sort_keys.__getitem__)
        order += positions
    followups = list(map(followups.__getitem__, order))

    # ---- targets
    targets: list[Target] = []
    seen_target: dict[tuple[str, str], Row] = {}
    for row in by_form["targets"]:
        v = row.values
        rep = str(v.get("rep") or row.rep)
        month = str(v.get("month"))
        if (rep, month) in seen_target:
            issue("target-duplicate", row, "month", value=month, other=_place(seen_target[(rep, month)].src))
            counts.reject(row.src)
            continue
        seen_target[(rep, month)] = row
        targets.append(Target(rep, month, v.get("visit_target"), _f(v.get("sign_target")), row.src))  # type: ignore[arg-type]

    # ---- open projects whose expected close date has passed
    for a in accounts:
        for proj in a.projects:
            st = config.stage(proj.stage)
            if (st is not None and st.open and proj.expected_close is not None and proj.expected_close < as_of
                    and proj.src):
                issues.append(make_issue("close-date-passed", lang=lang, file=proj.src.file, sheet=proj.src.sheet,
                                         cell=proj.src.cell("expected_close"), rep=a.rep, account=a.id,
                                         value=proj.expected_close.isoformat(), as_of=as_of.isoformat()))

    # ---- reps: every rep named by an account, a follow-up or a target
    rep_names = {a.rep for a in accounts if a.rep} | {f.rep for f in followups if f.rep} | {t.rep for t in targets}
    team_of = {a.rep: a.team for a in accounts}
    reps = tuple(sorted((Rep(n, team_of.get(n) or rep_team.get(n, default_team)) for n in rep_names),
                        key=lambda r: (r.team, r.name)))
    # attach the account to issues raised on rows that belong to one
    dataset = Dataset(tuple(accounts), tuple(persons), tuple(competition), tuple(followups), tuple(targets), reps)
    return Assembled(dataset, issues, counts.result())


class _Lazy(NamedTuple):
    """A packed follow-up record, made into a Row only when an issue must point at it."""

    account_id: object
    account_name: object
    form: str
    keys: tuple[str, ...]
    packed: object  # values aligned to keys, or the values dict itself
    values: dict[str, object]  # filled when first needed
    extra: tuple[tuple[str, str], ...]
    private: tuple[tuple[str, str], ...]
    src: Source
    rep: str


def _row(row: Row | _Lazy) -> Row:
    if isinstance(row, Row):
        return row
    if not row.values:
        if isinstance(row.packed, dict):
            row.values.update(row.packed)
        else:
            row.values.update((k, v) for k, v in zip(row.keys, row.packed, strict=True)  # type: ignore[call-overload]
                              if v is not None)
    return Row(row.form, row.values, row.extra, row.private, row.src, row.rep)


_NAME_SEPARATORS = re.compile(r"[,，、/;；\s]+")


def _split_names(s: str) -> list[str]:
    return [p for p in _NAME_SEPARATORS.split(s) if p]


_PROJECT_SEPARATORS = re.compile(r"[、;；\n]+")


def _projects(v: object) -> tuple[str, ...]:
    """项目名称 of a key person: several separated by 、 (or ；, or one per line)."""
    if v is None:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in _PROJECT_SEPARATORS.split(str(v)) if p.strip()))


def _f(v: object) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _label(key: str) -> str:
    from .forms import CUSTOMER

    try:
        return CUSTOMER.column(key).label
    except KeyError:
        return key
