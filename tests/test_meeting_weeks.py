"""Issue 17 over several weekly builds: a rep pushes one deal's close date in two successive weeks and lowers
another deal's value; the third week's site flags them `pushed` and `value-down`, on the pages and in
data/accounts.json alike, and the figures of data/reps.json are the ones on the rep's page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from weekfixture import WEEK1, Sheet, build_week, make_project, read_json

from sitegen.render.env import money, number, percent

WEEK2 = WEEK1 + timedelta(days=7)
WEEK3 = WEEK1 + timedelta(days=14)


def project_sheet(input_dir: Path, account: str) -> tuple[Path, Any, Sheet, int]:
    for path in sorted(input_dir.rglob("*.xlsx")):
        wb = load_workbook(path)
        if "客户档案表" not in wb.sheetnames:
            continue
        s = Sheet(wb["客户档案表"])
        try:
            row = s.find(客户编号=account)
        except LookupError:
            continue
        return path, wb, s, row
    raise LookupError(account)


def edit(input_dir: Path, account: str, project: str, header: str, value: Any) -> None:
    path, wb, s, _ = project_sheet(input_dir, account)
    s.set(s.find(客户编号=account, 项目名称=project), header, value)
    wb.save(path)


def test_close_date_pushed_twice_and_value_lowered(tmp_path: Path) -> None:
    config = make_project(tmp_path, extra_yaml="stuck_weeks: {}\n")
    out = config.output_dir
    build_week(config, WEEK1)
    week1 = read_json(out / "data" / "accounts.json")
    open_deals = [(a, p) for a in week1 for p in a["projects"]
                  if p["stage"] in ("立项", "提案", "招投标", "商务谈判") and p["name"] and p["expected_close"]
                  and p["value"]]
    (a1, p1), (a2, p2) = open_deals[0], next(d for d in open_deals[1:] if d[0]["id"] != open_deals[0][0]["id"])
    assert "pushed" not in p1["flags"] and "value-down" not in p2["flags"]
    close = date.fromisoformat(p1["expected_close"])

    edit(config.input_dir, a1["id"], p1["name"], "预计成交日期", close + timedelta(days=10))
    build_week(config, WEEK2)
    week2 = {(a["id"], p["name"]): p for a in read_json(out / "data" / "accounts.json") for p in a["projects"]}
    assert "pushed" not in week2[(a1["id"], p1["name"])]["flags"]  # once is not yet a habit

    edit(config.input_dir, a1["id"], p1["name"], "预计成交日期", close + timedelta(days=40))
    edit(config.input_dir, a2["id"], p2["name"], "预计金额(万元)", p2["value"] - 5)
    build_week(config, WEEK3)
    week3 = {(a["id"], p["name"]): p for a in read_json(out / "data" / "accounts.json") for p in a["projects"]}
    assert "pushed" in week3[(a1["id"], p1["name"])]["flags"]
    assert "value-down" in week3[(a2["id"], p2["name"])]["flags"]
    assert "value-down" not in week3[(a1["id"], p1["name"])]["flags"]

    # the account page tags the project, with the count and the days in its explanation
    page = (out / a1["url"]).read_text(encoding="utf-8")
    assert 'data-flag="pushed" title="预计成交日期已推迟 2 次，共 40 天"' in page
    page2 = (out / a2["url"]).read_text(encoding="utf-8")
    assert re.search(r'data-flag="value-down" title="预计金额从 [\d,.]+ 万元降到 [\d,.]+ 万元（减少 5 万元）"', page2)

    # the team page lists both among the deals needing attention, and the dashboard too
    index = (out / "index.html").read_text(encoding="utf-8")
    attention = index[index.index('id="attention"'):index.index('id="closing"')]
    for a, p in ((a1, p1), (a2, p2)):
        assert f'data-deal="{a["id"]}/{p["name"]}"' in attention
    team_url = next(path for path in (out / "teams").glob("*.html")
                    if f'data-deal="{a1["id"]}/{p1["name"]}"' in path.read_text(encoding="utf-8"))
    assert team_url.exists()

    # data/reps.json is what each rep's page shows for the month
    reps = read_json(out / "data" / "reps.json")
    assert {r["month"] for r in reps} == {"2026-12"}
    for r in reps:
        rep_page = next(path for path in (out / "reps").glob("*.html")
                        if f"<h1>{r['rep']}</h1>" in path.read_text(encoding="utf-8"))
        html = rep_page.read_text(encoding="utf-8")
        row = html[html.index('data-period="month"'):]
        row = row[:row.index("</tr>")]
        cells = dict(re.findall(r'data-k="(\w+)">([^<]*)<', row))
        assert cells["visits"] == number(r["visits"]) and cells["visit_target"] == number(r["visit_target"])
        assert cells["target"] == money(r["signing_target"]) and cells["signed"] == money(r["signed"])
    # and the department's figures in data/targets.json are the dashboard's
    dept = read_json(out / "data" / "targets.json")["department"]
    for key in ("month", "qtd", "ytd"):
        row = index[index.index(f'data-period="{key}"'):]
        cells = dict(re.findall(r'data-k="(\w+)">([^<]*)<', row[:row.index("</tr>")]))
        assert cells["signed"] == money(dept[key]["signed"]) and cells["attainment"] == percent(dept[key]["attainment"])
        assert cells["gap"] == money(dept[key]["gap"]) and cells["visits"] == number(dept[key]["visits"])
