"""How a rep types values: each rep has habits (Excel dates or text dates, 12.5万 or 125,000元, 是/否 or √/×).

Every format produced here is one that domain.md says the reader accepts ("Values as reps type them"),
so the demo stays clean apart from its listed mistakes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..forms.values import RELATIONSHIPS

Weights = tuple[tuple[str, int], ...]
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
_LETTERS = {"客户开发": ("S",), "立项": ("P", "A"), "提案": ("D",), "商务谈判": ("C",), "工程实施": ("O",)}
_WORDS = {5: "高", 3: "中", 1: "低"}
_ATTITUDE_ALIASES = {"接受": "支持", "怀疑": "中立", "抵触": "反对"}
_METHOD_ALIASES = {"拜访": "上门拜访", "电话": "电话沟通", "演示": "产品演示", "宴请": "吃饭"}
_NATURE_ALIASES = {"国企": "国有企业", "民企": "民营企业", "外企": "外资企业"}
_VIP = {"A": "VIP", "B": "MGC", "C": "BZ"}


@dataclass(frozen=True)
class Habits:
    profile: str
    dates: Weights  # excel, iso, slash, dot, cn, md
    money: Weights  # num, wan, yuan, yen, full
    percent: Weights  # pct, frac, int
    yesno: Weights  # cn, yn, tick
    stages: Weights  # name, letter, number
    fill_stage: float  # share of follow-ups whose 阶段 is filled (besides stage changes)
    trailing: float  # share of text cells with a trailing space
    fullwidth: float  # share of integer cells typed in full-width digits
    aliases: float  # share of enumerated values typed as an accepted alias
    blank_rows: int  # blank rows left in the middle of the follow-up table
    grade_vip: bool  # grades typed VIP / MGC / BZ instead of A / B / C
    us_word: str  # how the rep names us in the competition form


PROFILES: dict[str, Habits] = {
    "tidy": Habits("tidy", (("excel", 1),), (("num", 1),), (("pct", 1),), (("cn", 1),), (("name", 1),),
                   0.3, 0.0, 0.0, 0.0, 0, False, "我方"),
    "text": Habits("text", (("iso", 5), ("slash", 3), ("excel", 2)), (("num", 5), ("wan", 3)),
                   (("pct", 6), ("int", 4)), (("yn", 6), ("cn", 4)), (("name", 9), ("number", 1)),
                   0.6, 0.02, 0.0, 0.1, 1, True, "本公司"),
    "sloppy": Habits("sloppy", (("excel", 3), ("iso", 2), ("slash", 2), ("dot", 2), ("cn", 2), ("md", 2)),
                     (("num", 4), ("wan", 2), ("yuan", 2), ("yen", 2), ("full", 1)),
                     (("pct", 4), ("frac", 3), ("int", 3)), (("cn", 3), ("yn", 2), ("tick", 3)),
                     (("name", 6), ("letter", 2), ("number", 2)), 0.5, 0.05, 0.06, 0.3, 3, False, "我方"),
}
_PROFILE_CYCLE = ("sloppy", "tidy", "text")


def habits_of(index: int) -> Habits:
    """Rep `index`'s habits: the three profiles in turn, shifted every three reps for variety."""
    return PROFILES[_PROFILE_CYCLE[(index + index // 3) % 3]]


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


class Typist:
    """Types values the way one rep does. Deterministic for a given random stream."""

    def __init__(self, habits: Habits, rng: random.Random, as_of: date) -> None:
        self.h = habits
        self.rng = rng
        self.as_of = as_of

    def _style(self, weights: Weights) -> str:
        return self.rng.choices([s for s, _ in weights], [w for _, w in weights])[0]

    def date(self, d: date | None) -> object:
        if d is None:
            return None
        style = self._style(self.h.dates)
        if style == "md" and not (d.year == self.as_of.year and d <= self.as_of):
            style = "iso"  # 11月3日 takes its year from context: only for this year's past dates
        return {
            "excel": d, "iso": d.isoformat(), "slash": f"{d.year}/{d.month}/{d.day}",
            "dot": f"{d.year}.{d.month}.{d.day}", "cn": f"{d.year}年{d.month}月{d.day}日",
            "md": f"{d.month}月{d.day}日",
        }[style]

    def money(self, v: float | None, *, large: bool = False) -> object:
        """An amount in 万元 (`large`: a company's revenue, never typed in 元)."""
        if v is None:
            return None
        style = self._style(self.h.money)
        if large and style in ("yuan", "yen"):
            style = "wan"
        if style == "num":
            return int(v) if float(v).is_integer() else v
        if style == "wan":
            return f"{_num(v)}万"
        if style == "yuan":
            return f"{round(v * 10000):,}元"
        if style == "yen":
            return f"¥{_num(v)}万"
        return _num(v).translate(_FULLWIDTH)

    def yuan(self, v: int | None) -> object:
        """An amount in 元 (expenses)."""
        if v is None:
            return None
        style = self._style(self.h.money)
        if style in ("yuan", "wan", "yen"):
            return f"{v:,}元"
        if style == "full":
            return str(v).translate(_FULLWIDTH)
        return v

    def percent(self, p: float | None) -> object:
        if p is None:
            return None
        style = self._style(self.h.percent)
        whole = round(p * 100)
        return {"pct": f"{whole}%", "frac": round(p, 2), "int": whole}[style]

    def yesno(self, b: bool) -> str:
        style = self._style(self.h.yesno)
        return {"cn": ("否", "是"), "yn": ("N", "Y"), "tick": ("×", "√")}[style][int(b)]

    def stage(self, s: str) -> object:
        style = self._style(self.h.stages)
        if style == "letter" and s in _LETTERS:
            return self.rng.choice(_LETTERS[s])
        if style == "number" and s in _STAGE_NUMBERS:
            return _STAGE_NUMBERS[s]
        return s

    def integer(self, n: int | None) -> object:
        if n is None:
            return None
        if self.rng.random() < self.h.fullwidth:
            return str(n).translate(_FULLWIDTH)
        return n

    def text(self, s: str) -> str | None:
        if not s:
            return None
        if self.rng.random() < self.h.trailing:
            return s + " "
        return s

    def _alias(self, value: str, aliases: dict[str, str]) -> str:
        if value in aliases and self.rng.random() < self.h.aliases:
            return aliases[value]
        return value

    def attitude(self, a: str) -> str:
        return self._alias(a, _ATTITUDE_ALIASES)

    def method(self, m: str) -> str:
        return self._alias(m, _METHOD_ALIASES)

    def nature(self, n: str) -> str:
        return self._alias(n, _NATURE_ALIASES)

    def roles(self, roles: Sequence[str]) -> str:
        return "、".join(self._alias(r, {"决策者": "决策人"}) for r in roles)

    def influence(self, i: int) -> object:
        if i in _WORDS and self.rng.random() < self.h.aliases:
            return _WORDS[i]
        return i

    def relationship(self, r: int) -> object:
        if self.rng.random() < self.h.aliases:
            return r
        return RELATIONSHIPS[r - 1]

    def grade(self, g: str) -> str:
        return _VIP[g] if self.h.grade_vip else g


_STAGE_NUMBERS = {s: i + 1 for i, s in enumerate(("客户开发", "立项", "提案", "招投标", "商务谈判", "工程实施"))}
