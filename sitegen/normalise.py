"""Raw cell values -> typed values, accepting every format reps type (domain.md "Values as reps type them").

Each parser returns the typed value, or raises `Invalid(code)` with the issue code to report. A blank
cell is `None` before any parser is called.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from .forms.values import INFLUENCE_WORDS, NO_WORDS, RELATIONSHIPS, YES_WORDS


class Invalid(Exception):
    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


_EXCEL_EPOCH = date(1899, 12, 30)
_WS = re.compile(r"\s+")


def nfkc(value: object) -> str:
    """Full-width to half-width, trimmed. Used for everything that is parsed (not for free text)."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def text(value: object) -> str:
    """Free text as typed, trimmed; numbers shown without a spurious .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 10)).rstrip("0").rstrip(".") if "e" not in repr(value) else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).replace("\r\n", "\n").strip()


def ident(value: object) -> str:
    """An id or a name used as a key: NFKC, single spaces, no spaces around."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _WS.sub(" ", nfkc(value))


# ---------------------------------------------------------------- dates

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$")


def excel_serial(n: float) -> date:
    if not 1 <= n < 2958466:
        raise Invalid("value-date")
    return _EXCEL_EPOCH + timedelta(days=int(n))


# What took its year from the reference (as-of) date in this process, in order: ("d", month, day) for a
# date typed without its year, ("m", month) for a month. A reader takes the part its file added.
AS_OF_KEYS: list[tuple[str, int, int]] = []


def _year_for(ref: date, month: int, day: int) -> date:
    """11月3日 read on `ref`: this year's, or last year's when this year's is more than 60 days ahead."""
    d = date(ref.year, month, day)
    if d > ref + timedelta(days=60):
        d = date(ref.year - 1, month, day)
    return d


def same_reading(keys: Iterable[tuple[str, int, int]], before: date, after: date) -> bool:
    """Whether every value of AS_OF_KEYS reads the same on `after` as it did on `before`."""
    for kind, month, day in keys:
        if kind == "m":
            if before.year != after.year:
                return False
            continue
        try:
            was: date | None = _year_for(before, month, day)
        except ValueError:  # 2月29日 outside a leap year
            was = None
        try:
            now: date | None = _year_for(after, month, day)
        except ValueError:
            now = None
        if was != now:
            return False
    return True


def parse_date(value: object, *, ref: date | None = None) -> date:
    """Excel dates, serial numbers, 2026-11-03, 2026/11/3, 2026.11.3, 2026年11月3日, 20261103, 11月3日.

    A date without a year takes the year of `ref` (the as-of date), or the year before when that would put
    it more than 60 days after `ref`.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise Invalid("value-date")
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return parse_date(str(int(value)), ref=ref)
        return excel_serial(float(value))
    s = nfkc(value)
    s = s.split("（")[0].split("(")[0].strip() if s[:4].isdigit() else s
    m = _YMD.match(s) or _YMD_COMPACT.match(s)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _MD.match(s)
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            AS_OF_KEYS.append(("d", month, day))
            return _year_for(ref or date.today(), month, day)
    except ValueError:
        raise Invalid("value-date") from None
    try:
        return datetime.fromisoformat(s).date()
    except ValueError:
        pass
    try:
        number = float(s)
    except ValueError:
        raise Invalid("value-date") from None
    return excel_serial(number)


_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def parse_month(value: object, *, ref: date | None = None) -> str:
    """2026-11, 2026/11, 2026年11月, an Excel date, or 11月 (year of ref) -> "2026-11"."""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    s = nfkc(value)
    m = _MONTH.match(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    m = re.match(r"^(\d{1,2})\s*月?$", s)
    if m and 1 <= int(m.group(1)) <= 12:
        AS_OF_KEYS.append(("m", int(m.group(1)), 0))
        year = (ref or date.today()).year
        return f"{year:04d}-{int(m.group(1)):02d}"
    try:
        d = parse_date(value, ref=ref)
    except Invalid:
        raise Invalid("value-date") from None
    return f"{d.year:04d}-{d.month:02d}"


# ---------------------------------------------------------------- numbers

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _number(s: str) -> float:
    s = s.replace(" ", "")
    if "," in s:
        if not _GROUPED.match(s):  # 12,5 or 1,2: not thousands, and not a decimal comma we could trust
            raise ValueError(s)
        s = s.replace(",", "")
    if not _NUM.match(s):
        raise ValueError(s)
    f = float(s)
    if not math.isfinite(f):
        raise ValueError(s)
    return f


def parse_number(value: object, *, code: str = "value-number") -> float:
    if isinstance(value, bool):
        raise Invalid(code)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise Invalid(code)
        return float(value)
    s = nfkc(value)
    try:
        return _number(s)
    except ValueError:
        raise Invalid(code) from None


def parse_int(value: object) -> int:
    """Integers, also with thousands separators or a unit after them (80人, 1,200 人)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        f = parse_number(value)
    else:
        s = re.sub(r"(人|名|个|次|户|家)$", "", nfkc(value)).strip()
        f = parse_number(s)
    if not f.is_integer():
        raise Invalid("value-number")
    return int(f)


_MONEY_UNITS = (("万元", 1.0), ("万", 1.0), ("亿元", 10000.0), ("亿", 10000.0), ("元", 0.0001))


def parse_money(value: object, *, scale: float = 1.0) -> float:
    """万元. Numbers (× scale), 12.5万, 125,000元, ¥12.5万, 1.2亿, full-width digits."""
    if isinstance(value, bool):
        raise Invalid("value-money")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise Invalid("value-money")
        return float(value) * scale
    s = nfkc(value).replace("¥", "").replace("￥", "").replace("RMB", "").replace("rmb", "").strip()
    factor = None
    for unit, f in _MONEY_UNITS:
        if s.endswith(unit):
            s, factor = s[: -len(unit)].strip(), f
            break
    try:
        n = _number(s)
    except ValueError:
        raise Invalid("value-money") from None
    return n * (factor if factor is not None else scale)


def parse_yuan(value: object) -> float:
    """元: 300, 1,200元, ¥300, 0.5万 (-> 5000)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_number(value, code="value-money")
    s = nfkc(value).replace("¥", "").replace("￥", "").strip()
    factor = 1.0
    if s.endswith("万元") or s.endswith("万"):
        s, factor = s.rstrip("元").rstrip("万"), 10000.0
    elif s.endswith("元"):
        s = s[:-1]
    try:
        return _number(s) * factor
    except ValueError:
        raise Invalid("value-money") from None


def parse_percent(value: object) -> float:
    """0..1 from 40%, 0.4, 40 (a number above 1 is read as percent). Above 100% is out of range."""
    if isinstance(value, bool):
        raise Invalid("value-percent")
    pct = False
    if isinstance(value, (int, float)):
        f = float(value)
    else:
        s = nfkc(value).replace(" ", "")
        pct = s.endswith("%") or s.endswith("％")
        s = s.rstrip("%％")
        try:
            f = _number(s)
        except ValueError:
            raise Invalid("value-percent") from None
        if pct:
            f = f / 100.0
    if not math.isfinite(f):
        raise Invalid("value-percent")
    if f > 1 and not pct:  # 40 means 40%; 150% stays 1.5 and is out of range
        f = f / 100.0
    if f < 0 or f > 1:
        raise Invalid("value-range", low="0%", high="100%")
    return round(f, 6)


def parse_yesno(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = nfkc(value).lower()
    if s in YES_WORDS:
        return True
    if s in NO_WORDS:
        return False
    raise Invalid("value-yesno")


def parse_scale(value: object, *, low: int = 1, high: int = 5, words: dict[str, int] | None = None) -> int:
    """An integer score within [low, high]; `words` maps e.g. 高/中/低 to numbers."""
    if words and isinstance(value, str):
        w = nfkc(value)
        if w in words:
            return words[w]
    try:
        f = parse_number(value)
    except Invalid:
        raise Invalid("value-number") from None
    if not f.is_integer() or not low <= f <= high:
        raise Invalid("value-range", low=low, high=high)
    return int(f)


def parse_influence(value: object) -> int:
    return parse_scale(value, words=INFLUENCE_WORDS)


def parse_relationship(value: object) -> int:
    s = nfkc(value) if isinstance(value, str) else value
    if isinstance(s, str):
        for i, name in enumerate(RELATIONSHIPS, 1):
            if s == name or s == f"{i}-{name}" or s == f"{i}{name}":
                return i
    try:
        return parse_scale(value)
    except Invalid as exc:
        if exc.code == "value-number":
            raise Invalid("value-enum") from None
        raise


def enum_key(value: object) -> str:
    return _WS.sub("", nfkc(value)).lower()


def parse_enum(value: object, accepted: tuple[str, ...], aliases: dict[str, str]) -> str:
    """One value of an enumeration, by its name or an alias (compared without spaces, case-insensitive)."""
    key = enum_key(value)
    for a in accepted:
        if enum_key(a) == key:
            return a
    for alias, target in aliases.items():
        if enum_key(alias) == key:
            return target
    raise Invalid("value-enum")


_SPLIT = re.compile(r"[,，、/;；\s]+")


def parse_multi(value: object, accepted: tuple[str, ...], aliases: dict[str, str]) -> tuple[str, ...]:
    parts = [p for p in _SPLIT.split(nfkc(value)) if p]
    out: list[str] = []
    for p in parts:
        v = parse_enum(p, accepted, aliases)
        if v not in out:
            out.append(v)
    if not out:
        raise Invalid("value-enum")
    return tuple(out)


def _stage_lookup(names: tuple[str, ...], aliases: dict[str, str]) -> dict[str, str]:
    """enum_key -> stage: the names, then the aliases in order (a later alias of the same key wins, so the
    user's aliases, merged after the built-in ones, take precedence)."""
    out = {enum_key(n): n for n in names}
    name_keys = set(out)
    for alias, target in aliases.items():
        k = enum_key(alias)
        if k not in name_keys:
            out[k] = target
    return out


_STAGE_NUMBER = re.compile(r"^(?:阶段|第)?\s*(\d)\s*(?:阶段)?[-.、:：)）\s]*(.*)$")


def parse_stage(value: object, names: tuple[str, ...], aliases: dict[str, str],
                ends: tuple[str, ...] = ("赢单", "丢单", "暂停")) -> str:
    """A stage by name, alias (S/P/A/D/C/O, 1–6, Closed Won, …), or forms like "3-提案", "阶段3", "提案阶段".

    A value is accepted only when all of it is understood: "3 提案" when the number and the name agree;
    "5 Closed Won" is won whatever the number (a CRM's list position: end states `ends` are not numbered
    stages). Anything else raises `value-stage-partial` or `value-stage-conflict` saying what was understood.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = nfkc(value)
    lookup = _stage_lookup(names, aliases)
    found = lookup.get(enum_key(s))
    if found is not None:
        return found
    m = _STAGE_NUMBER.match(s)
    if m:
        number, rest = m.group(1), m.group(2).strip()
        by_number = lookup.get(number)
        if rest and rest[0].isdigit():
            raise Invalid("value-enum")  # 3.5, 34
        named = _stage_words(rest, lookup) if rest else None
        if named is not None and by_number is not None and named != by_number and named not in ends:
            raise Invalid("value-stage-conflict", number=number, by_number=by_number, words=rest, named=named)
        if named is not None:
            return named
        if by_number is not None and not rest:
            return by_number
        if by_number is not None:
            raise Invalid("value-stage-partial", understood=number, stage=by_number, rest=rest)
    if s.endswith("阶段") and len(s) > 2:
        named = _stage_words(s[:-2], lookup)
        if named is not None:
            return named
    raise Invalid("value-enum")


def _stage_words(words: str, lookup: dict[str, str]) -> str | None:
    k = enum_key(words)
    found = lookup.get(k)
    if found is None and k.endswith("阶段") and len(k) > 2:
        found = lookup.get(k[:-2])
    return found
