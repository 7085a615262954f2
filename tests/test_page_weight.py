"""Each page carries only what it shows (issue 20): the accounts list holds a page of rows and the rest as
compact data, per-rep charts draw at most TOP_N bars, the search index is compact and loaded on demand.
Sizes and counts only: the timing is scripts/pagespeed.py's job, never a test's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sitefixture import build_department, search_rows

from sitegen import charts
from sitegen.measures.pipeline import WinLoss
from sitegen.render.pages import ACCOUNTS_PAGE


def _t(key: str) -> str:
    return {"chart.others_avg": "其余 {n} 位（平均）", "chart.others": "其他 {n} 项"}.get(key, key)


def test_activity_chart_keeps_those_furthest_behind_and_averages_the_rest() -> None:
    rows = [(f"rep{i:03d}", i % 7, i % 3, 5.0) for i in range(200)]
    fig = charts.activity(rows, _t)
    y = fig["data"][0]["y"]
    assert len(y) == charts.TOP_N and y[0] == "其余 186 位（平均）"  # drawn bottom-up: the others last
    kept = list(reversed(y[1:]))
    behind = sorted(range(200), key=lambda i: (i % 7, i))[:charts.TOP_N - 1]
    assert kept == [f"rep{i:03d}" for i in sorted(behind)]
    others = [r for i, r in enumerate(rows) if i not in behind]
    assert fig["data"][0]["x"][0] == round(sum(r[1] for r in others) / len(others), 1)
    assert fig["data"][2]["x"][0] == 5.0  # the average target still compares
    small = charts.activity(rows[:5], _t)
    assert small["data"][0]["y"] == [r[0] for r in reversed(rows[:5])]


def test_win_loss_chart_groups_the_rare_reasons() -> None:
    reasons = tuple((f"原因{i}", 30 - i, i) for i in range(30))
    fig = charts.win_loss(WinLoss(0, 0, 0.0, 0.0, reasons), _t)
    y = fig["data"][0]["y"]
    assert len(y) == charts.TOP_N and y[0] == "其他 16 项"
    assert sum(fig["data"][0]["x"]) == sum(r[1] for r in reasons)  # nothing lost, only grouped
    assert sum(fig["data"][1]["x"]) == sum(r[2] for r in reasons)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_department(tmp_path_factory.mktemp("big"), accounts=240)


def test_accounts_list_holds_one_page_of_rows_and_every_account_as_data(big: Path) -> None:
    html = (big / "accounts.html").read_text(encoding="utf-8")
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == ACCOUNTS_PAGE
    data = json.loads(re.search(r'<script type="application/json" id="account-data">(.*?)</script>', html, re.S)[1])
    accounts = json.loads((big / "data" / "accounts.json").read_text(encoding="utf-8"))
    assert [r[0] for r in data["rows"]] == [a["id"] for a in accounts]
    for row, a in zip(data["rows"], accounts, strict=True):
        assert f"accounts/{row[2]}.html" == a["url"]
        assert data["reps"][row[4]][0] == a["rep"] and data["teams"][row[3]] == a["team"]
        assert bool(row[15] & 1) == a["open"] and bool(row[15] & 2) == a["stale"]
        assert bool(row[15] & 4) == (a["overdue"] is not None)
    assert "plotly" not in html and "onsubmit" not in html


def test_team_chart_of_many_reps_draws_top_n(big: Path) -> None:
    team = max((big / "teams").glob("*.html"), key=lambda p: p.stat().st_size).read_text(encoding="utf-8")
    fig = json.loads(re.search(r'id="fig-activity">(.*?)</script>', team, re.S)[1])
    assert len(fig["data"][0]["y"]) == charts.TOP_N  # 18 reps in the team
    assert "（平均）" in fig["data"][0]["y"][0]


def test_search_index_is_compact_and_complete(big: Path) -> None:
    text = (big / "assets" / "search-index.js").read_text(encoding="utf-8")
    rows = search_rows(text)
    accounts = json.loads((big / "data" / "accounts.json").read_text(encoding="utf-8"))
    assert sum(r[0] == "a" for r in rows) == len(accounts)
    # a key person's title and account are not repeated: the index is smaller than its rows written out
    assert len(text.encode()) < 0.6 * len(json.dumps(rows, ensure_ascii=False).encode())
