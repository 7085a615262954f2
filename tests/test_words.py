"""Words for people: the CLI's help in one language with every option described and examples, issue kinds by
name, and what a first run (a fresh `sitegen init` project) says to do next."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
import yaml

from sitegen.cli import main, parser
from sitegen.issues import MESSAGES

LOCALE = Path(__file__).resolve().parents[1] / "sitegen" / "locale"
ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments", "show this help",
                    "show program's version", "error:")


def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_help_is_in_one_language_every_option_described_examples_last(capsys: pytest.CaptureFixture[str]) -> None:
    subs = _subparsers(parser())
    assert set(subs) == {"check", "build", "columns", "init", "serve", "bench"}
    for name in ("", *subs):
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"] if name else ["--help"])
        assert exit_.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("用法：sitegen"), text
        for english in ARGPARSE_ENGLISH:
            assert english not in text.lower(), (name, english)
        tail = text.rstrip().split("\n\n")[-1]
        assert tail.startswith("例：") and f"sitegen {name}".strip() in tail, (name, tail)
    for name, sub in subs.items():
        for action in sub._actions:
            assert action.help and re.search(r"[\u4e00-\u9fff]", action.help), (name, action.option_strings)


@pytest.mark.parametrize("argv, says", [
    (["build", "--as-of"], "参数 --as-of 后面需要一个值"),
    (["nosuch"], "参数 命令 的值 'nosuch' 无效"),
    (["serve", "--port", "x"], "参数 --port 的值 'x' 无效（应为整数）"),
    (["check", "--formt", "json"], "无法识别的参数：--formt"),
])
def test_usage_errors_in_chinese(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "用法：" in err and says in err, err


def test_every_issue_kind_has_a_name_in_both_languages() -> None:
    for lang in ("zh", "en"):
        strings = yaml.safe_load((LOCALE / f"{lang}.yaml").read_text(encoding="utf-8"))
        for code in MESSAGES:
            name = strings.get(f"kind.{code}")
            assert name and name != code, (lang, code)
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", name), code


def test_first_run_says_what_to_do_next(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "大客户部"
    assert main(["init", str(project)]) == 0
    said = capsys.readouterr().out
    assert "用 Excel 打开 input/ 中的空白模板" in said and "把工作簿放进 input/" not in said
    assert main(["check", "--config", str(project / "sitegen.yaml"), "--as-of", "2026-11-20",
                 str(project / "input")]) == 0
    assert "还没有数据：用 Excel 打开输入文件夹（input/）中的模板填写后再运行 sitegen build" in capsys.readouterr().out
    assert main(["build", "--config", str(project / "sitegen.yaml"), "--as-of", "2026-11-20"]) == 0
    said = capsys.readouterr().out
    # the templates' example rows are part of the form: not read, not "skipped"
    assert "读取 0 行 = 接受 0 + 拒绝 0 + 跳过（空行/合计）0" in said, said
    assert "还没有数据：用 Excel 打开 input/ 中的模板填写后再运行 sitegen build" in said
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert 'id="first-run"' in index and "还没有数据：用 Excel 打开 input/ 中的模板填写后再运行 sitegen build" in index
    # no chart of nothing: no empty axis (−1 … 1 万元)
    assert not re.findall(r'id="fig-(trend_pipeline|trend_health|pipeline|forecast)"', index)


def test_quality_page_names_issue_kinds(tmp_path: Path) -> None:
    from sitefixture import build_site

    page = (build_site(tmp_path) / "quality.html").read_text(encoding="utf-8")
    table = page.split('id="by-kind"', 1)[-1] if 'id="by-kind"' in page else page
    kinds = re.findall(r'<td title="([a-z-]+)">([^<]+)</td>', table)
    assert kinds
    for code, name in kinds:
        assert code in MESSAGES and re.search(r"[\u4e00-\u9fff]", name) and code not in name
