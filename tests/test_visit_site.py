"""Issue 18 on the built fixture site: key persons' last contact in accounts.json and on the account page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sitefixture import build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("site"))


def accounts(site: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    return {a["id"]: a for a in json.loads((site / "data" / "accounts.json").read_text(encoding="utf-8"))}


def test_accounts_json_key_persons_hold_the_last_contact_from_the_follow_ups(site: Path) -> None:
    ka1 = accounts(site)["KA-001"]
    # 王总: typed 11-10, met 11-17 (follow-up); 刘工: typed 11-12, met 11-12 and 11-18; the others never
    assert ka1["key_persons"] == [
        {"name": "王总", "roles": ["决策者"], "last_contact": "2026-11-17"},
        {"name": "刘工", "roles": ["推荐者", "内线"], "last_contact": "2026-11-18"},
        {"name": "赵经理", "roles": ["采购者"], "last_contact": None},
        {"name": "孙主管", "roles": ["使用者"], "last_contact": None},
    ]
    assert ka1["contact_flags"] == []
    for a in accounts(site).values():
        for k in a["key_persons"]:
            assert set(k) == {"name", "roles", "last_contact"}


def test_contact_flags_of_open_accounts(site: Path) -> None:
    acc = accounts(site)
    # 陈总 (influence 5, 恶意拆台) never met
    assert acc["KA-002"]["contact_flags"] == ["contact_influencer_never_met", "contact_opponent_stale"]
    # 吴总, the decision maker, last met 2026-10-01: 50 days, within 60
    assert acc["KA-101"]["contact_flags"] == []
    assert acc["KA-101"]["key_persons"][0]["last_contact"] == "2026-10-01"
    # lost and won accounts carry no contact flags
    assert acc["KA-102"]["contact_flags"] == [] and acc["KA-004"]["contact_flags"] == []


def test_account_page_shows_last_contact_and_fades_people_not_met(site: Path) -> None:
    page = (site / accounts(site)["KA-001"]["url"]).read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="kp-\d+"[^>]*>.*?</tr>', page, re.S)
    assert len(rows) == 4
    assert "2026-11-17" in rows[0] and 'class="not-met"' not in rows[0]
    assert 'class="not-met"' in rows[2] and "未接触" in rows[2]
    nodes = re.findall(r'<div class="org-node[^"]*">.*?</div>', page, re.S)
    faded = [n for n in nodes if "not-met" in n]
    assert len(nodes) == 4 and len(faded) == 2
    assert "赵经理" in "".join(faded) and "孙主管" in "".join(faded)
    assert "近 90 天接触到 2/4 个部门" in page


def test_resource_board_and_care_list_are_built(site: Path) -> None:
    board = (site / "resources.html").read_text(encoding="utf-8")
    assert 'id="resource-board"' in board and "没有进行中项目提出资源支持需求" in board  # the fixture asks for none
    for rep_page in (site / "reps").glob("*.html"):
        text = rep_page.read_text(encoding="utf-8")
        assert 'id="todo-care"' in text and 'id="todo-plans"' in text
    # every open project's plan is linked from its rep's page
    urls = [p["plan_url"] for a in accounts(site).values() for p in a["projects"] if p["plan_url"]]
    reps = "".join(p.read_text(encoding="utf-8") for p in (site / "reps").glob("*.html"))
    assert urls and all(f'href="../{u}"' in reps for u in urls)


def test_the_excel_export_holds_the_same_last_contact(site: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(site / "data" / "export.xlsx", read_only=True)
    ws = next(ws for ws in wb.worksheets if "关键人" in ws.title)
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("最近接触")
    got = {(r[0], r[2]): r[col] for r in rows[1:]}
    assert str(got[("KA-001", "王总")])[:10] == "2026-11-17"  # typed 11-10, met 11-17
    assert got[("KA-001", "赵经理")] in (None, "")
