"""The generated docs are current, and document every column, value, setting and CLI flag they mention."""

from __future__ import annotations

import re
import shlex
from datetime import date
from pathlib import Path

import pytest
import yaml

from sitegen import docs
from sitegen.cli import parser
from sitegen.config import DEFAULT_STAGE_ALIASES, DEFAULT_STAGES, SETTINGS, Config, config_from_dict
from sitegen.forms import Column
from sitegen.forms.values import ENUM_ALIASES, ENUMS, RELATIONSHIPS
from sitegen.issues import MESSAGES
from sitegen.read.extract import convert

DOCS = Path(__file__).resolve().parents[1] / "docs"
CFG = Config(root=Path("."))


@pytest.fixture(scope="module")
def forms_md() -> str:
    return (DOCS / "forms.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def config_md() -> str:
    return (DOCS / "config.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["forms.md", "config.md"])
def test_committed_docs_are_current(name: str) -> None:
    fresh = docs.render_all()[name]
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == fresh, f"docs/{name} is out of date: run `python -m sitegen.docs` and commit the result"


def test_check_mode_of_the_entry_point(tmp_path: Path) -> None:
    assert docs.main(["--out", str(DOCS), "--check"]) == 0
    assert docs.main(["--out", str(tmp_path), "--check"]) == 1
    assert docs.main(["--out", str(tmp_path)]) == 0
    assert docs.main(["--out", str(tmp_path), "--check"]) == 0


def test_every_column_and_alias_is_documented(forms_md: str) -> None:
    for form in docs.department_forms(CFG):
        assert form.title in forms_md
        for col in form.columns:
            assert f"**{col.label}**" in forms_md, col.label
            for alias in col.aliases:
                assert f"`{alias}`" in forms_md, (col.label, alias)


def test_every_enumerated_value_is_documented(forms_md: str) -> None:
    for name, values in ENUMS.items():
        for v in values:
            assert v in forms_md, (name, v)
        for alias, target in ENUM_ALIASES[name].items():
            assert f"{alias}（={target}）" in forms_md, (name, alias)
    for s in DEFAULT_STAGES:
        assert s.name in forms_md
    for alias in DEFAULT_STAGE_ALIASES:
        assert f"`{alias}`→" in forms_md
    for r in RELATIONSHIPS:
        assert r in forms_md


def test_every_issue_code_is_explained(forms_md: str) -> None:
    for code in MESSAGES:
        assert f"`{code}`" in forms_md, code


def test_every_setting_is_documented(config_md: str) -> None:
    for s in SETTINGS:
        assert f"### {s.key}\n" in config_md, s.key
        assert s.help in config_md, s.key
        assert docs.setting_yaml(s) in config_md, s.key


@pytest.mark.parametrize("example", docs.FORMAT_EXAMPLES, ids=lambda e: f"{e.kind.value}:{e.typed}")
def test_documented_formats_read_as_documented(example: docs.FormatExample) -> None:
    col = Column("x", "x", example.kind, enum=example.enum)
    assert convert(col, example.typed, CFG, date(2026, 11, 20)) == example.value


@pytest.mark.parametrize("key", sorted(docs.CONFIG_EXAMPLES))
def test_config_examples_are_valid(key: str, tmp_path: Path) -> None:
    data = yaml.safe_load(docs.CONFIG_EXAMPLES[key])
    assert key in data
    config_from_dict(data, tmp_path)


def test_every_form_column_has_a_guide() -> None:
    for form in docs.department_forms(CFG):
        for g in docs.form_guides(form, CFG):
            assert g.kind and g.help, g.label


# ---------------------------------------------------------------- docs/admin.md tells the truth about the CLI

def _commands(markdown: str) -> list[list[str]]:
    """Every `sitegen …` command line in the code blocks and inline code of a Markdown file."""
    out = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", markdown, re.S):
        for line in block.splitlines():
            if line.strip().startswith("sitegen "):
                out.append(line.strip())
    out += [m for m in re.findall(r"`(sitegen [^`]+)`", markdown)]
    return [shlex.split(c.replace("\\", "/"))[1:] for c in out]


def _options(p: object) -> dict[str, set[str]]:
    import argparse

    assert isinstance(p, argparse.ArgumentParser)
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    top = {s for a in p._actions for s in a.option_strings}
    return {"": top, **{name: {s for a in sp._actions for s in a.option_strings} for name, sp in sub.choices.items()}}


def test_admin_guide_mentions_only_real_commands_and_flags() -> None:
    text = (DOCS / "admin.md").read_text(encoding="utf-8")
    opts = _options(parser())
    commands = _commands(text)
    assert len(commands) > 10
    used = set()
    for argv in commands:
        top = [a for a in argv if a.startswith("-")]
        rest = list(argv)
        while rest and rest[0].startswith("-"):
            assert rest.pop(0) in opts[""], argv
        if not rest:
            assert top, argv
            continue
        command = rest.pop(0)
        assert command in opts and command, argv
        used.add(command)
        for a in rest:
            if a.startswith("-"):
                assert a in opts[command], (argv, a)
    assert {"init", "check", "build", "serve"} <= used


def test_docs_link_to_each_other() -> None:
    admin = (DOCS / "admin.md").read_text(encoding="utf-8")
    assert "(forms.md)" in admin and "(config.md)" in admin
    assert "private_fields" in admin and "nginx" in admin and "IIS" in admin
