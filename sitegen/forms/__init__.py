"""The standard forms. `forms_for(config)` gives them with the configured score dimensions and aliases."""

from __future__ import annotations

from dataclasses import replace

from .base import Column, FormSpec, Kind, header_key, header_key_loose
from .competition import FORM as COMPETITION
from .customer import FORM as CUSTOMER
from .followup import FORM as FOLLOWUP
from .keyperson import FORM as KEYPERSON
from .targets import FORM as TARGETS

BASE_FORMS: tuple[FormSpec, ...] = (CUSTOMER, COMPETITION, KEYPERSON, FOLLOWUP, TARGETS)

__all__ = [
    "BASE_FORMS", "COMPETITION", "CUSTOMER", "FOLLOWUP", "KEYPERSON", "TARGETS",
    "Column", "FormSpec", "Kind", "check_aliases", "header_key", "header_key_loose", "forms_for",
]


def forms_for(score_dimensions: tuple[str, ...], aliases: dict[str, dict[str, list[str]]]) -> tuple[FormSpec, ...]:
    """The forms as this department uses them: score columns from config, extra aliases from config.

    `aliases` maps form key -> canonical label, column key or English name -> extra header names. They
    are matched before every built-in alias; an empty list takes the column's built-in aliases away
    (`项目名称: []` frees 项目 for another column). check_aliases() has vetted them.
    """
    out = []
    for form in BASE_FORMS:
        cols = list(form.columns)
        if form.key == "competition":
            at = next(i for i, c in enumerate(cols) if c.key == "threat")
            scores = [
                Column(f"score:{d}", d, Kind.SCORE, False, (), help="1–5 分，5 分最强", example="4", en=d)
                for d in score_dimensions
            ]
            cols[at:at] = scores
        extra = aliases.get(form.key, {})
        if extra:
            new = []
            for c in cols:
                named = [n for n in _names(c) if n in extra]
                if not named:
                    new.append(c)
                    continue
                more: list[str] = []
                for n in named:
                    more += [a for a in extra[n] if a not in more]
                built_in = () if all(not extra[n] for n in named) else c.aliases
                new.append(replace(c, aliases=built_in, user_aliases=tuple(more)))
            cols = new
        out.append(FormSpec(form.key, form.title, form.en, form.sheet_names, tuple(cols)))
    return tuple(out)


def _names(c: Column) -> tuple[str, ...]:
    return tuple(n for n in (c.label, c.key, c.en) if n)


def check_aliases(score_dimensions: tuple[str, ...], aliases: dict[str, dict[str, list[str]]],
                  lang: str = "zh") -> list[str]:
    """What is wrong with the `aliases` of sitegen.yaml, one message per mistake naming its key: a column
    the form does not have, or an alias that is another column's own name (the header would mean two
    things), unless that column lists it too. The same alias under several columns is allowed: that header
    then feeds each of them."""
    en = lang == "en"
    problems: list[str] = []
    forms = {f.key: f for f in forms_for(score_dimensions, {})}
    for form_key, cols in aliases.items():
        form = forms.get(form_key)
        if form is None:
            continue  # config.py reports an unknown form
        by_name: dict[str, Column] = {}
        for c in form.columns:
            for n in _names(c):
                by_name.setdefault(header_key(n), c)
        for name, names in cols.items():
            col = next((c for c in form.columns if name in _names(c)), None)
            if col is None:
                known = "、".join(c.label for c in form.columns)
                problems.append(
                    f"“aliases.{form_key}.{name}”: {form.en} has no column “{name}”. Columns: {known}" if en else
                    f"“aliases.{form_key}.{name}”：{form.title}没有“{name}”这一列。可用的列：{known}")
                continue
            for alias in names:
                other = by_name.get(header_key(alias))
                listed_for_other = any(header_key(alias) in {header_key(a) for a in ns}
                                       for n, ns in cols.items() if other is not None and n in _names(other))
                if other is not None and other.key != col.key and not listed_for_other:
                    problems.append(
                        f"“aliases.{form_key}.{name}”: “{alias}” is the own name of the column “{other.label}”; "
                        f"a header “{alias}” would be claimed by both “{col.label}” and “{other.label}”" if en else
                        f"“aliases.{form_key}.{name}”：别名“{alias}”是另一列“{other.label}”的标准列名，"
                        f"表头“{alias}”会同时被“{col.label}”和“{other.label}”认领")
    return problems
