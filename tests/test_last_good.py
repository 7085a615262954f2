"""Last good data on the site (issue 5 §3): a rep's workbook that becomes unreadable keeps its accounts from the
previous build, marked "数据截至 <date>：本周文件无法读取" on their pages, the rep's page and the account list,
with the file listed on the quality page; a workbook deleted on purpose removes its accounts, which the
changes page lists as removed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from weekfixture import WEEK1, WEEK2, build_week, make_project, read_json

from sitegen.render.urls import Urls

WEEK3 = date(2026, 12, 4)
BANNER = f"数据截至 {WEEK1.isoformat()}：本周文件无法读取"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("lastgood")
    config = make_project(root)
    out = build_week(config, WEEK1).output_dir
    week1 = read_json(out / "data" / "accounts.json")
    # the workbook of the rep with the most accounts
    reps = sorted({a["rep"] for a in week1}, key=lambda r: (-sum(a["rep"] == r for a in week1), r))
    rep = reps[0]
    book = next(p for p in sorted(config.input_dir.rglob("*.xlsx")) if p.stem == rep)
    mine = {a["id"]: a for a in week1 if a["rep"] == rep}
    return {"root": root, "config": config, "out": out, "week1": week1, "rep": rep, "book": book, "mine": mine}


@pytest.fixture(scope="module")
def corrupted(story: dict[str, Any]) -> dict[str, Any]:
    book: Path = story["book"]
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])  # saved half-way: a truncated zip
    out = build_week(story["config"], WEEK2).output_dir
    site = {f.relative_to(out).as_posix(): read(f) for f in out.rglob("*") if f.suffix in (".html", ".json")}
    return {**story, "site": site}


def test_an_unreadable_workbook_loses_none_of_its_accounts(corrupted: dict[str, Any]) -> None:
    site, mine = corrupted["site"], corrupted["mine"]
    accounts = {a["id"]: a for a in read_json(corrupted["out"] / "data" / "accounts.json")}
    assert set(mine) <= set(accounts)
    for aid, a in mine.items():
        assert accounts[aid]["name"] == a["name"] and accounts[aid]["projects"] == a["projects"]
        assert a["name"] in site[accounts[aid]["url"]]  # the page is still there
    changes = read_json(corrupted["out"] / "data" / "changes.json")
    assert changes["previous_week"] == "2026-W47"
    assert not [c for c in changes["changes"] if c["account"] in mine]  # nothing moved: last week's data


def test_the_accounts_and_the_rep_page_say_since_when(corrupted: dict[str, Any]) -> None:
    site, mine, rep = corrupted["site"], corrupted["mine"], corrupted["rep"]
    accounts = {a["id"]: a for a in read_json(corrupted["out"] / "data" / "accounts.json")}
    rel = corrupted["book"].relative_to(corrupted["config"].input_dir).as_posix()
    for aid in mine:
        page = site[accounts[aid]["url"]]
        assert BANNER in page, aid
        assert 'class="card alert stale-banner"' in page and rel in page
    others = [a for a in accounts if a not in mine]
    assert others and not any(BANNER in site[accounts[a]["url"]] for a in others)
    rep_page = site[Urls([], [rep], [], []).rep(rep)]  # type: ignore[index]
    assert BANNER in rep_page and rel in rep_page
    # a marker in the account list, on exactly these accounts
    listing = site["accounts.html"]
    marked = set(re.findall(r'<td class="[^"]*\bmono">([^<]+)</td>(?:(?!</tr>).)*flag-olddata', listing, re.S))
    assert marked == set(mine)
    assert '<option value="olddata">旧数据</option>' in listing
    # their contacts this week are unknown, not zero
    changes = site["changes.html"]
    row = re.search(rf'<tr class="olddata"><td><a href="reps/[^"]+">{rep}</a> <span class="flag flag-olddata"', changes)
    assert row and "本周跟进次数未知" in changes
    assert "本周文件无法读取，没有本周的新数据" in site[accounts[next(iter(mine))]["url"]]


def test_the_quality_page_and_the_dashboard_list_the_file(corrupted: dict[str, Any]) -> None:
    site, rep = corrupted["site"], corrupted["rep"]
    rel = corrupted["book"].relative_to(corrupted["config"].input_dir).as_posix()
    quality = site["quality.html"]
    section = re.search(r'<section class="card alert" id="unreadable">(.*?)</section>', quality, re.S)
    assert section
    assert rel in section.group(1) and rep in section.group(1) and f"<td>{WEEK1.isoformat()}</td>" in section.group(1)
    assert "有 1 个文件本周无法读取" in site["index.html"]


def test_a_deleted_workbook_removes_its_accounts(corrupted: dict[str, Any]) -> None:
    corrupted["book"].unlink()  # removed from the input on purpose
    out = build_week(corrupted["config"], WEEK3).output_dir
    mine = corrupted["mine"]
    accounts = {a["id"] for a in read_json(out / "data" / "accounts.json")}
    assert not accounts & set(mine)
    changes = read_json(out / "data" / "changes.json")
    assert changes["previous_week"] == "2026-W48"
    removed = {c["account"]: c for c in changes["changes"] if c["kind"] == "account_removed"}
    assert set(removed) == set(mine)
    assert all(c["url"] is None and c["rep"] == corrupted["rep"] for c in removed.values())
    page = read(out / "changes.html")
    for a in mine.values():
        assert a["name"] in page
        assert not (out / a["url"]).exists()
    # nothing is "old data" any more
    for f in out.rglob("*.html"):
        assert "数据截至" not in read(f), f
    assert 'id="unreadable"' not in read(out / "quality.html")
