"""Progress bars (sitegen/progress.py): drawn on a terminal only, never with --quiet, --format json or when
stderr is a file or a pipe (tests, CI logs); labelled in the configured language; redrawn a few times a
second at most; and counting the real work: every workbook read, every page and data file written."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from sitegen import progress
from sitegen.cli import main
from sitegen.progress import Bars

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    """What the bars take for a terminal."""

    def isatty(self) -> bool:
        return True


def shown(stream: io.StringIO) -> str:
    return ANSI.sub("", stream.getvalue())


def test_a_terminal_gets_a_bar_with_its_count() -> None:
    out = Terminal()
    with Bars(True, zh=True, stream=out, delay=0, interval=0).step("read", 3) as step:
        for _ in range(3):
            step.advance()
    text = shown(out)
    assert "读取工作簿" in text and "1/3" in text and "3/3" in text
    assert step.draws == 3


def test_english_labels() -> None:
    out = Terminal()
    with Bars(True, zh=False, stream=out, delay=0, interval=0).step("render", 10) as step:
        step.to(4)
        step.to(10)
    text = shown(out)
    assert "Writing pages" in text and "10/10" in text and "生成页面" not in text


@pytest.mark.parametrize("stream, enabled", [(io.StringIO(), True), (Terminal(), False)],
                         ids=["not a terminal", "quiet"])
def test_no_bar_off_a_terminal_or_when_quiet(stream: io.StringIO, enabled: bool) -> None:
    with Bars(enabled, stream=stream, delay=0, interval=0).step("read", 5) as step:
        for _ in range(5):
            step.advance()
    assert stream.getvalue() == "" and step.draws == 0


def test_redrawn_a_few_times_a_second_at_most() -> None:
    out = Terminal()
    with Bars(True, stream=out, delay=0, interval=3600).step("render", 100_000) as step:
        for i in range(100_000):
            step.to(i + 1)
    assert step.draws == 1  # the first call draws; the next redraw would be an hour later
    assert progress.INTERVAL <= 0.5


def test_a_step_done_within_the_delay_draws_nothing() -> None:
    out = Terminal()
    with Bars(True, stream=out, delay=3600, interval=0).step("read", 2) as step:
        step.advance()
        step.advance()
    assert out.getvalue() == "" and step.draws == 0


# ---------------------------------------------------------------- the commands, on the demo department

@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Bars appear at once and are redrawn on every call (to see every count); run in a folder of its own."""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.chdir(tmp_path)


def on_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """stderr is a terminal (set in the test itself: pytest's capture resets sys.stderr after fixtures)."""
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    return err


def workbooks() -> int:
    from sitegen.config import load_config
    from sitegen.load import find

    files, _skipped = find(load_config(None), REPO / "input")
    return len(files)


@pytest.mark.usefixtures("fast")
def test_build_shows_reading_and_rendering(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    terminal = on_terminal(monkeypatch)
    assert main(["build", "--input", str(REPO / "input"), "--output", str(tmp_path / "out"), "--as-of", AS_OF]) == 0
    text = shown(terminal)
    n = workbooks()
    written = sum(1 for p in (tmp_path / "out").rglob("*") if p.is_file()) - 1  # the site marker is no page
    assert "读取工作簿" in text and f"{n}/{n}" in text
    assert "生成页面" in text and f"{written}/{written}" in text
    assert "网站已生成" in capsys.readouterr().out  # the summary goes to stdout, the bars to stderr


@pytest.mark.usefixtures("fast")
def test_quiet_build_shows_no_bar(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    terminal = on_terminal(monkeypatch)
    assert main(["build", "-q", "--input", str(REPO / "input"), "--output", str(tmp_path / "out"),
                 "--as-of", AS_OF]) == 0
    assert terminal.getvalue() == ""


@pytest.mark.usefixtures("fast")
def test_check_shows_the_reading_bar_but_not_with_json(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    terminal = on_terminal(monkeypatch)
    n = workbooks()
    main(["check", str(REPO / "input"), "--as-of", AS_OF])
    assert "读取工作簿" in shown(terminal) and f"{n}/{n}" in shown(terminal)
    terminal.seek(0)
    terminal.truncate()
    capsys.readouterr()
    main(["check", str(REPO / "input"), "--as-of", AS_OF, "--format", "json"])
    assert terminal.getvalue() == ""
    assert capsys.readouterr().out.lstrip().startswith("{")


@pytest.mark.usefixtures("fast")
def test_english_bars_for_an_english_project(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    terminal = on_terminal(monkeypatch)
    (tmp_path / "sitegen.yaml").write_text("language: en\n", encoding="utf-8")
    main(["check", str(REPO / "input"), "--as-of", AS_OF])
    text = shown(terminal)
    assert "Reading workbooks" in text and "读取工作簿" not in text
