"""Unit tests of the week-over-week comparison (sitegen.changes) on hand-made snapshots."""

from __future__ import annotations

import copy
from pathlib import Path

from sitegen.changes import compare, conversion, trends
from sitegen.config import Config

CFG = Config(root=Path("."))


def snap(week: str, as_of: str, accounts: list[dict], persons: list[dict] | None = None,
         competition: list[dict] | None = None, activity: dict | None = None, summary: dict | None = None) -> dict:
    return {"format": 1, "week": week, "as_of": as_of, "accounts": accounts, "persons": persons or [],
            "competition": competition or [], "activity": activity or {}, "summary": summary or {}, "unreadable": {}}


def acct(aid: str, projects: list[dict], rep: str = "张伟", team: str = "华东一组") -> dict:
    return {"id": aid, "name": f"客户{aid}", "rep": rep, "team": team, "category": "", "file": "a.xlsx",
            "projects": projects}


def proj(name: str, stage: str, value: float | None = 100.0, close: str | None = "2026-12-31") -> dict:
    return {"name": name, "stage": stage, "value": value, "probability": None, "expected_close": close}


WEEK1 = snap(
    "2026-W47", "2026-11-20",
    [acct("KA-001", [proj("", "提案")]), acct("KA-002", [proj("P1", "招投标"), proj("P2", "立项")]),
     acct("KA-003", [proj("", "商务谈判")]), acct("KA-004", [proj("", "提案")])],
    persons=[{"account": "KA-001", "name": "李总", "title": "总经理", "roles": ["决策者"], "influence": 5,
              "attitude": "怀疑", "relationship": 2},
             {"account": "KA-002", "name": "王工", "title": "工程师", "roles": [], "influence": 2,
              "attitude": "接受", "relationship": 3}],
    competition=[{"account": "KA-001", "party": "对手甲", "threat": "高"}],
)


def test_no_previous_week_gives_no_changes_but_contacts():
    cur = copy.deepcopy(WEEK1)
    cur["activity"] = {"张伟": {"2026-W47": [3, 1], "2026-W46": [2, 2]}}
    ch = compare(None, cur, CFG)
    assert ch.items == ()
    assert ch.previous_week is None
    assert [(c.rep, c.this_week, c.last_week, c.effective_this_week) for c in ch.contacts] == [("张伟", 3, 2, 1)]


def test_every_kind_of_change_is_found_exactly():
    cur = copy.deepcopy(WEEK1)
    cur["week"], cur["as_of"] = "2026-W48", "2026-11-27"
    a = {x["id"]: x for x in cur["accounts"]}
    a["KA-001"]["projects"][0]["stage"] = "招投标"  # advanced
    a["KA-001"]["projects"][0]["expected_close"] = "2027-01-15"  # slipped 15 days
    a["KA-002"]["projects"][0]["stage"] = "提案"  # fell back
    a["KA-002"]["projects"][1]["value"] = 150.0  # value +50
    a["KA-003"]["projects"][0]["stage"] = "赢单"  # won
    cur["accounts"] = [x for x in cur["accounts"] if x["id"] != "KA-004"]  # removed
    cur["accounts"].append(acct("KA-005", [proj("", "客户开发")]))  # new
    cur["persons"][0]["attitude"] = "接受"
    cur["persons"][0]["relationship"] = 4
    cur["persons"].append({"account": "KA-001", "name": "赵处", "title": "处长", "roles": [], "influence": 3,
                           "attitude": "冷淡", "relationship": 1})
    cur["persons"] = [p for p in cur["persons"] if p["name"] != "王工"]
    cur["competition"].append({"account": "KA-002", "party": "对手乙", "threat": "中"})
    ch = compare(WEEK1, cur, CFG)
    got = {(c.kind, c.account, c.project, c.person, c.party, str(c.old), str(c.new), c.delta) for c in ch.items}
    assert got == {
        ("stage_advanced", "KA-001", "", "", "", "提案", "招投标", 1),
        ("close_slipped", "KA-001", "", "", "", "2026-12-31", "2027-01-15", 15),
        ("stage_fell_back", "KA-002", "P1", "", "", "招投标", "提案", -1),
        ("value_changed", "KA-002", "P2", "", "", "100.0", "150.0", 50.0),
        ("won", "KA-003", "", "", "", "商务谈判", "赢单", None),
        ("account_removed", "KA-004", "", "", "", "None", "None", None),
        ("account_new", "KA-005", "", "", "", "None", "None", None),
        ("attitude_changed", "KA-001", "", "李总", "", "怀疑", "接受", None),
        ("relationship_changed", "KA-001", "", "李总", "", "2", "4", 2),
        ("person_added", "KA-001", "", "赵处", "", "None", "处长", None),
        ("person_removed", "KA-002", "", "王工", "", "工程师", "None", None),
        ("competitor_new", "KA-002", "", "", "对手乙", "None", "中", None),
    }
    counts = ch.counts()
    assert counts["won"] == 1 and counts["lost"] == 0 and counts["account_new"] == 1
    data = ch.to_json({"KA-001": "accounts/ka-001.html"})
    assert data["previous_week"] == "2026-W47"
    assert {c["url"] for c in data["changes"] if c["account"] == "KA-001"} == {"accounts/ka-001.html"}


def test_lost_and_pulled_in():
    cur = copy.deepcopy(WEEK1)
    cur["week"], cur["as_of"] = "2026-W48", "2026-11-27"
    a = {x["id"]: x for x in cur["accounts"]}
    a["KA-004"]["projects"][0]["stage"] = "丢单"
    a["KA-003"]["projects"][0]["expected_close"] = "2026-12-01"
    kinds = {(c.kind, c.account, c.delta) for c in compare(WEEK1, cur, CFG).items}
    assert kinds == {("lost", "KA-004", None), ("close_pulled_in", "KA-003", -30)}


def test_trends_and_conversion_from_history():
    w1 = copy.deepcopy(WEEK1)
    w1["summary"] = {"pipeline": {"by_stage": {"提案": 200.0}, "weighted_total": 80.0, "open_total": 200.0},
                     "stale_accounts": ["KA-001"], "issues": {"error": 3, "warning": 1}}
    w2 = copy.deepcopy(w1)
    w2["week"], w2["as_of"] = "2026-W48", "2026-11-27"
    w2["accounts"][0]["projects"][0]["stage"] = "招投标"
    w2["summary"] = {"pipeline": {"by_stage": {"招投标": 100.0, "提案": 100.0}, "weighted_total": 100.0,
                                  "open_total": 200.0}, "stale_accounts": [], "issues": {"error": 1, "warning": 0}}
    t = trends((w1, w2))
    assert t["weeks"] == ["2026-W47", "2026-W48"]
    assert t["pipeline_by_stage"]["提案"] == [200.0, 100.0]
    assert t["pipeline_by_stage"]["招投标"] == [0.0, 100.0]
    assert t["stale"] == [1, 0] and t["errors"] == [3, 1]
    conv = {(c["from"], c["to"]): c for c in conversion((w1, w2), CFG)}
    proposal = conv[("提案", "招投标")]
    # KA-001 and KA-004 were in 提案; only KA-001 moved on, 7 days later
    assert (proposal["entered"], proposal["advanced"], proposal["median_days"]) == (2, 1, 7)
