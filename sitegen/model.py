"""The department's data after reading and validation: plain, frozen, typed values.

Every record carries a `Source` so that pages, feedback workbooks and history can point back to the
exact file, sheet, row and cells it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from. `columns` maps column keys to Excel column letters and is shared by
    every row of a sheet (one tuple, not one per row: 250,000 follow-ups would otherwise hold millions
    of small tuples); `cells` holds the exceptions, e.g. a merged cell whose value sits in the top-left
    cell of its range, or a card layout's scattered value cells."""

    file: str  # relative to the input folder, with forward slashes
    sheet: str
    row: int  # 1-based Excel row (for card sheets: the row of the first label)
    cells: tuple[tuple[str, str], ...] = ()  # (column key, A1 ref) overriding `columns`
    columns: tuple[tuple[str, str], ...] = ()  # (column key, column letters), shared per sheet

    def cell(self, key: str) -> str:
        for k, ref in self.cells:
            if k == key:
                return ref
        for k, letters in self.columns:
            if k == key:
                return f"{letters}{self.row}"
        return ""

    @property
    def place(self) -> str:
        return f"{self.file} / {self.sheet} / 第{self.row}行"


@dataclass(frozen=True, slots=True)
class Project:
    account_id: str
    name: str  # "" for the implicit project of an account without 项目名称
    stage: str  # canonical stage name, "" when not filled
    value: float | None  # 万元
    probability: float | None  # 0..1, as typed; None = stage default
    expected_close: date | None
    budget: bool | None  # MAN: M
    decision_maker: bool | None  # MAN: A
    need: bool | None  # MAN: N
    need_desc: str = ""
    resource_needs: str = ""
    win_loss_reason: str = ""
    src: Source | None = None
    request_date: date | None = None  # 申请日期 of the resource request (issue 18)
    request_status: str = ""  # 处理状态 of the resource request


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    rep: str
    team: str
    category: str = ""
    grade: str = ""
    industry: str = ""
    region: str = ""
    nature: str = ""
    employees: int | None = None
    revenue: float | None = None  # 万元
    first_contact: date | None = None
    address: str = ""
    website: str = ""
    notes: str = ""  # Markdown, rendered and sanitised at render time
    projects: tuple[Project, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # (column label, text) of columns not in the form
    private: tuple[tuple[str, str], ...] = ()  # private fields: never published
    src: Source | None = None


@dataclass(frozen=True, slots=True)
class KeyPerson:
    account_id: str
    name: str
    dept: str = ""
    title: str = ""
    roles: tuple[str, ...] = ()
    influence: int | None = None  # 1..5
    attitude: str = ""  # canonical: 接受 怀疑 冷淡 抵触 恶意拆台
    relationship: int | None = None  # 1..5: 认识 约会 认同 信赖 同盟
    personal_need: tuple[str, ...] = ()
    org_need: str = ""
    style: str = ""
    reports_to: str = ""
    last_contact: date | None = None
    strategy: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    private: tuple[tuple[str, str], ...] = ()
    src: Source | None = None
    projects: tuple[str, ...] = ()  # 项目名称 of the projects this person takes part in; () = every project

    def serves(self, project: str) -> bool:
        """Is this person a buying influence of the account's project `project`?"""
        return not self.projects or project in self.projects


@dataclass(frozen=True, slots=True)
class CompetitionRow:
    account_id: str
    party: str
    is_us: bool
    offering: str = ""
    price: float | None = None  # 万元
    strengths: str = ""
    weaknesses: str = ""
    scores: tuple[tuple[str, int], ...] = ()  # (dimension, 1..5)
    threat: str = ""  # 高 中 低
    supporters: str = ""
    strategy: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    src: Source | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    date: date
    account_id: str
    rep: str
    method: str = ""
    contact: str = ""
    purpose: str = ""
    content: str = ""
    feedback: str = ""
    effective: bool | None = None
    stage: str = ""
    next_action: str = ""
    next_date: dt.date | None = None  # (`date` is a field of this class)
    expense: float | None = None  # 元
    project: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    src: Source | None = None
    satisfaction: int | None = None  # 满意度 1..5 (issue 18)


@dataclass(frozen=True, slots=True)
class Target:
    rep: str
    month: str  # "2026-11"
    visit_target: int | None = None
    sign_target: float | None = None  # 万元
    src: Source | None = None


@dataclass(frozen=True, slots=True)
class Rep:
    name: str
    team: str


@dataclass(frozen=True)
class Dataset:
    """Everything accepted from the input, plus the reps and teams it names."""

    accounts: tuple[Account, ...] = ()
    key_persons: tuple[KeyPerson, ...] = ()
    competition: tuple[CompetitionRow, ...] = ()
    followups: tuple[FollowUp, ...] = ()
    targets: tuple[Target, ...] = ()
    reps: tuple[Rep, ...] = field(default_factory=tuple)

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(sorted({r.team for r in self.reps if r.team}))
