"""Two weeks of a small generated department: week 1 as generated, week 2 as the reps would leave their
workbooks a week later (edited with openpyxl: a stage moved, a close date pushed, a deal won, a value changed,
a key person added, an attitude changed, an account deleted, a competitor added, two new follow-ups).

Used by test_weekly_site.py, test_audiences.py and test_last_good.py. Every choice is made from the week-1
data in a fixed order, so the same seed gives the same edits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from sitegen.build import BuildOptions, BuildResult, build
from sitegen.config import Config, load_config

WEEK1 = date(2026, 11, 20)
WEEK2 = date(2026, 11, 27)
SEED = 20261120
OPEN_EARLY = ("立项", "提案")  # stages a deal can advance from in the test


def make_project(root: Path, *, teams: int = 2, reps_per_team: int = 2, accounts: int = 12, seed: int = SEED,
                 extra_yaml: str = "") -> Config:
    """A project under root: the generated department (layout a: one workbook per rep) and sitegen.yaml."""
    from sitegen.demo.generate import generate_department

    generate_department(root / "input", teams=teams, reps_per_team=reps_per_team, accounts=accounts, seed=seed,
                        as_of=WEEK1, mistakes=False, layouts=("a",))
    (root / "sitegen.yaml").write_text("title: 大客户部\n" + extra_yaml, encoding="utf-8")
    return load_config(root / "sitegen.yaml")


def build_week(config: Config, as_of: date) -> BuildResult:
    result = build(config, BuildOptions(as_of=as_of, quiet=True))
    assert result.exit_code == 0
    return result


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Edits:
    """What week 2 changed, with the values the site must show."""

    advanced: tuple[str, str, str, str] = ("", "", "", "")  # account, project, from stage, to stage
    slipped: tuple[str, str, str, str, int] = ("", "", "", "", 0)  # account, project, from, to, days
    won: tuple[str, str, str] = ("", "", "")  # account, project, from stage
    value: tuple[str, str, float, float] = ("", "", 0.0, 0.0)  # account, project, from, to
    person_added: tuple[str, str] = ("", "")  # account, name
    attitude: tuple[str, str, str, str] = ("", "", "", "")  # account, person, from, to
    removed: tuple[str, str, str] = ("", "", "")  # account, name, rep
    competitor: tuple[str, str] = ("", "")  # account, party
    followups: tuple[str, int, int] = ("", 0, 0)  # rep, contacts added this week, of which effective
    # with every_kind only:
    fell_back: tuple[str, str, str, str] = ("", "", "", "")  # account, project, from stage, to stage
    pulled_in: tuple[str, str, str, str, int] = ("", "", "", "", 0)  # account, project, from, to, days
    lost: tuple[str, str, str] = ("", "", "")  # account, project, from stage
    person_removed: tuple[str, str] = ("", "")  # account, name
    relationship: tuple[str, str, int, int] = ("", "", 0, 0)  # account, person, from, to
    new_account: tuple[str, str, str] = ("", "", "")  # account, name, rep
    files: dict[str, str] = field(default_factory=dict)  # account -> workbook (relative to input)


class Sheet:
    """A table sheet with its header in row 1 (layout a), addressed by header names."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.col = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        out = []
        for r in range(2, self.ws.max_row + 1):
            values = {h: self.ws.cell(r, c).value for h, c in self.col.items()}
            if any(v not in (None, "") for v in values.values()):
                out.append((r, values))
        return out

    def find(self, **match: Any) -> int:
        for r, v in self.rows():
            if all(str(v.get(k) or "").strip() == str(want) for k, want in match.items()):
                return r
        raise LookupError(f"{self.ws.title}: no row {match}")

    def set(self, row: int, header: str, value: Any) -> None:
        self.ws.cell(row, self.col[header]).value = value

    def append(self, values: dict[str, Any]) -> None:
        row = self.ws.max_row + 1
        for h, v in values.items():
            self.ws.cell(row, self.col[h]).value = v

    def delete_where(self, header: str, value: str) -> int:
        rows = [r for r, v in self.rows() if str(v.get(header) or "").strip() == value]
        for r in reversed(rows):
            self.ws.delete_rows(r)
        return len(rows)


def edit_week2(input_dir: Path, accounts_json: list[dict[str, Any]], persons: dict[str, list[str]], *,
               every_kind: bool = False, avoid: set[str] | None = None) -> Edits:
    """Edit the week-1 workbooks as reps would; `accounts_json` is week 1's data/accounts.json, `persons` the
    key persons' names per account. Each edit touches a different account, among those kept in one-workbook-per-
    rep files (layout a) and not in `avoid` (e.g. accounts with data problems). `every_kind` adds the edits that
    make the remaining kinds of change: a new account, a stage fallen back, a close date pulled in, a deal lost,
    a key person removed, a relationship stage changed (it needs more accounts than the small department has)."""
    edits = Edits()
    file_of = {k: v for k, v in _files_of_accounts(input_dir).items() if k not in (avoid or set())}
    edits.files = dict(file_of)
    used: set[str] = set()
    reps = sorted({a["rep"] for a in accounts_json if a["id"] in file_of})

    def pick(pred: Any, rep: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        for a in sorted(accounts_json, key=lambda a: a["id"]):
            if a["id"] in used or a["id"] not in file_of or (rep and a["rep"] != rep):
                continue
            for p in a["projects"]:
                if pred(a, p):
                    used.add(a["id"])
                    return a, p
        raise LookupError("no account fits")

    books: dict[str, Any] = {}

    def sheet(account: str, name: str) -> Sheet:
        rel = file_of[account]
        if rel not in books:
            books[rel] = load_workbook(input_dir / rel)
        return Sheet(books[rel][name])

    def project_row(a: dict[str, Any], p: dict[str, Any]) -> tuple[Sheet, int]:
        s = sheet(a["id"], "客户档案表")
        return s, s.find(客户编号=a["id"], 项目名称=p["name"])

    def is_open(p: dict[str, Any]) -> bool:
        return p["stage"] not in ("赢单", "丢单", "暂停", "")

    def open_early(_a: dict[str, Any], p: dict[str, Any]) -> bool:
        return p["stage"] in OPEN_EARLY and bool(p["name"])

    # an account deleted by its rep (every row of it, in every sheet of the rep's workbook); a rep other
    # than the first one, so that several workbooks change
    a, _p = pick(lambda _a, _p: True, rep=reps[-1])
    for name in ("客户档案表", "竞争分析", "关键人分析", "客户跟进表"):
        sheet(a["id"], name).delete_where("客户编号", a["id"])
    edits.removed = (a["id"], a["name"], a["rep"])

    # a stage moved forward: 立项 -> 提案 or 提案 -> 招投标
    a, p = pick(open_early)
    to = {"立项": "提案", "提案": "招投标"}[p["stage"]]
    s, row = project_row(a, p)
    s.set(row, "销售阶段", to)
    edits.advanced = (a["id"], p["name"], p["stage"], to)

    # an expected close date pushed back 30 days
    a, p = pick(lambda _a, p: bool(p["expected_close"] and is_open(p) and p["name"]))
    old = date.fromisoformat(p["expected_close"])
    new = old + timedelta(days=30)
    s, row = project_row(a, p)
    s.set(row, "预计成交日期", new)
    edits.slipped = (a["id"], p["name"], old.isoformat(), new.isoformat(), 30)

    # a deal won
    a, p = pick(lambda _a, p: p["stage"] in ("招投标", "商务谈判", "提案") and bool(p["name"]))
    s, row = project_row(a, p)
    s.set(row, "销售阶段", "赢单")
    edits.won = (a["id"], p["name"], p["stage"])

    # an expected value raised by 50 万元
    a, p = pick(lambda _a, p: p["value"] is not None and is_open(p) and bool(p["name"]))
    s, row = project_row(a, p)
    s.set(row, "预计金额(万元)", p["value"] + 50)
    edits.value = (a["id"], p["name"], p["value"], p["value"] + 50)

    # a key person added
    a, _p = pick(lambda a, _p: a["id"] in persons)
    s = sheet(a["id"], "关键人分析")
    s.append({"客户编号": a["id"], "客户名称": a["name"], "姓名": "欧阳新", "部门": "信息中心", "职务": "副主任",
              "购买角色": "推荐者", "影响力": 3, "态度": "接受", "关系阶段": "约会"})
    edits.person_added = (a["id"], "欧阳新")

    # a key person's attitude changed (to 抵触 unless already against us, then to 接受)
    a, _p = pick(lambda a, _p: a["id"] in persons)
    s = sheet(a["id"], "关键人分析")
    row, name, before = next((r, str(v["姓名"]).strip(), _canonical_attitude(v["态度"])) for r, v in s.rows()
                             if str(v["客户编号"]).strip() == a["id"] and _canonical_attitude(v["态度"]))
    after = "接受" if before in ("抵触", "恶意拆台") else "抵触"
    s.set(row, "态度", after)
    edits.attitude = (a["id"], name, before, after)

    # a competitor appears on a deal
    a, _p = pick(lambda _a, p: is_open(p))
    s = sheet(a["id"], "竞争分析")
    s.append({"客户编号": a["id"], "客户名称": a["name"], "竞争方": "新锐科技", "产品/方案": "低价方案", "报价(万元)": 100,
              "威胁程度": "高"})
    edits.competitor = (a["id"], "新锐科技")

    if every_kind:
        _every_other_kind(edits, pick, project_row, sheet, persons, accounts_json, file_of)

    # two follow-ups this week by the first rep, one an effective meeting
    rep = reps[0]
    mine = sorted(x["id"] for x in accounts_json if x["rep"] == rep and x["id"] in file_of and x["id"] not in
                  (edits.removed[0],))
    s = sheet(mine[0], "客户跟进表")
    s.append({"日期": WEEK2 - timedelta(days=3), "客户编号": mine[0], "客户经理": rep, "跟进方式": "拜访",
              "目的": "推进方案", "主要内容": "方案交流", "有效面谈": "是"})
    s.append({"日期": WEEK2 - timedelta(days=2), "客户编号": mine[-1], "客户经理": rep, "跟进方式": "电话",
              "目的": "约时间", "主要内容": "约下周拜访", "有效面谈": "否"})
    edits.followups = (rep, 2, 1)

    for rel, wb in books.items():
        wb.save(input_dir / rel)
    return edits


RELATIONSHIPS = ("认识", "约会", "认同", "信赖", "同盟")
NEW_ACCOUNT = "KA-900"


def _every_other_kind(edits: Edits, pick: Any, project_row: Any, sheet: Any, persons: dict[str, list[str]],
                      accounts_json: list[dict[str, Any]], file_of: dict[str, str]) -> None:
    def is_open(p: dict[str, Any]) -> bool:
        return p["stage"] not in ("赢单", "丢单", "暂停", "")

    # a stage fallen back: 招投标 -> 提案 or 提案 -> 立项
    a, p = pick(lambda _a, p: p["stage"] in ("提案", "招投标") and bool(p["name"]))
    to = {"提案": "立项", "招投标": "提案"}[p["stage"]]
    s, row = project_row(a, p)
    s.set(row, "销售阶段", to)
    edits.fell_back = (a["id"], p["name"], p["stage"], to)

    # a close date pulled in by 14 days
    a, p = pick(lambda _a, p: bool(p["expected_close"] and is_open(p) and p["name"]))
    old = date.fromisoformat(p["expected_close"])
    s, row = project_row(a, p)
    s.set(row, "预计成交日期", old - timedelta(days=14))
    edits.pulled_in = (a["id"], p["name"], old.isoformat(), (old - timedelta(days=14)).isoformat(), -14)

    # a deal lost on price
    a, p = pick(lambda _a, p: is_open(p) and bool(p["name"]))
    s, row = project_row(a, p)
    s.set(row, "销售阶段", "丢单")
    s.set(row, "赢丢原因", "价格")
    edits.lost = (a["id"], p["name"], p["stage"])

    # a key person removed (the last one listed)
    a, _p = pick(lambda a, _p: len(persons.get(a["id"], [])) >= 2)
    name = persons[a["id"]][-1]
    s = sheet(a["id"], "关键人分析")
    s.ws.delete_rows(s.find(客户编号=a["id"], 姓名=name))
    edits.person_removed = (a["id"], name)

    # a key person's relationship stage moved up one (or down one from 同盟)
    def level(v: Any) -> int | None:
        text = str(v or "").strip()
        if text in RELATIONSHIPS:
            return RELATIONSHIPS.index(text) + 1
        return int(text) if text.isdigit() and 1 <= int(text) <= 5 else None

    a, _p = pick(lambda a, _p: a["id"] in persons)
    s = sheet(a["id"], "关键人分析")
    row, name, before = next((r, str(v["姓名"]).strip(), level(v["关系阶段"])) for r, v in s.rows()
                             if str(v["客户编号"]).strip() == a["id"] and level(v["关系阶段"]))
    after = before + 1 if before < 5 else before - 1
    s.set(row, "关系阶段", RELATIONSHIPS[after - 1])
    edits.relationship = (a["id"], name, before, after)

    # a new account in the first rep's workbook
    rep = sorted({x["rep"] for x in accounts_json if x["id"] in file_of})[0]
    theirs = next(x for x in sorted(accounts_json, key=lambda x: x["id"]) if x["rep"] == rep and x["id"] in file_of)
    s = sheet(theirs["id"], "客户档案表")
    s.append({"客户编号": NEW_ACCOUNT, "项目名称": "智慧园区", "客户名称": "新星智能科技有限公司", "客户经理": rep,
              "所属团队": theirs["team"], "客户类别": "潜在大客户", "客户等级": "B", "销售阶段": "客户开发",
              "预计金额(万元)": 80, "预计成交日期": date(2027, 6, 30)})
    edits.new_account = (NEW_ACCOUNT, "新星智能科技有限公司", rep)


_ATTITUDES = {"支持": "接受", "中立": "怀疑", "反对": "抵触"}


def _canonical_attitude(value: Any) -> str:
    text = str(value or "").strip()
    return _ATTITUDES.get(text, text)


def _files_of_accounts(input_dir: Path) -> dict[str, str]:
    """account id -> the one-workbook-per-rep file (layout a: the four forms, headers in row 1) whose 客户档案表
    holds it. Accounts found in more than one file are left out."""
    out: dict[str, str] = {}
    twice: set[str] = set()
    for path in sorted(input_dir.rglob("*.xlsx")):
        wb = load_workbook(path, read_only=True)
        try:
            if not {"客户档案表", "竞争分析", "关键人分析", "客户跟进表"} <= set(wb.sheetnames):
                continue
            rows = wb["客户档案表"].iter_rows(values_only=True)
            header = [str(h or "").strip() for h in next(rows)]
            if "客户编号" not in header:
                continue
            k = header.index("客户编号")
            for r in rows:
                if r and r[k]:
                    aid = str(r[k]).strip()
                    rel = path.relative_to(input_dir).as_posix()
                    if out.setdefault(aid, rel) != rel:
                        twice.add(aid)
        finally:
            wb.close()
    return {k: v for k, v in out.items() if k not in twice}


def persons_of(config: Config) -> dict[str, list[str]]:
    """Key persons per account, read from the input (names only, in sheet order)."""
    out: dict[str, list[str]] = {}
    for path in sorted(config.input_dir.rglob("*.xlsx")):
        wb = load_workbook(path, read_only=True)
        if "关键人分析" in wb.sheetnames:
            rows = wb["关键人分析"].iter_rows(values_only=True)
            header = [str(h or "").strip() for h in next(rows, ())]
            if "客户编号" in header and "姓名" in header:  # layout a (headers in row 1)
                k, n = header.index("客户编号"), header.index("姓名")
                for r in rows:
                    if r and r[k] and r[n]:
                        out.setdefault(str(r[k]).strip(), []).append(str(r[n]).strip())
        wb.close()
    return out
