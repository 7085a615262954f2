"""The shipped demo looks alive on any day it is built: its sitegen.yaml pins the statistics date to the week its
data describes, and it ships the previous week's snapshot, so the first build has changes and trends."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import sitegen.config
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.demo.generate import DEFAULT_AS_OF, DEFAULT_SEED
from sitegen.demo.lastweek import last_week

REPO = Path(__file__).resolve().parents[1]


def _demo_project(root: Path) -> Path:
    shutil.copytree(REPO / "input", root / "input")
    shutil.copytree(REPO / "examples" / "demo", root / "examples" / "demo")
    shutil.copy(REPO / "sitegen.yaml", root / "sitegen.yaml")
    return root / "sitegen.yaml"


class _Day(date):
    today_is = date(2026, 12, 4)

    @classmethod
    def today(cls) -> date:  # type: ignore[override]
        return cls.today_is


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2027, 6, 30)], ids=["2026-12-04", "2027-06-30"])
def test_demo_built_on_any_day_shows_a_living_department(today: date, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = _demo_project(tmp_path)
    _Day.today_is = today
    monkeypatch.setattr(sitegen.config, "date", _Day)
    assert main(["build", "--config", str(config)]) == 0
    said = capsys.readouterr().out
    assert "统计日期 2026-11-20（sitegen.yaml 中的 as_of 固定了这一天）" in said, said
    site = tmp_path / "output"
    summary = json.loads((site / "data" / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == DEFAULT_AS_OF.isoformat()
    counts = summary["counts"]
    # a working department: most open accounts were contacted lately, few actions are overdue
    assert len(summary["stale_accounts"]) <= counts["open_accounts"] // 5
    assert len(summary["overdue_actions"]) <= counts["open_accounts"] // 4
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "统计日期 2026-11-20" in index
    with gzip.open(tmp_path / ".sitegen" / "history" / "2026-W47.json.gz", "rt", encoding="utf-8") as fh:
        week = json.load(fh)
    contacts = sum(w.get("2026-W47", [0, 0])[0] for w in week["activity"].values())
    assert contacts >= 3 * len(week["activity"])  # this week's follow-ups: at least three per rep
    # project rows rejected for data errors are counted beside the figures
    from sitegen.load import load

    loaded = load(load_config(config), DEFAULT_AS_OF)
    rejected = sum(s.rejected for s in loaded.report.sheets if s.form == "customer")
    assert rejected and f"另有 {rejected} 个项目因数据错误未计入以上数字" in index
    # the first build already compares with the previous week
    changes = json.loads((site / "data" / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous_week"] == "2026-W46" and sum(changes["counts"].values()) >= 10
    assert "历史中共 2 周" in index


def test_shipped_previous_week_is_the_generators(tmp_path: Path) -> None:
    """examples/demo/history holds exactly what `python -m sitegen.demo` makes from the committed input/."""
    shipped = sorted((REPO / "examples" / "demo" / "history").glob("*.json.gz"))
    assert [p.name for p in shipped] == ["2026-W46.json.gz"]
    with gzip.open(shipped[0], "rt", encoding="utf-8") as fh:
        committed = json.load(fh)
    fresh, undone = last_week(REPO / "input", DEFAULT_AS_OF, DEFAULT_SEED)
    assert committed == json.loads(json.dumps(fresh)), "run python -m sitegen.demo and commit examples/demo"
    assert undone.new_accounts and undone.advanced and undone.won


def test_repo_config_pins_the_demo_date() -> None:
    cfg = load_config(REPO / "sitegen.yaml")
    assert cfg.as_of == DEFAULT_AS_OF
    assert cfg.statistics_date() == DEFAULT_AS_OF
    assert cfg.statistics_date(date(2026, 12, 4)) == date(2026, 12, 4)  # --as-of still wins
