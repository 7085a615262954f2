"""The demo's deliberate mistakes: what each one is, which rep makes it, and how it lands in the rows.

Mistakes that a validator may answer by rejecting the row (errors) are added rows, so rejecting them
never takes real data with it (no cascade of unknown accounts or persons). Warnings change a cell of a
real row, chosen so that nothing else depends on it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import pools
from .activity import FollowUp
from .habits import Typist
from .people import new_name
from .rows import Row, Tables, account_cells, customer_rows, person_cells
from .world import OPEN, Account, Person, Project, Rep, World


@dataclass(frozen=True)
class Blunder:
    key: str
    code: str  # the issue code the validator should raise
    severity: str
    form: str
    column: str  # column key of the wrong cell
    layouts: tuple[str, ...]  # layouts of the rep who makes it, preferred first ("d" = a with xlsxwriter)
    extra_row: bool  # True: an added row; False: a cell of a real row was changed
    what: str  # Chinese
    what_en: str


CATALOGUE: tuple[Blunder, ...] = (
    Blunder("bad-month", "value-date", "error", "followup", "date", ("b", "a", "c"), True,
            "跟进日期写成不存在的 13 月", "follow-up date with month 13"),
    Blunder("unknown-stage", "value-enum", "error", "followup", "stage", ("a", "b", "c"), True,
            "阶段写成“谈判中”，不是可接受的阶段", "stage 谈判中 is not a stage"),
    Blunder("unknown-account", "account-unknown", "error", "followup", "account_id", ("c", "a", "b"), True,
            "跟进记录的客户编号在任何客户档案表中都不存在", "follow-up for an account id nobody defines"),
    Blunder("duplicate-account", "account-duplicate", "error", "customer", "account_id", ("a",), True,
            "另一位客户经理已经登记了同一个客户编号", "account id already defined by another rep"),
    Blunder("influence-range", "value-range", "error", "keyperson", "influence", ("d", "a", "b", "c"), True,
            "影响力填 7，超出 1–5", "influence 7 is outside 1-5"),
    Blunder("attitude-typo", "value-enum", "error", "keyperson", "attitude", ("b", "a", "c"), True,
            "态度“支特”是“支持”的错别字", "attitude 支特 is a typo of 支持"),
    Blunder("missing-name", "value-missing", "error", "customer", "account_name", ("a",), True,
            "新登记的客户没有填客户名称", "new account row without a name"),
    Blunder("money-text", "value-money", "error", "customer", "value", ("a",), True,
            "预计金额写成汉字“五十万”", "expected value typed in words"),
    Blunder("percent-range", "value-range", "error", "customer", "probability", ("a",), True,
            "成交概率 150%，超出 0–100%", "probability 150% is outside 0-100%"),
    Blunder("percent-text", "value-percent", "error", "customer", "probability", ("a",), True,
            "成交概率写成“较高”，不是百分比", "probability 较高 is not a percentage"),
    Blunder("contact-unknown", "person-unknown", "warning", "followup", "contact", ("a", "c", "b"), False,
            "接触人不是该客户关键人表中的人", "contact is not a key person of the account"),
    Blunder("reports-to-unknown", "person-unknown", "warning", "keyperson", "reports_to", ("c", "a", "b"), False,
            "汇报对象不是该客户的任何关键人", "reports-to names nobody of the account"),
    Blunder("future-date", "date-future", "warning", "followup", "date", ("b", "a", "c"), True,
            "跟进日期晚于统计日期（提前登记了计划拜访）", "follow-up dated after the as-of date"),
    Blunder("close-date-passed", "close-date-passed", "warning", "customer", "expected_close", ("a", "b"), False,
            "进行中的项目，预计成交日期已过", "open project whose expected close date has passed"),
)
ORIGINAL = "duplicate-account/original"  # mark on the first definition of the duplicated account


def _kind(rep: Rep) -> str:
    return "d" if rep.layout == "a" and rep.writer == "xlsxwriter" else rep.layout


def _feasible(b: Blunder, accounts: Sequence[Account]) -> bool:
    if b.key == "close-date-passed":
        return any(p.stage in OPEN[:5] for a in accounts for p in a.projects)
    return bool(accounts)


def plan(reps: Sequence[Rep], customer_file: dict[str, str], accounts: dict[str, list[Account]]) -> dict[str, list[Blunder]]:
    """Which rep makes which mistake: the preferred layout, spread over reps."""
    usage = {r.name: 0 for r in reps}
    out: dict[str, list[Blunder]] = {r.name: [] for r in reps}
    eligible = [r for r in reps if accounts.get(r.name)]
    for b in CATALOGUE:
        for pref in b.layouts:
            cands = [r for r in eligible if (_kind(r) == pref or (pref == "a" and r.layout == "a"))
                     and _feasible(b, accounts[r.name])]
            if b.key == "duplicate-account":
                cands = [r for r in cands if any(customer_file[o.name] < customer_file[r.name] for o in eligible)]
                cands = [max(cands, key=lambda r: customer_file[r.name])] if cands else []
            if cands:
                rep = min(cands, key=lambda r: usage[r.name])
                usage[rep.name] += 1
                out[rep.name].append(b)
                break
    return out


def duplicate_source(reps: Sequence[Rep], customer_file: dict[str, str], world: World, maker: str) -> Account:
    """The account the duplicating rep copies: the first account of the rep whose file is read first."""
    first = min((r for r in reps if r.name != maker and world.accounts_of(r.name)), key=lambda r: customer_file[r.name])
    return world.accounts_of(first.name)[0]


def unknown_account_id(world: World) -> str:
    n = len(world.accounts)
    return "KA-0999" if n < 999 else f"KA-{10 ** world.id_width - 1}"


@dataclass
class Context:
    rep: Rep
    world: World
    accounts: list[Account]
    typist: Typist
    rng: random.Random
    dup_source: Account | None = None
    used: set[str] = field(default_factory=set)  # accounts already carrying a mistake

    @property
    def as_of(self) -> date:
        return self.world.as_of


def apply(b: Blunder, tables: Tables, ctx: Context) -> tuple[str, str]:
    """Put mistake `b` into the rep's rows; returns (account id, wrong value as typed)."""
    account, value = _APPLY[b.key](tables, ctx)
    ctx.used.add(account)
    return account, value


def _data(rows: list[Row], kind: type) -> list[int]:
    return [i for i, r in enumerate(rows) if r.kind == "data" and isinstance(r.fact, kind) and not r.marks]


def _middle(indexes: list[int]) -> int:
    return indexes[len(indexes) // 2]


def _mark(row: Row, key: str, column: str, value: object) -> tuple[str, str]:
    row.values[column] = value
    row.marks.append((key, column))
    return row.account, "" if value is None else str(value)


def _after_account(rows: list[Row], account: str) -> int:
    return max(i for i, r in enumerate(rows) if r.account == account) + 1


def _quiet_copy(src: Row) -> Row:
    """A copy of a follow-up row without the parts that would raise other issues."""
    values = dict(src.values)
    values.update(next_date=None, expense=None, stage=None)
    return Row(values, src.account)


# ---------------------------------------------------------------- follow-ups


def _bad_month(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["followup"]
    spring = [i for i in _not_last(rows) if rows[i].fact.date.year == ctx.as_of.year  # type: ignore[attr-defined]
              and rows[i].fact.date.month in (3, 4, 5) and rows[i].account not in ctx.used]  # type: ignore[attr-defined]
    i = _middle(spring or _data(rows, FollowUp))
    new = _quiet_copy(rows[i])
    rows.insert(i + 1, new)
    return _mark(new, "bad-month", "date", f"{ctx.as_of.year}-13-05")


def _not_last(rows: list[Row]) -> list[int]:
    """Follow-up rows that are not their account's latest (whose next action counts as the account's)."""
    idx = _data(rows, FollowUp)
    last = {rows[i].account: i for i in idx}
    return [i for i in idx if last[rows[i].account] != i]


def _unknown_stage(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["followup"]
    late = [i for i in _not_last(rows) if rows[i].fact.stage in ("商务谈判", "招投标")  # type: ignore[attr-defined]
            and rows[i].account not in ctx.used]
    i = _middle(late or _not_last(rows) or _data(rows, FollowUp))
    new = _quiet_copy(rows[i])
    new.values.update(purpose="价格谈判", content="讨论付款方式和折扣")
    rows.insert(i + 1, new)
    return _mark(new, "unknown-stage", "stage", "谈判中")


def _unknown_account(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["followup"]
    i = _middle(_data(rows, FollowUp))
    ty = ctx.typist
    new = Row({
        "date": ty.date(rows[i].fact.date), "rep": ctx.rep.name, "method": "电话",  # type: ignore[attr-defined]
        "purpose": "初次电话沟通", "content": "介绍公司及成功案例", "feedback": "请先发资料",
        "effective": ty.yesno(False), "next_action": "发送公司介绍资料",
    }, unknown_account_id(ctx.world))
    rows.insert(i + 1, new)
    return _mark(new, "unknown-account", "account_id", new.account)


def _contact_unknown(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["followup"]
    idx = _data(rows, FollowUp)
    latest: dict[tuple[str, str], date] = {}
    for i in idx:
        f: FollowUp = rows[i].fact  # type: ignore[assignment]
        latest[(f.account_id, f.contact)] = max(f.date, latest.get((f.account_id, f.contact), f.date))
    cands = [i for i in idx if rows[i].account not in ctx.used
             and latest[(rows[i].fact.account_id, rows[i].fact.contact)] > rows[i].fact.date]  # type: ignore[attr-defined]
    i = _middle(cands or idx)
    acc = next(a for a in ctx.accounts if a.id == rows[i].account)
    return _mark(rows[i], "contact-unknown", "contact", _stranger(acc, ctx.rng, ("主任", "经理")))


def _future_date(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["followup"]
    active = {a.id for a in ctx.accounts if not a.quiet_days and not a.overdue}
    idx = [i for i in _data(rows, FollowUp) if rows[i].account in active] or _data(rows, FollowUp)
    i = idx[-1]
    new = _quiet_copy(rows[i])
    new.values.update(purpose="计划拜访", content="（计划）提交正式方案，确认实施计划", feedback=None, effective=None,
                      next_action=None)
    at = max(j for j, r in enumerate(rows) if r.kind != "subtotal") + 1
    rows.insert(at, new)
    return _mark(new, "future-date", "date", ctx.typist.date(ctx.as_of + timedelta(days=15)))


def _stranger(acc: Account, rng: random.Random, titles: Sequence[str]) -> str:
    """How reps name someone they have not registered: surname + title, nobody of the account."""
    surnames = [s for s, _ in pools.SURNAMES[:30] if all(not p.name.startswith(s) for p in acc.persons)]
    return rng.choice(surnames) + rng.choice(titles)


# ---------------------------------------------------------------- key persons


def _pick_account(ctx: Context, accounts: Sequence[Account] | None = None) -> Account:
    pool = [a for a in (accounts or ctx.accounts) if a.id not in ctx.used] or list(accounts or ctx.accounts)
    return pool[len(pool) // 2]


def _new_person(ctx: Context, acc: Account) -> Person:
    rng = ctx.rng
    taken = {p.name for p in acc.persons} | set(ctx.world.rep_names)
    name, surname, py = new_name(rng, taken)
    boss = next((p for p in acc.persons if p.influence >= 3 and "决策者" not in p.roles), acc.persons[0])
    return Person(name, surname, boss.dept, "工程师", ("使用者",), 2, "怀疑", 1, ("安全",), rng.choice(pools.ORG_NEEDS),
                  "分析型", boss.name, rng.choice(pools.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                  f"{py}@{acc.website.removeprefix('www.')}", f"{rng.randint(1975, 1995)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                  rng.choice(pools.HOMETOWNS), rng.choice(pools.HOBBIES), rng.choice(pools.FAMILIES), "保持联系")


def _extra_person(t: Tables, ctx: Context, key: str, column: str, value: object) -> tuple[str, str]:
    rows = t["keyperson"]
    acc = _pick_account(ctx)
    new = Row(person_cells(acc, _new_person(ctx, acc), ctx.typist, None), acc.id)
    rows.insert(_after_account(rows, acc.id), new)
    return _mark(new, key, column, value)


def _influence_range(t: Tables, ctx: Context) -> tuple[str, str]:
    return _extra_person(t, ctx, "influence-range", "influence", 7)


def _attitude_typo(t: Tables, ctx: Context) -> tuple[str, str]:
    return _extra_person(t, ctx, "attitude-typo", "attitude", "支特")


def _reports_to_unknown(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["keyperson"]
    idx = [i for i in _data(rows, Person) if rows[i].fact.reports_to and rows[i].account not in ctx.used]  # type: ignore[attr-defined]
    i = _middle(idx or [i for i in _data(rows, Person) if rows[i].fact.reports_to])  # type: ignore[attr-defined]
    acc = next(a for a in ctx.accounts if a.id == rows[i].account)
    return _mark(rows[i], "reports-to-unknown", "reports_to", _stranger(acc, ctx.rng, ("总",)))


# ---------------------------------------------------------------- customers


def _duplicate(t: Tables, ctx: Context) -> tuple[str, str]:
    src = ctx.dup_source
    assert src is not None
    new = customer_rows(src, ctx.typist)[0]
    new.fact = None
    new.values.update(rep=ctx.rep.name, team=ctx.rep.team)
    t["customer"].append(new)
    return _mark(new, "duplicate-account", "account_id", src.id)


def _missing_name(t: Tables, ctx: Context) -> tuple[str, str]:
    ty, like = ctx.typist, ctx.accounts[0]
    values = account_cells(like, ty)
    values.update({
        "account_id": f"KA-{len(ctx.world.accounts) + 1:0{ctx.world.id_width}d}", "employees": None, "revenue": None,
        "category": "潜在大客户", "grade": ty.grade("C"), "first_contact": ty.date(ctx.as_of - timedelta(days=12)),
        "address": None, "phone": None, "website": None, "notes": "展会新线索，名称待确认", "x:客户来源": "展会",
        "project": "初步需求", "stage": "客户开发", "value": 30, "probability": None,
        "expected_close": ty.date(ctx.as_of + timedelta(days=180)), "budget": ty.yesno(False),
        "decision_maker": ty.yesno(False), "need": ty.yesno(False), "need_desc": "待调研", "resource_needs": None,
        "win_loss_reason": None,
    })
    new = Row(values, str(values["account_id"]))
    t["customer"].append(new)
    return _mark(new, "missing-name", "account_name", None)


def _extra_project(t: Tables, ctx: Context, key: str, stage: str, value: object, probability: object,
                   column: str) -> tuple[str, str]:
    rows, ty = t["customer"], ctx.typist
    single = [a for a in ctx.accounts if len(a.projects) == 1]
    acc = _pick_account(ctx, single or ctx.accounts)
    first = next(r for r in rows if r.account == acc.id and r.kind == "data")
    topics = [x for x in pools.INDUSTRIES[acc.industry][3] if x not in {p.name for p in acc.projects}]
    new = Row(dict(first.values), acc.id)
    new.values.update({
        "project": topics[0] if topics else f"{acc.industry}二期项目", "stage": stage, "value": value,
        "probability": probability, "expected_close": ty.date(ctx.as_of + timedelta(days=ctx.rng.randint(90, 240))),
        "budget": ty.yesno(False), "decision_maker": ty.yesno(False), "need": ty.yesno(True),
        "need_desc": "客户提出新需求，待进一步调研", "resource_needs": None, "win_loss_reason": None,
    })
    rows.insert(_after_account(rows, acc.id), new)
    return _mark(new, key, column, new.values[column])


def _money_text(t: Tables, ctx: Context) -> tuple[str, str]:
    return _extra_project(t, ctx, "money-text", "客户开发", "五十万", None, "value")


def _percent_range(t: Tables, ctx: Context) -> tuple[str, str]:
    return _extra_project(t, ctx, "percent-range", "提案", 80, "150%", "probability")


def _percent_text(t: Tables, ctx: Context) -> tuple[str, str]:
    return _extra_project(t, ctx, "percent-text", "立项", 60, "较高", "probability")


def _close_date_passed(t: Tables, ctx: Context) -> tuple[str, str]:
    rows = t["customer"]
    idx = [i for i in _data(rows, Project) if rows[i].fact.stage in OPEN[2:5]  # type: ignore[attr-defined]
           and rows[i].account not in ctx.used]
    idx = idx or [i for i in _data(rows, Project) if rows[i].fact.stage in OPEN[:5]]  # type: ignore[attr-defined]
    row = rows[_middle(idx)]
    return _mark(row, "close-date-passed", "expected_close", ctx.typist.date(ctx.as_of - timedelta(days=20)))


_APPLY = {
    "bad-month": _bad_month, "unknown-stage": _unknown_stage, "unknown-account": _unknown_account,
    "duplicate-account": _duplicate, "influence-range": _influence_range, "attitude-typo": _attitude_typo,
    "missing-name": _missing_name, "money-text": _money_text, "percent-range": _percent_range,
    "percent-text": _percent_text, "contact-unknown": _contact_unknown, "reports-to-unknown": _reports_to_unknown,
    "future-date": _future_date, "close-date-passed": _close_date_passed,
}
