"""Interface strings of the site, per language (sitegen/locale/<lang>.yaml). Chinese is the default.

A key missing from a language falls back to Chinese, then to the key itself, so a page never breaks
because a translation is missing (a test checks that both files hold the same keys).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("zh", "en")


@cache
def strings(lang: str) -> dict[str, str]:
    name = lang if lang in LANGUAGES else "zh"
    text = resources.files("sitegen").joinpath(f"locale/{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {str(k): str(v) for k, v in data.items()}


class Translator:
    """`t("nav.accounts")`, or with fields: `t("todo.overdue_days", n=3)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "zh"
        self._own = strings(self.lang)
        self._zh = strings("zh")

        self.table = Strings(self)

    def __call__(self, key: str, **fields: object) -> str:
        text = self._own.get(key) or self._zh.get(key) or key
        return text.format(**fields) if fields else text


class Strings(dict[str, str]):
    """The same strings as a mapping, for templates: `tr['nav.accounts']` is `t('nav.accounts')` without
    a call (a call from a template goes through Jinja's Context.call, ~5 µs; a page has ~150 of them)."""

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self._t = t

    def __missing__(self, key: str) -> str:
        text = self[key] = self._t(key)
        return text
