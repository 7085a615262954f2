"""Facts -> the rows of the four forms, as one rep types them (values keyed by form column key)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .activity import FollowUp
from .habits import Typist
from .world import SCORE_DIMENSIONS, WON, Account, Person, Rep

FORMS = ("customer", "competition", "keyperson", "followup")
SOURCE_KEY = "x:客户来源"  # a column that is not in the form: kept as an extra field


@dataclass
class Row:
    values: dict[str, object]
    account: str = ""
    kind: str = "data"  # data | blank | subtotal
    marks: list[tuple[str, str]] = field(default_factory=list)  # (mistake key, column key) to locate
    fact: object = None  # the Project, Party, Person or FollowUp the row shows (None for added rows)


Tables = dict[str, list[Row]]


def account_cells(acc: Account, t: Typist) -> dict[str, object]:
    """The account-level cells of the customer form, typed once and repeated on every project row."""
    return {
        "account_id": acc.id, "account_name": t.text(acc.name), "rep": acc.rep, "team": t.text(acc.team),
        "category": acc.category, "grade": t.grade(acc.grade), "industry": t.text(acc.industry),
        "region": acc.region, "nature": t.nature(acc.nature), "employees": t.integer(acc.employees),
        "revenue": t.money(acc.revenue, large=True), "first_contact": t.date(acc.first_contact), "address": acc.address,
        "phone": acc.phone, "website": acc.website, "notes": acc.notes or None, SOURCE_KEY: acc.source,
    }


def customer_rows(acc: Account, t: Typist) -> list[Row]:
    shared = account_cells(acc, t)
    rows = []
    for p in acc.projects:
        values = dict(shared)
        values.update({
            "project": p.name, "stage": t.stage(p.stage), "value": t.money(p.value),
            "probability": t.percent(p.probability), "expected_close": t.date(p.expected_close),
            "budget": t.yesno(p.budget), "decision_maker": t.yesno(p.decision_maker), "need": t.yesno(p.need),
            "need_desc": p.need_desc, "resource_needs": p.resource_needs or None,
            "win_loss_reason": p.win_loss_reason or None,
        })
        rows.append(Row(values, acc.id, fact=p))
    return rows


def competition_rows(acc: Account, t: Typist) -> list[Row]:
    rows = []
    for party in acc.parties:
        values: dict[str, object] = {
            "account_id": acc.id, "account_name": acc.name, "party": party.party or t.h.us_word,
            "offering": party.offering, "price": t.money(party.price), "strengths": party.strengths,
            "weaknesses": party.weaknesses, "threat": party.threat or None,
            "supporters": party.supporters or None, "strategy": party.strategy,
        }
        for dim, score in zip(SCORE_DIMENSIONS, party.scores, strict=True):
            values[f"score:{dim}"] = t.integer(score)
        rows.append(Row(values, acc.id, fact=party))
    return rows


def person_cells(acc: Account, p: Person, t: Typist, last_contact: date | None) -> dict[str, object]:
    return {
        "account_id": acc.id, "account_name": acc.name, "name": t.text(p.name), "dept": p.dept, "title": p.title,
        "roles": t.roles(p.roles), "influence": t.influence(p.influence), "attitude": t.attitude(p.attitude),
        "relationship": t.relationship(p.relationship), "personal_need": "、".join(p.personal_need),
        "org_need": p.org_need, "style": p.style, "reports_to": p.reports_to or None,
        "last_contact": t.date(last_contact), "phone": p.phone, "email": p.email, "birthday": p.birthday,
        "hometown": p.hometown, "hobbies": p.hobbies, "family": p.family, "strategy": p.strategy,
    }


def _pick(*parts: str) -> int:
    """A stable number from the given text, for choices that must not draw from the generator's random stream
    (drawing would change every value generated after it)."""
    return zlib.crc32("|".join(parts).encode("utf-8"))


def person_projects(acc: Account, p: Person) -> str | None:
    """项目名称 of a key person (issue 18): on an account with several projects, about a third of the persons who
    are not decision makers name the one project they work on; everyone else serves every project (blank)."""
    if len(acc.projects) < 2 or "决策者" in p.roles:
        return None
    n = _pick(acc.id, p.name)
    return acc.projects[(n // 3) % len(acc.projects)].name if n % 3 == 0 else None


def keyperson_rows(acc: Account, t: Typist, last: dict[tuple[str, str], date]) -> list[Row]:
    rows = []
    for p in acc.persons:
        values = person_cells(acc, p, t, last.get((acc.id, p.name)))
        values["projects"] = person_projects(acc, p)
        rows.append(Row(values, acc.id, fact=p))
    return rows


def satisfaction(f: FollowUp, acc: Account) -> int | None:
    """满意度 of a follow-up (issue 18): asked on about half the contacts of accounts with a won project, 2–5."""
    if not any(p.stage in (WON, "工程实施") for p in acc.projects):
        return None
    n = _pick(acc.id, f.date.isoformat(), f.contact)
    return (5, 4, 4, 3, 5, 2)[(n // 2) % 6] if n % 2 == 0 else None


def followup_row(f: FollowUp, acc: Account, rep: str, t: Typist) -> Row:
    show_stage = f.stage_changed or t.rng.random() < t.h.fill_stage
    return Row({
        "date": t.date(f.date), "account_id": t.text(f.account_id), "account_name": acc.name, "rep": rep,
        "project": f.project if len(acc.projects) > 1 else None, "method": t.method(f.method),
        "contact": t.text(f.contact), "purpose": f.purpose, "content": f.content, "feedback": f.feedback,
        "effective": t.yesno(f.effective), "stage": t.stage(f.stage) if show_stage else None,
        "next_action": f.next_action or None, "next_date": t.date(f.next_date), "expense": t.yuan(f.expense),
        "satisfaction": satisfaction(f, acc),
    }, acc.id, fact=f)


def build_tables(rep: Rep, accounts: Sequence[Account], fus: Sequence[FollowUp], t: Typist,
                 last: dict[tuple[str, str], date], *, subtotal: bool) -> Tables:
    by_id = {a.id: a for a in accounts}
    followups = [followup_row(f, by_id[f.account_id], rep.name, t) for f in fus]
    for _ in range(t.h.blank_rows if len(followups) > 10 else 0):
        followups.insert(t.rng.randrange(3, len(followups) - 3), Row({}, kind="blank"))
    if subtotal:
        total = sum(f.expense or 0 for f in fus)
        followups.append(Row({"date": "合计", "expense": total}, kind="subtotal"))
    return {
        "customer": [r for a in accounts for r in customer_rows(a, t)],
        "competition": [r for a in accounts for r in competition_rows(a, t)],
        "keyperson": [r for a in accounts for r in keyperson_rows(a, t, last)],
        "followup": followups,
    }
