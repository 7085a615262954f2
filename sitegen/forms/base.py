"""What a standard form is: its columns, their aliases, value types and enumerations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    TEXT = "text"
    ID = "id"
    MARKDOWN = "markdown"
    DATE = "date"
    MONEY = "money"  # 万元
    YUAN = "yuan"  # 元
    PERCENT = "percent"
    INT = "int"
    SCORE = "score"  # 1..5
    INFLUENCE = "influence"  # 1..5 or 高/中/低
    YESNO = "yesno"
    ENUM = "enum"
    MULTI = "multi"  # several values of an enumeration
    STAGE = "stage"
    RELATIONSHIP = "relationship"  # 认识..同盟 or 1..5
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str  # canonical Chinese header
    kind: Kind = Kind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    enum: str = ""  # name of an enumeration in forms.values (for ENUM and MULTI)
    help: str = ""  # what the rep types, in Chinese (used by templates and docs)
    example: str = ""
    en: str = ""  # English label
    user_aliases: tuple[str, ...] = ()  # from sitegen.yaml: matched before any built-in alias (issue 15)

    def name(self, lang: str) -> str:
        """The column's name in messages."""
        return self.en if lang == "en" and self.en else self.label

    @property
    def aliases_in_force(self) -> tuple[str, ...]:
        """The header names this column accepts besides its own, the user's first."""
        out: list[str] = []
        for a in (*self.user_aliases, *self.aliases):
            if a and a not in out:
                out.append(a)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class FormSpec:
    key: str  # customer, competition, keyperson, followup, targets
    title: str  # canonical Chinese name of the form
    en: str
    sheet_names: tuple[str, ...]  # words that identify the form in a sheet or file name
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


_PAREN = re.compile(r"[(（\[【].*?[)）\]】]")
_SPACE = re.compile(r"[\s\u3000*＊:：]+")


def header_key(text: object) -> str:
    """Normalise a header cell for matching: full-width to half-width, no spaces, no '*', lower case."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _SPACE.sub("", s).lower()


def header_key_loose(text: object) -> str:
    """Like header_key, with parenthesised units removed: 预计金额（万元） -> 预计金额."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _SPACE.sub("", _PAREN.sub("", s)).lower()
