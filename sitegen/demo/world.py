"""The demo department as facts: reps, accounts, projects, key persons and competition (the types).

`people` and `accounts` make them; nothing here knows about Excel (`rows` turns facts into cells as
reps type them). Every random choice comes from a `random.Random` derived from the seed and the thing
it is for (`rng_for`), so one account's data does not change when another part of the generator changes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

T = TypeVar("T")

STAGES = ("客户开发", "立项", "提案", "招投标", "商务谈判", "工程实施", "赢单", "丢单", "暂停")
OPEN = STAGES[:6]
WON, LOST, PAUSED = "赢单", "丢单", "暂停"
DEFAULT_PROBABILITY = {"客户开发": 0.1, "立项": 0.2, "提案": 0.4, "招投标": 0.6, "商务谈判": 0.8, "工程实施": 1.0}
SCORE_DIMENSIONS = ("品牌", "产品技术", "商务价格", "服务", "客户关系")

# (layout, writer) of rep i: a = one workbook per rep, b = one file per form with title rows, c = card layout
LAYOUT_CYCLE: tuple[tuple[str, str], ...] = (
    ("a", "openpyxl"), ("b", "openpyxl"), ("a", "xlsxwriter"),
    ("c", "openpyxl"), ("a", "openpyxl"), ("b", "xlsxwriter"),
    ("a", "xlsxwriter"), ("b", "openpyxl"), ("a", "openpyxl"),
)
_CN_DIGITS = "零一二三四五六七八九"


def rng_for(seed: int, *parts: object) -> random.Random:
    """An independent, reproducible random stream for one purpose (str seeds hash with SHA-512)."""
    return random.Random("/".join(str(p) for p in (seed, *parts)))


def pick(rng: random.Random, items: Sequence[T], weights: Sequence[int]) -> T:
    return rng.choices(items, weights)[0]


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals: 3 -> 三, 12 -> 十二, 20 -> 二十."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True, slots=True)
class Rep:
    name: str
    team: str
    layout: str  # "a" | "b" | "c"
    writer: str  # "openpyxl" | "xlsxwriter"
    region: str  # key of pools.REGIONS


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    stage: str
    value: float  # 万元
    probability: float | None  # as typed (0..1), None = left blank (stage default)
    expected_close: date | None
    budget: bool
    decision_maker: bool
    need: bool
    need_desc: str
    resource_needs: str
    win_loss_reason: str
    start_stage: int  # stage index at the start of the year (follow-ups progress from here)
    peak_stage: int  # last working stage reached before an end state (= stage index when open)
    switch: date | None  # date the end state (won / lost / paused) was reached

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    surname: str
    dept: str
    title: str
    roles: tuple[str, ...]
    influence: int
    attitude: str
    relationship: int  # 1..5
    personal_need: tuple[str, ...]
    org_need: str
    style: str
    reports_to: str
    phone: str
    email: str
    birthday: str
    hometown: str
    hobbies: str
    family: str
    strategy: str


@dataclass(frozen=True, slots=True)
class Party:
    party: str  # competitor name, or "" for us (typed 我方 / 本公司 by habit)
    offering: str
    price: float | None
    strengths: str
    weaknesses: str
    scores: tuple[int, ...]  # in SCORE_DIMENSIONS order
    threat: str
    supporters: str
    strategy: str


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    rep: str
    team: str
    category: str
    grade: str
    industry: str
    region: str
    nature: str
    employees: int
    revenue: float | None
    first_contact: date
    address: str
    phone: str
    website: str
    notes: str
    source: str
    projects: tuple[Project, ...]
    persons: tuple[Person, ...]
    parties: tuple[Party, ...]
    followups: int  # how many follow-ups to generate over the year
    quiet_days: int  # > 30: intentionally stale (days since the last contact); 0 = active
    overdue: bool  # the last next action is due and nobody followed up

    @property
    def open(self) -> bool:
        return any(p.is_open for p in self.projects)

    @property
    def has_decision_maker(self) -> bool:
        return any("决策者" in p.roles for p in self.persons)


@dataclass(frozen=True)
class World:
    seed: int
    as_of: date
    teams: tuple[str, ...]
    reps: tuple[Rep, ...]
    accounts: tuple[Account, ...]
    id_width: int
    rep_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def year_start(self) -> date:
        return self.as_of - timedelta(days=364)

    def accounts_of(self, rep: str) -> list[Account]:
        return [a for a in self.accounts if a.rep == rep]
