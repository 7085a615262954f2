"""Compiled templates kept in the state folder (render/env.py TemplateCache): used when intact, compiled
again when damaged, never a reason for a build to fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.render.env import make_env, precompile, template_cache_dir

PAGE = "{% extends 'base.html' %}{% block content %}<p>{{ word }}</p>{% endblock %}"


def _layouts(tmp_path: Path) -> Path:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "mine.html").write_text("<b>{{ word }}</b>", encoding="utf-8")
    return layouts


def test_a_second_environment_loads_what_the_first_compiled(tmp_path: Path) -> None:
    layouts, cache = _layouts(tmp_path), tmp_path / "bc"
    first = make_env(layouts, cache)
    precompile(first)
    entries = sorted(p.name for p in cache.iterdir())
    # every built-in page template and the layout's own file
    assert len(entries) >= 10 and all(n.endswith(".bin") for n in entries)

    second = make_env(layouts, cache)
    loaded: list[str] = []
    original = second.bytecode_cache.load_bytecode  # type: ignore[union-attr]

    def spy(bucket):  # type: ignore[no-untyped-def]
        original(bucket)
        loaded.append(bucket.key if bucket.code is not None else "")

    second.bytecode_cache.load_bytecode = spy  # type: ignore[union-attr,method-assign]
    assert second.get_template("mine.html").render(word="<x>") == "<b>&lt;x&gt;</b>"
    assert loaded and all(loaded), "the compiled template came from the cache"


@pytest.mark.parametrize("damage", [b"", b"garbage", b"j2/\x00\x01" + b"\xff" * 40])
def test_a_damaged_entry_is_compiled_again(tmp_path: Path, damage: bytes) -> None:
    layouts, cache = _layouts(tmp_path), tmp_path / "bc"
    precompile(make_env(layouts, cache))
    for p in cache.iterdir():
        p.write_bytes(damage)
    env = make_env(layouts, cache)
    precompile(env)
    assert env.get_template("mine.html").render(word="ok") == "<b>ok</b>"
    # and the entries are written afresh
    assert all(p.stat().st_size > len(damage) for p in cache.iterdir() if p.suffix == ".bin")


def test_a_changed_layout_is_not_served_from_the_cache(tmp_path: Path) -> None:
    layouts, cache = _layouts(tmp_path), tmp_path / "bc"
    precompile(make_env(layouts, cache))
    (layouts / "mine.html").write_text("<i>{{ word }}</i>", encoding="utf-8")
    assert make_env(layouts, cache).get_template("mine.html").render(word="new") == "<i>new</i>"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_cache_folder_only_means_nothing_is_kept(tmp_path: Path) -> None:
    cache = tmp_path / "bc"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        env = make_env(_layouts(tmp_path), cache)
        assert env.get_template("mine.html").render(word="ok") == "<b>ok</b>"
    finally:
        cache.chmod(0o700)


def test_a_cache_folder_that_is_a_file_only_means_nothing_is_kept(tmp_path: Path) -> None:
    cache = tmp_path / "bc"
    cache.write_text("not a folder", encoding="utf-8")
    env = make_env(_layouts(tmp_path), cache)
    precompile(env)
    assert env.get_template("mine.html").render(word="ok") == "<b>ok</b>"


def test_a_template_that_does_not_compile_is_left_for_the_rendering(tmp_path: Path) -> None:
    layouts, cache = _layouts(tmp_path), tmp_path / "bc"
    (layouts / "broken.html").write_text("{% if %}", encoding="utf-8")
    env = make_env(layouts, cache)
    precompile(env)  # does not raise
    from jinja2 import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        env.get_template("broken.html")


def test_folders_of_other_versions_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    (root / "0123456789abcdef").mkdir(parents=True)
    (root / "0123456789abcdef" / "x.bin").write_bytes(b"old")
    here = template_cache_dir(root, "fedcba9876543210" + "0" * 24)
    assert len(here.name) == 16 and here.parent == root
    assert [p.name for p in root.iterdir()] == []  # made when the first template is kept
    assert template_cache_dir(root, "fedcba9876543210" + "0" * 24) == here  # the same version, the same folder
    assert template_cache_dir(root, "1" * 40) != here
    assert template_cache_dir(tmp_path / "missing", "ab" * 20).parent == tmp_path / "missing"
