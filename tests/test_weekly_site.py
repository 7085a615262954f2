"""Week over week on the site (issue 4 §2–5): build week 1 of a small generated department, change the
workbooks the way reps would (tests/weekfixture.py), build week 2 with a later as-of date, and find every
change exactly in data/changes.json and on the pages: the 本周变化 page, the account, rep and team pages.
Also the trend charts (one point in week 1, two in week 2) and the conversion measured from history."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from weekfixture import WEEK1, WEEK2, Edits, build_week, edit_week2, make_project, persons_of, read_json

from sitegen.render.urls import Urls


@pytest.fixture(scope="module")
def weeks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("weeks")
    config = make_project(root)
    out = build_week(config, WEEK1).output_dir
    week1 = root / "week1"
    shutil.copytree(out, week1)
    accounts1 = read_json(week1 / "data" / "accounts.json")
    edits = edit_week2(config.input_dir, accounts1, persons_of(config))
    build_week(config, WEEK2)
    return {"root": root, "config": config, "week1": week1, "week2": out, "edits": edits, "accounts1": accounts1}


def text(page: str) -> str:
    """The visible text of a page, tags removed, whitespace collapsed (so "提案 → 招投标" reads "提案→招投标")."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def figure(page: str, name: str) -> dict[str, Any]:
    m = re.search(rf'<script type="application/json" id="fig-{name}">(.*?)</script>', page, re.S)
    assert m, f"no figure {name}"
    return json.loads(m.group(1))


def url_of(site: Path, account: str) -> str:
    return next(a["url"] for a in read_json(site / "data" / "accounts.json") if a["id"] == account)


# ---- week 1: no earlier week


def test_week1_says_there_is_no_earlier_week(weeks: dict[str, Any]) -> None:
    site = weeks["week1"]
    data = read_json(site / "data" / "changes.json")
    assert data["week"] == "2026-W47" and data["as_of"] == WEEK1.isoformat()
    assert data["previous_week"] is None and data["previous_as_of"] is None
    assert data["changes"] == [] and set(data["counts"].values()) == {0}
    assert {c["rep"] for c in data["contacts"]} == {a["rep"] for a in weeks["accounts1"]}
    page = read(site / "changes.html")
    assert "历史中还没有更早的一周，下周起显示变化" in page
    assert 'id="chg-contacts"' in page  # contacts this week vs last week are known from the follow-ups already
    index = read(site / "index.html")
    assert "历史中还没有更早的一周，下周起显示变化" in index
    assert '<a href="changes.html"' in index  # in the navigation


def test_week1_trends_draw_one_point_and_say_so(weeks: dict[str, Any]) -> None:
    site = weeks["week1"]
    index = read(site / "index.html")
    fig = figure(index, "trend_pipeline")
    assert all(len(tr["x"]) == 1 for tr in fig["data"])
    summary = read_json(site / "data" / "summary.json")
    stacked = sum(tr["y"][0] for tr in fig["data"] if tr["type"] == "bar")
    assert stacked == pytest.approx(summary["pipeline"]["open_total"])
    assert "历史中目前只有本周（2026-W47）一个点" in index
    assert "还测不出阶段转化" in index
    health = figure(index, "trend_health")
    assert [tr["y"] for tr in health["data"]][0] == [len(summary["stale_accounts"])]


# ---- week 2: every change, exactly


def expected_changes(e: Edits) -> set[tuple[Any, ...]]:
    adv, slip, won, val = e.advanced, e.slipped, e.won, e.value
    return {
        ("stage_advanced", adv[0], adv[1], "", "", adv[2], adv[3], 1),
        ("close_slipped", slip[0], slip[1], "", "", slip[2], slip[3], 30),
        ("won", won[0], won[1], "", "", won[2], "赢单", None),
        ("value_changed", val[0], val[1], "", "", val[2], val[3], 50.0),
        ("person_added", e.person_added[0], "", e.person_added[1], "", None, "副主任", None),
        ("attitude_changed", e.attitude[0], "", e.attitude[1], "", e.attitude[2], e.attitude[3], None),
        ("account_removed", e.removed[0], "", "", "", None, None, None),
        ("competitor_new", e.competitor[0], "", "", e.competitor[1], None, "高", None),
    }


def test_changes_json_holds_exactly_the_reps_edits(weeks: dict[str, Any]) -> None:
    site, e = weeks["week2"], weeks["edits"]
    data = read_json(site / "data" / "changes.json")
    assert (data["week"], data["previous_week"]) == ("2026-W48", "2026-W47")
    assert (data["as_of"], data["previous_as_of"]) == (WEEK2.isoformat(), WEEK1.isoformat())
    got = {(c["kind"], c["account"], c["project"], c["person"], c["party"], c["from"], c["to"], c["delta"])
           for c in data["changes"]}
    assert got == expected_changes(e)
    assert len(data["changes"]) == 8
    counts = {k: v for k, v in data["counts"].items() if v}
    assert counts == {"stage_advanced": 1, "close_slipped": 1, "won": 1, "value_changed": 1, "person_added": 1,
                      "attitude_changed": 1, "account_removed": 1, "competitor_new": 1}
    # every change links to its account page (relative), except the removed account, which has none
    pages = {a["id"]: a["url"] for a in read_json(site / "data" / "accounts.json")}
    for c in data["changes"]:
        if c["kind"] == "account_removed":
            assert c["url"] is None and c["account"] not in pages
            assert c["account_name"] == e.removed[1] and c["rep"] == e.removed[2]
        else:
            assert c["url"] == pages[c["account"]] and (site / c["url"]).is_file()
    # contacts: the two follow-ups added this week, last week as week 1 saw it
    rep, added, effective = e.followups
    week1 = {c["rep"]: c for c in read_json(weeks["week1"] / "data" / "changes.json")["contacts"]}
    mine = next(c for c in data["contacts"] if c["rep"] == rep)
    assert (mine["this_week"], mine["effective_this_week"]) == (added, effective)
    assert (mine["last_week"], mine["effective_last_week"]) == (week1[rep]["this_week"],
                                                                 week1[rep]["effective_this_week"])


def test_changes_page_lists_every_change_in_meeting_order(weeks: dict[str, Any]) -> None:
    site, e = weeks["week2"], weeks["edits"]
    page = read(site / "changes.html")
    # sections: won/lost first, then stage moves, close dates, values, accounts, key persons, competitors
    order = [page.index(f'id="chg-{g}"') for g in ("winloss", "stage", "close", "value", "accounts", "persons",
                                                     "competitors", "contacts")]
    assert order == sorted(order)
    visible = text(page)
    for needle in (f"{e.advanced[2]}→{e.advanced[3]}", "+1个阶段", f"{e.slipped[2]}→{e.slipped[3]}", "推迟30天",
                   f"{e.won[2]}→赢单", "+50万元", "欧阳新", "新增（副主任）", f"{e.attitude[2]}→{e.attitude[3]}",
                   e.attitude[1], "新锐科技", "威胁程度高", e.removed[1], "已从工作簿中移除"):
        assert needle in visible, needle
    # each change links to its account page; the removed account is text only
    for account in {e.advanced[0], e.slipped[0], e.won[0], e.value[0], e.person_added[0], e.attitude[0],
                    e.competitor[0]}:
        assert f'href="{url_of(site, account)}"' in page, account
    removed_name = re.escape(html.escape(e.removed[1]))
    assert re.search(rf'<span class="removed">{removed_name}</span>', page)
    assert not re.search(rf">{removed_name}</a>", page)
    assert not (site / "accounts" / f"{e.removed[0].lower()}.html").exists()
    # the summary cards count the groups
    assert visible.count("赢单1·丢单0") == 1 and "推进1·后退0" in visible and "净变化+50万元" in visible
    # contacts this week against last week, per rep
    rep = e.followups[0]
    row = re.search(rf'<tr><td><a href="reps/[^"]+">{rep}</a></td>.*?</tr>', page, re.S)
    assert row and re.findall(r'<td class="num strong">(\d+)</td>', row.group(0)) == ["2"]


def test_account_pages_show_their_own_changes(weeks: dict[str, Any]) -> None:
    site, e = weeks["week2"], weeks["edits"]
    cases = {
        e.advanced[0]: ["阶段推进", f"{e.advanced[2]}→{e.advanced[3]}", "+1个阶段"],
        e.slipped[0]: ["成交日期推迟", f"{e.slipped[2]}→{e.slipped[3]}", "推迟30天"],
        e.won[0]: ["赢单", f"{e.won[2]}→赢单"],
        e.value[0]: ["金额变化", "+50万元"],
        e.person_added[0]: ["新增关键人", "欧阳新"],
        e.attitude[0]: ["态度变化", f"{e.attitude[2]}→{e.attitude[3]}"],
        e.competitor[0]: ["新竞争对手", "新锐科技"],
    }
    kinds = ("阶段推进", "成交日期推迟", "金额变化", "新增关键人", "态度变化", "新竞争对手")
    for account, needles in cases.items():
        page = read(site / url_of(site, account))
        section = re.search(r'<section class="card changes-section" id="changes">(.*?)</section>', page, re.S)
        assert section, account
        visible = text(section.group(1))
        for needle in needles:
            assert needle in visible, (account, needle)
        # only its own changes
        assert sum(k in visible for k in kinds) == sum(k in needles for k in kinds), account
    # an account without changes says so
    quiet = next(a["id"] for a in read_json(site / "data" / "accounts.json") if a["id"] not in cases)
    assert "与2026-W47相比没有变化。" in text(read(site / url_of(site, quiet)))


def test_rep_and_team_pages_show_their_changes_only(weeks: dict[str, Any], ) -> None:
    site, e = weeks["week2"], weeks["edits"]
    data = read_json(site / "data" / "changes.json")
    urls = Urls([], {c["rep"] for c in data["changes"]}, {c["team"] for c in data["changes"]}, [])
    for kind, key, path_of in (("rep", "rep", urls.rep), ("team", "team", urls.team)):
        for name in sorted({c[key] for c in data["changes"]}):
            page = read(site / path_of(name))  # type: ignore[operator]
            section = re.search(r'<section class="card changes-section" id="changes">(.*?)</section>', page, re.S)
            assert section, (kind, name)
            rows = section.group(1).count('<tr class="chg-row')
            assert rows == sum(1 for c in data["changes"] if c[key] == name), (kind, name)
    # the removed account is listed on its rep's page, as text
    rep_page = read(site / urls.rep(e.removed[2]))  # type: ignore[operator]
    assert e.removed[1] in rep_page and "客户被移除" in rep_page


def test_week2_trends_have_both_weeks(weeks: dict[str, Any]) -> None:
    site = weeks["week2"]
    index = read(site / "index.html")
    fig = figure(index, "trend_pipeline")
    bars = [tr for tr in fig["data"] if tr["type"] == "bar"]
    line = next(tr for tr in fig["data"] if tr["type"] == "scatter")
    assert all(len(tr["x"]) == 2 for tr in fig["data"])
    assert bars[0]["x"] == ["W47 · 11-20", "W48 · 11-27"]
    for i, site_of_week in enumerate((weeks["week1"], site)):
        summary = read_json(site_of_week / "data" / "summary.json")
        assert sum(tr["y"][i] for tr in bars) == pytest.approx(summary["pipeline"]["open_total"])
        assert line["y"][i] == pytest.approx(summary["pipeline"]["weighted_total"])
        for tr in bars:
            stage = next(s for s, v in summary["pipeline"]["by_stage"].items() if tr["name"] == s)
            assert tr["y"][i] == pytest.approx(summary["pipeline"]["by_stage"][stage])
    assert "历史中共2周：2026-W47至2026-W48。" in text(index)
    # conversion from history next to the funnel: the advanced project moved on
    adv = weeks["edits"].advanced
    conv = re.search(r'<div class="card" id="conversion">(.*?)</div>\s*<div class="card" id="trend', index, re.S)
    assert conv and "还测不出" not in conv.group(1)
    row = re.search(rf"<td>{adv[2]} → {adv[3]}</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>",
                    conv.group(1))
    assert row and int(row.group(2)) >= 1
    # the quality page and each rep page show the errors and warnings over the weeks
    assert "fig-trend_issues" in read(site / "quality.html")
    rep_page = read(next((site / "reps").glob("*.html")))
    names = [tr["name"] for tr in figure(rep_page, "trend_health")["data"]]
    assert names == ["停滞客户", "错误", "警告"]


def test_rebuilding_the_same_week_is_byte_identical(weeks: dict[str, Any], tmp_path: Path) -> None:
    site = weeks["week2"]
    before = {f.relative_to(site).as_posix(): f.read_bytes() for f in site.rglob("*") if f.is_file()}
    build_week(weeks["config"], WEEK2)
    after = {f.relative_to(site).as_posix(): f.read_bytes() for f in site.rglob("*") if f.is_file()}
    assert before.keys() == after.keys()
    assert [k for k in before if before[k] != after[k]] == []


# ---- the shipped demo, two weeks apart: every kind of change (issue 4, "done when")


def test_every_kind_of_change_on_the_shipped_demo(tmp_path: Path) -> None:
    from sitegen.changes import KINDS
    from sitegen.config import load_config
    from sitegen.demo.generate import DEFAULT_SEED, generate_department

    generate_department(tmp_path / "input", seed=DEFAULT_SEED, as_of=WEEK1)  # what input/ ships
    (tmp_path / "sitegen.yaml").write_text("title: 大客户部\n", encoding="utf-8")
    config = load_config(tmp_path / "sitegen.yaml")
    out = build_week(config, WEEK1).output_dir
    with_issues = {i["account"] for i in read_json(out / "data" / "issues.json") if i.get("account")}
    edits = edit_week2(config.input_dir, read_json(out / "data" / "accounts.json"), persons_of(config),
                       every_kind=True, avoid=with_issues)
    build_week(config, WEEK2)
    data = read_json(out / "data" / "changes.json")
    assert {k for k, n in data["counts"].items() if n} == set(KINDS)
    got = {(c["kind"], c["account"]) for c in data["changes"]}
    for kind, account in (("stage_fell_back", edits.fell_back[0]), ("close_pulled_in", edits.pulled_in[0]),
                          ("lost", edits.lost[0]), ("person_removed", edits.person_removed[0]),
                          ("relationship_changed", edits.relationship[0]), ("account_new", edits.new_account[0]),
                          ("account_removed", edits.removed[0]), ("won", edits.won[0])):
        assert (kind, account) in got, kind
    page = read(out / "changes.html")
    visible = text(page)
    for kind in KINDS:
        assert f'<tr class="chg-row chg-{kind}">' in page, kind
    pages = {a["id"]: a["url"] for a in read_json(out / "data" / "accounts.json")}
    for c in data["changes"]:
        if c["kind"] != "account_removed":
            assert f'href="{pages[c["account"]]}"' in page
    assert "提前14天" in visible and "新星智能科技有限公司" in visible
    rel = edits.relationship
    assert f"{rel[2]}{RELATIONSHIP[rel[2] - 1]}→{rel[3]}{RELATIONSHIP[rel[3] - 1]}" in visible
    index = read(out / "index.html")
    assert all(len(tr["x"]) == 2 for tr in figure(index, "trend_pipeline")["data"])


RELATIONSHIP = ("认识", "约会", "认同", "信赖", "同盟")


def test_render_without_history_or_with_an_empty_one(tmp_path: Path) -> None:
    """render_site called without a weekly view (or with one that carries no history) still renders every page."""
    from dataclasses import replace

    from sitefixture import AS_OF
    from sitefixture import make_project as make_fixture

    from sitegen.config import load_config
    from sitegen.history import History
    from sitegen.load import load
    from sitegen.measures import compute
    from sitegen.render import data, render_site
    from sitegen.weekly import weekly_view

    config = load_config(make_fixture(tmp_path))
    loaded = load(config, AS_OF)
    m = compute(loaded.dataset, loaded.report.issues, config, AS_OF)
    files = dict(render_site(loaded.dataset, loaded.report, m, config))
    assert "历史中还没有更早的一周，下周起显示变化" in files["changes.html"].decode("utf-8")
    assert json.loads(files["data/changes.json"])["changes"] == []
    week = weekly_view(config, loaded.dataset, data.summary(m, loaded.report), AS_OF, History((), ()), {})
    bare = dict(render_site(loaded.dataset, loaded.report, m, config, weekly=replace(week, history=())))
    index = bare["index.html"].decode("utf-8")
    assert "fig-trend_pipeline" not in index and 'id="trend-pipeline"' in index
