"""The standard forms. `forms_for(config)` gives them with the configured score dimensions and aliases."""

from __future__ import annotations

from .base import Column, FormSpec, Kind, header_key, header_key_loose
from .competition import FORM as COMPETITION
from .customer import FORM as CUSTOMER
from .followup import FORM as FOLLOWUP
from .keyperson import FORM as KEYPERSON
from .targets import FORM as TARGETS

BASE_FORMS: tuple[FormSpec, ...] = (CUSTOMER, COMPETITION, KEYPERSON, FOLLOWUP, TARGETS)

__all__ = [
    "BASE_FORMS", "COMPETITION", "CUSTOMER", "FOLLOWUP", "KEYPERSON", "TARGETS",
    "Column", "FormSpec", "Kind", "header_key", "header_key_loose", "forms_for",
]


def forms_for(score_dimensions: tuple[str, ...], aliases: dict[str, dict[str, list[str]]]) -> tuple[FormSpec, ...]:
    """The forms as this department uses them: score columns from config, extra aliases from config.

    `aliases` maps form key -> canonical label or column key -> extra header names.
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
                more = tuple(extra.get(c.label, ())) + tuple(extra.get(c.key, ()))
                new.append(Column(c.key, c.label, c.kind, c.required, c.aliases + more, c.enum, c.help, c.example, c.en)
                           if more else c)
            cols = new
        out.append(FormSpec(form.key, form.title, form.en, form.sheet_names, tuple(cols)))
    return tuple(out)
