"""Interface strings: every key a template names exists in both languages (a missing one would show the
key itself on the page), and the mapping templates use says the same as the call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.i18n import LANGUAGES, Translator, strings

TEMPLATES = Path(__file__).resolve().parent.parent / "sitegen" / "templates"
LITERAL_KEY = re.compile(r"(?<![\w.])(?:tr\['([a-z_.0-9]+)'\]|t\('([a-z_.0-9]+)'[,)])")


def template_keys() -> set[str]:
    keys = set()
    for p in TEMPLATES.glob("*.html"):
        for a, b in LITERAL_KEY.findall(p.read_text(encoding="utf-8")):
            keys.add(a or b)
    return keys


def test_templates_name_keys() -> None:
    assert len(template_keys()) > 100  # the pattern finds what the templates use


def test_both_languages_hold_the_same_keys() -> None:
    assert set(strings("zh")) == set(strings("en"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_a_template_names_exists(lang: str) -> None:
    missing = sorted(template_keys() - set(strings(lang)))
    assert not missing, f"{lang}: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_mapping_says_what_the_call_says(lang: str) -> None:
    t = Translator(lang)
    for key in [*sorted(template_keys())[:50], "no.such.key"]:
        assert t.table[key] == t(key)
    assert t.table["no.such.key"] == "no.such.key"  # falls back to the key, like the call
