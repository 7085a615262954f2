"""Audiences (issue 7 §4): with one audience per team and a management audience with everything, `sitegen build`
publishes one complete site per audience, and nothing of another team reaches a team's site: no account id,
account name, key-person name or rep name of the other team, and no figure computed from its data, in any file
(pages, JSON, the search index, the cells of export.xlsx). Two weeks are built, so the changes, the trends and
the conversion from history are covered too."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from weekfixture import SEED, WEEK1, WEEK2, build_week, edit_week2, persons_of, read_json

from sitegen.config import load_config
from sitegen.render.env import money


def site_text(site: Path) -> dict[str, str]:
    """Every file of a site as text; an xlsx as the XML of all its parts."""
    out = {}
    for f in sorted(site.rglob("*")):
        if not f.is_file() or f.name == "plotly.min.js":
            continue
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                out[f.relative_to(site).as_posix()] = "".join(z.read(n).decode("utf-8") for n in z.namelist())
        else:
            out[f.relative_to(site).as_posix()] = f.read_text(encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def audiences(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from sitegen.demo.generate import generate_department

    root = tmp_path_factory.mktemp("audiences")
    manifest = generate_department(root / "input", teams=2, reps_per_team=2, accounts=12, seed=SEED, as_of=WEEK1,
                                   mistakes=False, layouts=("a",))
    teams = list(manifest.teams)
    yaml = ["title: 大客户部", "audiences:"]
    for i, team in enumerate(teams):
        yaml += [f"  - name: team{i + 1}", f"    title: {team}", f"    teams: [{team}]"]
    yaml += ["  - name: all", "    title: 管理层"]
    (root / "sitegen.yaml").write_text("\n".join(yaml) + "\n", encoding="utf-8")
    config = load_config(root / "sitegen.yaml")
    out = build_week(config, WEEK1).output_dir
    week1 = {a["id"]: a for a in read_json(out / "all" / "data" / "accounts.json")}
    persons1 = persons_of(config)
    edits = edit_week2(config.input_dir, list(week1.values()), persons1)
    build_week(config, WEEK2)
    persons = {k: set(v) for k, v in persons1.items()}
    for k, v in persons_of(config).items():
        persons.setdefault(k, set()).update(v)
    reps = {r.name: r.team for r in manifest.reps}
    return {"root": root, "out": out, "teams": teams, "week1": week1, "persons": persons, "reps": reps,
            "edits": edits, "folder": {team: f"team{i + 1}" for i, team in enumerate(teams)}}


def test_one_complete_site_per_audience(audiences: dict[str, Any]) -> None:
    out = audiences["out"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["all", "team1", "team2"]
    for name in ("all", "team1", "team2"):
        site = out / name
        for page in ("index.html", "changes.html", "teams.html", "accounts.html", "competitors.html",
                     "quality.html", "data/changes.json", "data/export.xlsx", "assets/plotly.min.js"):
            assert (site / page).is_file(), (name, page)
        for a in read_json(site / "data" / "accounts.json"):
            assert (site / a["url"]).is_file()
    everything = read_json(out / "all" / "data" / "accounts.json")
    assert {a["id"] for a in everything} == set(audiences["week1"]) - {audiences["edits"].removed[0]}
    assert len(read_json(out / "all" / "data" / "changes.json")["changes"]) == 8


@pytest.mark.parametrize("index", [0, 1])
def test_nothing_of_another_team_reaches_a_team_site(audiences: dict[str, Any], index: int) -> None:
    teams = audiences["teams"]
    team, other = teams[index], teams[1 - index]
    site = audiences["out"] / audiences["folder"][team]
    files = site_text(site)
    week1 = audiences["week1"]
    theirs = [a for a in week1.values() if a["team"] == other]
    ours = [a for a in week1.values() if a["team"] == team]
    assert theirs and ours
    forbidden = set()
    for a in theirs:
        forbidden |= {a["id"], a["id"].lower() + ".html", a["name"]}
        forbidden |= audiences["persons"].get(a["id"], set())
    forbidden |= {rep for rep, t in audiences["reps"].items() if t == other}
    ours_text = {a["name"] for a in ours} | {p for a in ours for p in audiences["persons"].get(a["id"], set())}
    forbidden -= ours_text  # a name both teams happen to use is not a leak
    for rel, text in files.items():
        for value in forbidden:
            assert value not in text, f"{value!r} of {other} in {audiences['folder'][team]}/{rel}"
    # what the site does hold is this team's
    assert {a["team"] for a in read_json(site / "data" / "accounts.json")} == {team}
    changes = read_json(site / "data" / "changes.json")
    everything = read_json(audiences["out"] / "all" / "data" / "changes.json")
    assert changes["changes"] == [c for c in everything["changes"] if c["team"] == team]
    assert {c["team"] for c in changes["contacts"]} == {team}


def numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return []


@pytest.mark.parametrize("index", [0, 1])
def test_no_figure_of_another_team_reaches_a_team_site(audiences: dict[str, Any], index: int) -> None:
    teams = audiences["teams"]
    team = teams[index]
    out = audiences["out"]
    site = out / audiences["folder"][team]
    everything = read_json(out / "all" / "data" / "summary.json")
    mine = read_json(site / "data" / "summary.json")
    accounts = read_json(out / "all" / "data" / "accounts.json")
    own = [a for a in accounts if a["team"] == team]
    # the headline figures are the team's own
    assert mine["counts"]["accounts"] == len(own)
    assert mine["pipeline"]["open_total"] == pytest.approx(sum(a["open_value"] for a in own))
    assert mine["pipeline"]["weighted_total"] == pytest.approx(sum(a["weighted"] for a in own))
    # the department's totals (which include the other team) appear nowhere: not in a page, a chart or a JSON file
    totals = {everything["pipeline"]["open_total"], everything["pipeline"]["weighted_total"]}
    totals -= {mine["pipeline"]["open_total"], mine["pipeline"]["weighted_total"]}
    files = site_text(site)
    for rel, text in files.items():
        if rel.endswith(".json"):
            found = set(numbers(json.loads(text)))
            assert not {float(v) for v in totals} & found, rel
        for v in totals:
            assert not re.search(rf"(?<![\d,.]){re.escape(money(v))}(?![\d,.])", text), (rel, v)
        for m in re.finditer(r'<script type="application/json" id="fig-[^"]+">(.*?)</script>', text, re.S):
            assert not {float(v) for v in totals} & set(numbers(json.loads(m.group(1)))), rel
    # the trends from history are the team's own, week by week
    index_page = files["index.html"]
    fig = json.loads(re.search(r'id="fig-trend_pipeline">(.*?)</script>', index_page, re.S).group(1))
    bars = [tr for tr in fig["data"] if tr["type"] == "bar"]
    week1_own = [a for a in audiences["week1"].values() if a["team"] == team]
    assert sum(tr["y"][0] for tr in bars) == pytest.approx(sum(a["open_value"] for a in week1_own))
    assert sum(tr["y"][1] for tr in bars) == pytest.approx(sum(a["open_value"] for a in own))
    # the conversion from history counts only the team's projects
    conv = re.search(r'<div class="card" id="conversion">(.*?)</div>\s*<div class="card" id="trend', index_page, re.S)
    entered = [int(n) for n in re.findall(r"</td><td class=\"num\">(\d+)</td><td class=\"num\">\d+</td>",
                                          conv.group(1))]
    projects = sum(len(a["projects"]) for a in week1_own) + sum(len(a["projects"]) for a in own)
    assert entered and max(entered) <= projects
