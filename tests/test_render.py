"""The built site of the fixture department: pages, links, the JSON contract, privacy, escaping, layouts,
determinism and the Excel export."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from openpyxl import load_workbook
from sitefixture import AS_OF, PRIVATE_VALUES, build_site, make_project, search_rows

from sitegen.build import BuildError, BuildOptions, build, safe_path
from sitegen.config import load_config
from sitegen.render.env import json_for_script
from sitegen.render.notes import render_notes
from sitegen.render.urls import Urls, slugs

ATTR = re.compile(r'\s(?:href|src|action|data)="([^"]*)"')
IDS = re.compile(r'\sid="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("site"))


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


# ---- pages


def test_every_page_kind_is_built(site: Path) -> None:
    for name in ("index.html", "teams.html", "accounts.html", "competitors.html", "quality.html", "changes.html"):
        assert (site / name).is_file(), name
    accounts = json.loads(read(site / "data" / "accounts.json"))
    assert {a["id"] for a in accounts} == {"KA-001", "KA-002", "KA-003", "KA-004", "KA-101", "KA-102", "KA-103"}
    for a in accounts:
        assert (site / a["url"]).is_file()
        assert re.fullmatch(r"accounts/[a-z0-9_-]+\.html", a["url"])
    assert len(list((site / "reps").glob("r-*.html"))) == 2  # Chinese names -> hashed ASCII slugs
    assert len(list((site / "teams").glob("t-*.html"))) == 2


def test_every_relative_link_resolves(site: Path) -> None:
    ids_cache: dict[Path, set[str]] = {}
    for page in html_files(site):
        for url in ATTR.findall(read(page)):
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{page.name}: absolute URL {url}"
            if not parts.path:
                continue
            assert not parts.path.startswith("/"), f"{page.name}: root-relative URL {url}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} -> {url}"
            assert site.resolve() in target.parents
            if parts.fragment and target.suffix == ".html":
                ids = ids_cache.setdefault(target, set(IDS.findall(read(target))))
                assert parts.fragment in ids, f"{page.relative_to(site)} -> {url}"


def test_nothing_refers_to_another_host(site: Path) -> None:
    for f in site.rglob("*"):
        if f.suffix in (".html", ".css") or f.name in ("site.js", "accounts.js", "search-index.js"):
            text = read(f)
            for url in ATTR.findall(text):
                assert not re.match(r"(?i)\s*([a-z]+:|//)", url), f"{f.name}: {url}"
            assert "@import" not in text and "url(" not in text.replace("url(#", "")
            assert "fetch(" not in text and "XMLHttpRequest" not in text


def test_plotly_is_shipped_once_and_loaded_only_by_pages_with_charts(site: Path) -> None:
    big = [f for f in site.rglob("*.js") if f.stat().st_size > 1_000_000]
    assert [f.relative_to(site).as_posix() for f in big] == ["assets/plotly.min.js"]
    assert read(site / "assets" / "plotly.min.js").count("plotly.js v") == 1
    # assets/site.js loads it (relative to the page's data-root) on a page with a figure, when one comes near
    # the screen or the page is idle; the browser tests check that the accounts list never does
    assert '"assets/plotly.min.js"' in read(site / "assets" / "site.js")
    with_charts = 0
    for page in html_files(site):
        depth = len(page.relative_to(site).parts) - 1
        text = read(page)
        assert f'data-root="{"../" * depth}"' in text
        with_charts += 'data-fig="fig-' in text
        assert "plotly.min.js" not in text
        assert "Plotly.newPlot" not in text  # drawn by assets/site.js from embedded JSON
        assert "search-index.js" not in text  # loaded by assets/site.js when the search box is first used
    assert with_charts and 'data-fig="fig-' not in read(site / "accounts.html")


def test_no_inline_script_or_handler(site: Path) -> None:
    """Every page runs under script-src 'self': scripts are files; inline blocks only hold JSON data."""
    for page in html_files(site):
        text = read(page)
        for attrs in re.findall(r"<script\b([^>]*)>", text):
            assert "src=" in attrs or 'type="application/json"' in attrs, (page.name, attrs)
        assert not re.search(r"\son[a-z]+\s*=", text.split("<script type=")[0]), page.name


def test_account_page_content(site: Path) -> None:
    page = read(site / "accounts" / "ka-001.html")
    for text in ("华东电力集团", "智慧园区一期", "数据中心扩容", "王总", "刘工", "海康", "讨论合同条款", "提交报价",
                 "合作年限", 'class="org"', 'data-fig="fig-influence"', 'data-fig="fig-radar"', "<h2>背景</h2>"):
        assert text in page, text
    assert "javascript:" not in page
    # the stage progress of the 商务谈判 project: four stages done, the fifth current
    assert page.count('<li class="current">') == 2


def test_rep_page_lists_the_reps_to_do(site: Path) -> None:
    rep = site / Urls([], ["李四"], [], []).rep("李四")  # type: ignore[operator]
    page = read(rep)
    assert "再约时间" in page and "发送方案" in page  # overdue next actions
    assert "todo-stale" in page and "北方重工" in page  # stale strategic account
    assert "“日期”的值“昨天”不是有效日期" in page  # their data errors, with place
    assert "A5" in page


def test_quality_page_lists_every_issue(site: Path) -> None:
    issues = json.loads(read(site / "data" / "issues.json"))
    page = read(site / "quality.html")
    assert len(issues) == 5
    for i in issues:
        assert i["message"].replace("“", "").replace("”", "")[:8] in page.replace("“", "").replace("”", "")
        assert set(i) >= {"severity", "code", "message", "file", "sheet", "cell", "rep"}
    assert page.count('<tr class="sev-') == len(issues)


# ---- the JSON contract


def test_summary_json_contract(site: Path) -> None:
    s = json.loads(read(site / "data" / "summary.json"))
    assert set(s) == {"as_of", "counts", "pipeline", "stale_accounts", "overdue_actions", "no_decision_maker", "won",
                      "lost", "issues", "issues_by_rep"}
    assert s["as_of"] == AS_OF.isoformat()
    assert s["counts"] == {"accounts": 7, "open_accounts": 5, "projects": 8, "open_projects": 6, "key_persons": 8,
                           "competition_rows": 6, "followups": 8}
    assert s["pipeline"]["open_total"] == 1230 and s["pipeline"]["weighted_total"] == 576
    assert s["pipeline"]["by_stage"] == {"客户开发": 30, "立项": 400, "提案": 270, "招投标": 210, "商务谈判": 320}
    assert s["stale_accounts"] == ["KA-101", "KA-002"]
    assert s["overdue_actions"][0] == {"account": "KA-101", "due": "2026-10-15", "action": "再约时间"}
    assert s["no_decision_maker"] == ["KA-002", "KA-003"]
    assert (s["won"], s["lost"]) == (1, 1)
    assert s["issues"] == {"error": 4, "warning": 1}
    assert s["issues_by_rep"] == {"张三": {"error": 0, "warning": 1}, "李四": {"error": 4, "warning": 0}}
    # the dashboard shows the same figures
    index = read(site / "index.html")
    assert "1,230" in index and "576" in index


def test_accounts_json_contract(site: Path) -> None:
    accounts = json.loads(read(site / "data" / "accounts.json"))
    for a in accounts:
        assert {"id", "name", "rep", "team", "category", "last_contact", "stale", "url", "projects"} <= set(a)
        for p in a["projects"]:
            assert set(p) == {"name", "stage", "value", "probability", "expected_close", "flags", "plan_url"}
    ka1 = next(a for a in accounts if a["id"] == "KA-001")
    assert ka1["last_contact"] == "2026-11-18" and ka1["stale"] is False and ka1["team"] == "华东团队"
    assert [p["probability"] for p in ka1["projects"]] == [0.8, 0.5]


# ---- privacy and escaping


def all_text(site: Path) -> dict[str, str]:
    out = {}
    for f in site.rglob("*"):
        if f.is_file() and f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                out[str(f)] = "".join(z.read(n).decode("utf-8") for n in z.namelist())
        elif f.is_file() and f.name != "plotly.min.js":
            out[str(f)] = f.read_bytes().decode("utf-8")
    return out


def test_private_fields_never_reach_the_output(site: Path) -> None:
    for name, text in all_text(site).items():
        for value in (*PRIVATE_VALUES, "021-555"):
            assert value not in text, f"{value} in {name}"


def test_cell_text_is_data_never_html(site: Path) -> None:
    for name, text in all_text(site).items():
        if name.endswith(".json"):
            continue  # JSON holds the text as typed: it is data for programs, which escape it themselves
        assert "<script>alert" not in text, name
        assert "<img src=x" not in text, name
        assert "<b>股份" not in text, name
    page = read(site / "accounts" / "ka-101.html")
    assert "北方重工&lt;b&gt;股份&lt;/b&gt;" in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_json_inside_script_cannot_break_out() -> None:
    out = str(json_for_script({"a": "</script><!-- & \u2028\u2029"}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == {"a": "</script><!-- & \u2028\u2029"}


def test_markdown_notes_are_sanitised() -> None:
    html = render_notes("**粗体** <script>alert(1)</script> [x](javascript:alert(1)) ![i](http://h/i.png) "
                        "<a href='http://ok.invalid' onclick='x()'>ok</a>")
    assert "<strong>粗体</strong>" in html
    for bad in ("<script", "javascript:", "<img"):
        assert bad not in html
    tags = re.findall(r"<[^>]*>", html)
    assert not [t for t in tags if "onclick" in t or "<a " in t and "http://ok.invalid" in t]
    # raw HTML typed into a cell is text, shown as typed, not markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;a href=" in html


@pytest.mark.parametrize("typed, shown", [
    # Alt+Enter lines starting with "- " after a line of text: a list, then the text goes on as a paragraph
    ("客户关心价格\n- 预算已批\n- 决策人下周出差\n下次带方案", "<p>客户关心价格</p>\n<ul>\n<li>预算已批</li>\n"
     "<li>决策人下周出差</li>\n</ul>\n<p>下次带方案</p>"),
    ("要点：\r\n• 一\r\n• 二", "<p>要点：</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>"),
    ("步骤\n1. 报价\n2. 演示", "<p>步骤</p>\n<ol>\n<li>报价</li>\n<li>演示</li>\n</ol>"),
    ("第一行\n第二行 **重点**", "<p>第一行<br>\n第二行 <strong>重点</strong></p>"),
    ("价格<b>低</b>\n- 一", "<p>价格&lt;b&gt;低&lt;/b&gt;</p>\n<ul>\n<li>一</li>\n</ul>"),
])
def test_notes_render_lists_and_lines_as_typed(typed: str, shown: str) -> None:
    assert render_notes(typed) == shown


def test_search_index_is_a_script_without_private_fields(site: Path) -> None:
    text = read(site / "assets" / "search-index.js")
    rows = search_rows(text)
    names = {r[1] for r in rows}
    assert {"华东电力集团", "王总", "张三", "华东团队", "海康"} <= names  # 海康: a competitor
    assert {r[0] for r in rows} == {"a", "p", "r", "t", "c"}
    for _kind, _name, _detail, url in rows:
        path, _, fragment = url.partition("#")
        assert (site / path).is_file(), url
        if fragment:
            assert f'id="{fragment}"' in read(site / path), url
    for value in PRIVATE_VALUES:
        assert value not in text


# ---- Excel export


def test_export_neutralises_formulas(site: Path) -> None:
    wb = load_workbook(site / "data" / "export.xlsx")
    assert wb.sheetnames == ["客户与项目", "关键人", "竞争分析", "跟进记录", "数据问题"]
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.style == "Normal" or c.quotePrefix, c.coordinate
                    assert c.quotePrefix, f"{ws.title}!{c.coordinate}"
                    risky.append(c.value)
    assert '=HYPERLINK("http://evil.invalid","点我")' in risky and "=1+1" in risky and "@SUM(A1)" in risky
    ws = wb["客户与项目"]
    assert ws["A2"].value == "KA-001" and ws["K2"].value == 320


# ---- determinism, layouts, language


def test_same_input_gives_byte_identical_output(site: Path, tmp_path: Path) -> None:
    again = build_site(tmp_path)
    a = {f.relative_to(site).as_posix(): f.read_bytes() for f in site.rglob("*") if f.is_file()}
    b = {f.relative_to(again).as_posix(): f.read_bytes() for f in again.rglob("*") if f.is_file()}
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_layout_override_extends_the_default(tmp_path: Path) -> None:
    out = build_site(tmp_path, layouts={
        "account.html": '{% extends "default:account.html" %}{% block profile %}<p id="custom">定制 {{ a.id }}</p>'
                        "{% endblock %}",
        "base.html": '{% extends "default:base.html" %}{% block footer %}内部资料{% endblock %}',
    })
    page = read(out / "accounts" / "ka-001.html")
    assert '<p id="custom">定制 KA-001</p>' in page and "客户档案" not in page
    assert "内部资料" in page and "内部资料" in read(out / "index.html")


def test_english_interface(tmp_path: Path) -> None:
    out = build_site(tmp_path, language="en")
    index = read(out / "index.html")
    assert '<html lang="en">' in index and "Department dashboard" in index and "部门总览" not in index
    assert "Negotiation" in read(out / "accounts" / "ka-001.html")


# ---- URLs and writing


def test_slugs_are_ascii_stable_and_collision_free() -> None:
    names = ["KA-001", "ka-001", "CON", "con.txt", "张三", "x" * 200, "../../etc/passwd", "a b", "Ｋａ"]
    s = slugs(names, "a")
    assert len({v.lower() for v in s.values()}) == len(names)
    for v in s.values():
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,70}", v), v
    assert s["CON"].startswith("a-") and s["张三"].startswith("a-")
    # stable: a name keeps its slug whatever other names exist
    assert slugs(["张三"], "r")["张三"] == slugs(["张三", "李四", "王五"], "r")["张三"] == "r-" + s["张三"][2:]


def test_safe_path_refuses_escapes(tmp_path: Path) -> None:
    for bad in ("../x.html", "/etc/passwd", "a/../../x", "C:/x", "a\\..\\x", ""):
        with pytest.raises(BuildError):
            safe_path(tmp_path, bad)
    assert safe_path(tmp_path, "accounts/ka-001.html") == tmp_path / "accounts" / "ka-001.html"
    assert PurePosixPath("accounts/ka-001.html").parts[0] == "accounts"


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "important.docx").write_text("x", encoding="utf-8")
    with pytest.raises(BuildError):
        build(config, BuildOptions(as_of=AS_OF, quiet=True))
    with pytest.raises(BuildError):
        build(config, BuildOptions(as_of=AS_OF, quiet=True, output_dir=tmp_path))
    assert (tmp_path / "output" / "important.docx").exists()


def test_a_failed_build_keeps_the_last_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = build_site(tmp_path)
    before = {f.relative_to(out).as_posix(): f.read_bytes() for f in out.rglob("*") if f.is_file()}

    def broken(*_a: object, **_k: object):
        raise RuntimeError("render failed")

    monkeypatch.setattr("sitegen.render.pages.Pages.dashboard", broken)  # other pages are written meanwhile
    monkeypatch.setattr("sitegen.build.unchanged", lambda *_a, **_k: False)  # the input did not change: build anyway
    # raised in this process, or in a render worker and then reported as a BuildError naming it
    with pytest.raises((RuntimeError, BuildError), match="render failed"):
        build(load_config(tmp_path / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    after = {f.relative_to(out).as_posix(): f.read_bytes() for f in out.rglob("*") if f.is_file()}
    assert after == before
    # the next build cleans what the failed one left beside the output
    monkeypatch.undo()
    build(load_config(tmp_path / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("output")) == ["output"]


def test_layouts_readme_examples_work(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "layouts" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```jinja\n(.*?)```", readme, re.S)
    account, base = blocks[0], blocks[1]
    out = build_site(tmp_path, layouts={"account.html": account, "base.html": base})
    page = read(out / "accounts" / "ka-001.html")
    assert "拜访前请先查看最近三次跟进记录。" in page and "客户档案" in page  # super() kept the original
    assert "内部资料，请勿外传" in read(out / "index.html")


@pytest.mark.parametrize("text", ["客户重视本地服务。\n第二行\n\n第二段", "价格 12.5 万，\"含税\"", "  前导空格"])
def test_plain_notes_render_as_markdown_would(text: str) -> None:
    from sitegen.render.notes import _converter

    assert render_notes(text) == _converter().reset().convert(text)


@pytest.mark.parametrize("template", ['{% extends "default:account.html" %}{% block profile %}{{ nosuch.x }}'
                                      '{% endblock %}', "{% block profile %}{% endfor %}"])
def test_a_broken_layout_is_reported_with_its_place_and_keeps_the_site(tmp_path: Path, template: str) -> None:
    out = build_site(tmp_path)
    before = read(out / "index.html")
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "account.html").write_text(template, encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build(load_config(tmp_path / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    assert "account.html" in str(err.value)
    assert read(out / "index.html") == before
