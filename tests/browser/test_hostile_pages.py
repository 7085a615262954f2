"""Nothing executed (issue 7 §2): a site built from hostile cells, opened page by page in headless Chromium.

The department (generated here) has eight accounts; account i carries payload i in every text column of
every form — customer file, key persons, competition, follow-ups, targets, an extra column — each value
tagged with its column (`<payload>·名称`, `<payload>·竞争方`…) so that it can be traced to the page that
shows it. The payloads are HTML and script (`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`,
`"><svg onload=alert(1)>`, `</script><script>alert(1)</script>`) and formula-like text
(`=HYPERLINK("http://evil","x")`, `+cmd|' /C calc'!A0`, `@SUM(1+1)`, `-2+3`). Team and rep names, sheet,
file and folder names carry them too; notes (备注) hold Markdown with a `javascript:` link and raw
`<iframe>`/`<script>`; one row puts payloads in the enumerated and numeric columns (rejected, so the
quality page quotes them), and one unreadable workbook has a hostile name.

Every page of the built site is opened from file:// and fails the test on: any dialog (alert, confirm,
prompt), any console error or uncaught exception, any request that is not file: or data:, and any trace of
injected markup in the DOM (an event-handler attribute other than the site's own, a `javascript:` URL, an
iframe/object/embed, an `<img src=x>`, a script whose text is a payload's). Every tagged value that a page's
source holds must be shown literally in some page's text (escaped, not interpreted), and the columns the
site shows must all be among them. The search box is typed into with a payload's words: the results show
the names as text.

The Excel export must store the formula-like texts as text (no `<f>` element, inline strings with the
quotePrefix style) and the JSON outputs (data/*.json, assets/search-index.js) must hold them only inside
JSON strings.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest

AS_OF = date(2026, 11, 20)
HTML_PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
                 "</script><script>alert(1)</script>")
FORMULAS = ('=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3")
PAYLOADS = HTML_PAYLOADS + FORMULAS
NOTES = ("**重点**客户。[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2))\n\n"
         '<iframe src="javascript:alert(3)"></iframe>\n\n<script>alert(4)</script>\n\n'
         "<img src=x onerror=alert(5)> <a href=\"javascript:alert(6)\">z</a>")
FOLDER = "<img src=x onerror=alert(1)>"
BOOK = "<script>alert(1)<／script>.xlsx"  # a file name cannot hold "/": the full-width slash stands in
BAD_BOOK = "<／script><script>alert(1)<／script>坏.xlsx"
SHEETS = {"customer": HTML_PAYLOADS[0], "persons": HTML_PAYLOADS[2], "competition": HTML_PAYLOADS[3],
          "followups": "跟进" + HTML_PAYLOADS[1]}
STAGES = ("提案", "招投标", "商务谈判", "立项", "客户开发", "工程实施", "赢单", "丢单")

# columns that carry a tagged payload, by form: header -> tag
CUSTOMER_TEXT = {"项目名称": "项目", "客户名称": "名称", "客户经理": "经理", "所属团队": "团队", "行业": "行业",
                 "地区": "地区", "需求描述": "需求描述", "资源支持需求": "资源", "地址": "地址", "网站": "网站",
                 "电话": "总机", FOLDER + "来源": "来源"}
PERSON_TEXT = {"姓名": "姓名", "部门": "部门", "职务": "职务", "组织需求": "组织需求", "电话": "手机", "邮箱": "邮箱",
               "生日": "生日", "籍贯": "籍贯", "爱好": "爱好", "家庭情况": "家庭", "应对策略": "对人策略"}
COMPETITION_TEXT = {"竞争方": "竞争方", "产品/方案": "方案", "优势": "优势", "劣势": "劣势", "支持者": "支持者",
                    "应对策略": "竞争策略"}
FOLLOWUP_TEXT = {"目的": "目的", "主要内容": "内容", "客户反馈": "反馈", "下一步行动": "下一步"}
PRIVATE_TAGS = {"总机", "手机", "邮箱", "生日", "籍贯", "爱好", "家庭"}
# what the site must show somewhere (the other tagged values may be left out, but never interpreted)
SHOWN_TAGS = {"名称", "项目", "经理", "团队", "姓名", "职务", "对人策略", "竞争方", "下一步", "来源"}


def tagged(i: int, tag: str) -> str:
    return f"{PAYLOADS[i]}·{tag}"


def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_rows(rows: list[list[object]]) -> str:
    """sheetData markup: strings as inline strings (XML-escaped), numbers as numbers."""
    out = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{_col(c)}{r}"
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def hostile_department(root: Path) -> None:
    from hostile import xlsx

    customers: list[list[object]] = [["客户编号", "项目名称", "客户名称", "客户经理", "所属团队", "客户类别", "客户等级",
                                      "行业", "地区", "企业性质", "员工人数", "年营业额(万元)", "销售阶段", "预计金额(万元)",
                                      "成交概率", "预计成交日期", "预算(M)", "决策人(A)", "需求(N)", "需求描述", "资源支持需求",
                                      "赢丢原因", "首次接触日期", "地址", "电话", "网站", "备注", FOLDER + "来源"]]
    persons: list[list[object]] = [["客户编号", "姓名", "部门", "职务", "购买角色", "影响力", "态度", "关系阶段", "个人需求",
                                    "组织需求", "行为风格", "汇报对象", "最近接触日期", "电话", "邮箱", "生日", "籍贯", "爱好",
                                    "家庭情况", "应对策略"]]
    competition: list[list[object]] = [["客户编号", "竞争方", "产品/方案", "报价(万元)", "优势", "劣势", "品牌", "产品技术",
                                        "商务价格", "服务", "客户关系", "威胁程度", "支持者", "应对策略"]]
    followups: list[list[object]] = [["日期", "客户编号", "客户经理", "跟进方式", "接触人", "目的", "主要内容", "客户反馈",
                                      "有效面谈", "下一步行动", "下次跟进日期"]]
    targets: list[list[object]] = [["客户经理", "月份", "拜访目标", "签约目标(万元)"]]
    for i in range(len(PAYLOADS)):
        aid = f"H-{i}" if i != 2 else PAYLOADS[2]  # one account id is itself hostile (it names a page)
        t = {h: tagged(i, tag) for h, tag in CUSTOMER_TEXT.items()}
        stage = STAGES[i]
        customers.append([aid, t["项目名称"], t["客户名称"], t["客户经理"], t["所属团队"], "战略客户", "A", t["行业"],
                          t["地区"], "国企", 1000, 50000, stage, 100 + i, "", "2027-03-01", "是", "是", "是",
                          t["需求描述"], t["资源支持需求"], "价格" if stage in ("赢单", "丢单") else "",
                          "2025-01-10", t["地址"], t["电话"], t["网站"], NOTES, t[FOLDER + "来源"]])
        for k, (role, boss) in enumerate((("决策者", ""), ("内线", tagged(i, "姓名") + "甲"))):
            p = {h: tagged(i, tag) + "甲乙"[k] for h, tag in PERSON_TEXT.items()}
            persons.append([aid, p["姓名"], p["部门"], p["职务"], role, 5 - k, "接受", "信赖", "成就", p["组织需求"],
                            "分析型", boss, "2026-11-02", p["电话"], p["邮箱"], p["生日"], p["籍贯"], p["爱好"],
                            p["家庭情况"], p["应对策略"]])
        c = {h: tagged(i, tag) for h, tag in COMPETITION_TEXT.items()}
        competition.append([aid, "我方", "我方方案", 100, "服务", "价格", 4, 4, 3, 5, 4, "", tagged(i, "姓名") + "乙", ""])
        competition.append([aid, c["竞争方"], c["产品/方案"], 90, c["优势"], c["劣势"], 3, 4, 5, 3, 3, "高",
                            c["支持者"], c["应对策略"]])
        for k, day in enumerate(("2026-10-08", "2026-11-03")):
            f = {h: tagged(i, tag) + str(k) for h, tag in FOLLOWUP_TEXT.items()}
            followups.append([day, aid, tagged(i, "经理"), "拜访", tagged(i, "姓名") + "甲", f["目的"], f["主要内容"],
                              f["客户反馈"], "是", f["下一步行动"], "2026-11-10" if k else "2026-10-20"])
        targets.append([tagged(i, "经理"), "2026-11", 8, 100])
    # a row rejected for its values: the quality page quotes them, with the file, sheet and cell
    customers.append(["H-99", "", "被拒客户", tagged(0, "经理"), tagged(0, "团队"), HTML_PAYLOADS[1], HTML_PAYLOADS[3],
                      "", "", FORMULAS[0], FORMULAS[1], FORMULAS[2], HTML_PAYLOADS[0], FORMULAS[3], HTML_PAYLOADS[2],
                      HTML_PAYLOADS[1], "", "", "", "", "", "", "", "", "", "", "", ""])
    xlsx(root / FOLDER / BOOK, [(SHEETS["customer"], sheet_rows(customers)), (SHEETS["persons"], sheet_rows(persons)),
                                (SHEETS["competition"], sheet_rows(competition)),
                                (SHEETS["followups"], sheet_rows(followups))])
    xlsx(root / '"><svg onload=alert(1)>目标.xlsx', [("销售目标", sheet_rows(targets))])
    bad = root / FOLDER / BAD_BOOK
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 40)  # a truncated zip: reported by name on the quality page


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sitegen.build import BuildOptions, build
    from sitegen.config import load_config

    project = tmp_path_factory.mktemp("hostile") / "project"
    hostile_department(project / "input")
    (project / "sitegen.yaml").write_text("title: 恶意输入<script>alert(1)</script>\n", encoding="utf-8")
    result = build(load_config(project / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    assert result.exit_code == 0
    return result.output_dir


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


# the DOM after the page ran: anything an injected payload would have left
DOM_CHECK = """() => {
  const bad = [];
  const own = new Set(['FORM onsubmit=return false']);
  for (const el of document.querySelectorAll('*')) {
    if (['IFRAME', 'OBJECT', 'EMBED', 'FRAME'].includes(el.tagName)) bad.push(el.tagName);
    if (el.tagName === 'IMG' && /^x$|\\/x$/.test(el.getAttribute('src') || '')) bad.push('IMG src=x');
    for (const a of el.attributes) {
      if (a.name.startsWith('on') && !own.has(`${el.tagName} ${a.name}=${a.value}`)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
      if (/^\\s*(javascript|vbscript|data:text\\/html)/i.test(a.value)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
    }
  }
  for (const s of document.scripts) if (/^\\s*alert\\(\\d\\)\\s*$/.test(s.text)) bad.push('SCRIPT ' + s.text);
  return bad;
}"""


class Visit:
    """One browser page that records dialogs, console errors, page errors and every request."""

    def __init__(self, browser: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).scheme in ("file", "data"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        n = self.page.locator(".plot[data-fig]").count()
        if n:  # figures are drawn as they come near the screen, and all of them before printing
            self.page.wait_for_function("() => !!window.Plotly")  # a wide screen loads it when idle after loading
            self.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            self.page.wait_for_function(
                "n => document.querySelectorAll('.plot[data-fig] svg.main-svg').length >= n", arg=n, timeout=15000)
        self.page.wait_for_timeout(50)  # let any onerror / onload handler fire

    def problems(self) -> list[str]:
        off_site = [u for u in self.requests if urlsplit(u).scheme not in ("file", "data")]
        return ([f"dialog {d}" for d in self.dialogs] + [f"console {e}" for e in self.errors]
                + [f"request {u}" for u in sorted(set(off_site + self.foreign))])

    def clear(self) -> None:
        for seen in (self.dialogs, self.errors, self.requests, self.foreign):
            seen.clear()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def visit(browser: Any) -> Iterator[Visit]:
    v = Visit(browser)
    yield v
    v.close()


@dataclass
class Opened:
    texts: dict[str, str]  # page -> its visible text
    problems: dict[str, list[str]]  # page -> what went wrong there


@pytest.fixture(scope="module")
def opened(hostile_site: Path, visit: Visit) -> Opened:
    """Every page opened once, in turn, in one browser page."""
    texts: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for rel in pages(hostile_site):
        visit.open((hostile_site / rel).as_uri())
        found = visit.problems() + visit.page.evaluate(DOM_CHECK)
        if found:
            problems[rel] = found
        visit.clear()
        texts[rel] = visit.page.evaluate("document.body.innerText")
    return Opened(texts, problems)


@pytest.fixture(scope="module")
def shown(opened: Opened) -> dict[str, str]:
    return opened.texts


def all_tagged() -> dict[str, tuple[int, str]]:
    """Every tagged value written into the input: value -> (payload index, tag)."""
    out: dict[str, tuple[int, str]] = {}
    tables = (CUSTOMER_TEXT, COMPETITION_TEXT)
    for i in range(len(PAYLOADS)):
        for table in tables:
            for tag in table.values():
                out[tagged(i, tag)] = (i, tag)
        for tag in PERSON_TEXT.values():
            for k in "甲乙":
                out[tagged(i, tag) + k] = (i, tag)
        for tag in FOLLOWUP_TEXT.values():
            for k in "01":
                out[tagged(i, tag) + k] = (i, tag)
    return out


def test_every_page_opens_without_running_anything(hostile_site: Path, opened: Opened) -> None:
    assert not opened.problems, opened.problems
    shown = opened.texts
    assert len(shown) >= 8 + 8 + 8 + 5, sorted(shown)  # accounts, reps, teams, and the department pages
    accounts = [p for p in shown if p.startswith("accounts/")]
    assert len(accounts) == len(PAYLOADS)


def test_hostile_text_is_shown_literally(hostile_site: Path, shown: dict[str, str]) -> None:
    sources = {rel: html.unescape((hostile_site / rel).read_text(encoding="utf-8")) for rel in shown}
    text = "\n".join(shown.values())
    in_source = {v: it for v, it in all_tagged().items() if any(v in s for s in sources.values())}
    not_shown = sorted(v for v in in_source if v not in text)
    assert not not_shown, f"{len(not_shown)} values are in the pages' source but not shown as text: {not_shown[:8]}"
    tags = {tag for _, tag in in_source.values()}
    assert SHOWN_TAGS <= tags, sorted(SHOWN_TAGS - tags)
    assert not tags & PRIVATE_TAGS, sorted(tags & PRIVATE_TAGS)  # private fields are not published at all
    for i, payload in enumerate(PAYLOADS):
        assert any(v in text for v, (j, _) in in_source.items() if j == i), payload
    # the names of the folder, workbook and sheets, and the rejected values, on the quality page
    quality = shown["quality.html"]
    for name in (FOLDER, BOOK, SHEETS["customer"], BAD_BOOK, FORMULAS[0],
                 HTML_PAYLOADS[1]):
        assert name in quality, name
    # the notes: formatting kept, the dangerous parts gone (checked in the DOM by DOM_CHECK), the text kept
    account = shown[next(p for p in shown if p.startswith("accounts/"))]
    assert "重点" in account


def test_search_results_are_text(hostile_site: Path, visit: Visit, shown: dict[str, str]) -> None:
    visit.open((hostile_site / "index.html").as_uri())
    for words in ("onerror", "svg onload", "script", "HYPERLINK"):
        visit.page.fill("#search", words)
        results = visit.page.locator("#search-results a")
        results.first.wait_for()
        text = visit.page.locator("#search-results").inner_text()
        assert any(p in text for p in PAYLOADS), (words, text)
        assert visit.page.locator("#search-results img, #search-results svg, #search-results script").count() == 0
        problems = visit.problems() + visit.page.evaluate(DOM_CHECK)
        assert not problems, (words, problems)


def test_excel_export_stores_formula_like_text_as_text(hostile_site: Path) -> None:
    import openpyxl

    path = hostile_site / "data" / "export.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")}
    assert sheets
    for name, xml in sheets.items():
        assert not re.search(r"<(?:\w+:)?f[\s>/]", xml), f"{name} holds a formula"
    wb = openpyxl.load_workbook(path)
    found: dict[str, int] = {f: 0 for f in FORMULAS}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, v)
                    assert cell.quotePrefix, (ws.title, cell.coordinate, v)  # stays text when edited in Excel
                    for f in FORMULAS:
                        found[f] += v.startswith(f)
    assert all(found.values()), found


def _strings(obj: object) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def test_json_outputs_hold_the_texts_only_as_json_strings(hostile_site: Path) -> None:
    docs = {p.relative_to(hostile_site).as_posix(): p.read_text(encoding="utf-8")
            for p in (hostile_site / "data").glob("*.json")}
    script = (hostile_site / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.SITEGEN_SEARCH="
    assert script.startswith(prefix) and script.rstrip().endswith(";")
    assert "</script" not in script.lower() and "<!--" not in script
    docs["assets/search-index.js"] = script[len(prefix):].rstrip().rstrip(";")
    assert {"data/accounts.json", "data/issues.json", "data/summary.json"} <= set(docs)
    seen = 0
    for name, raw in docs.items():
        strings = list(_strings(json.loads(raw)))  # the payloads did not break the document's structure
        for p in PAYLOADS:
            n = sum(s.count(p) for s in strings)
            seen += n
            if name.startswith("data/"):  # written plainly: every occurrence in the file is inside a string
                assert raw.count(json.dumps(p, ensure_ascii=False)[1:-1]) == n, (name, p)
    assert seen > 0
    accounts = json.loads(docs["data/accounts.json"])
    assert {a["name"] for a in accounts} == {tagged(i, "名称") for i in range(len(PAYLOADS))}


def test_the_checks_catch_injected_markup(hostile_site: Path, browser: Any, tmp_path: Path) -> None:
    """The same checks on a copy of a page with the payloads pasted in unescaped: each one is caught."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(hostile_site, site)
    page = site / "index.html"
    planted = page.read_text(encoding="utf-8").replace("</body>", (
        '<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">j</a>'
        '<iframe src="about:blank"></iframe><img src="http://evil.invalid/p.png"><svg onload=alert(4)></svg>'
        "</body>"))
    # with the pages' Content-Security-Policy (issue 16) nothing planted runs and nothing is fetched ...
    page.write_text(planted, encoding="utf-8")
    v = Visit(browser)
    try:
        v.open(page.as_uri())
    finally:
        v.close()
    assert v.dialogs == [], v.dialogs
    assert any("Content Security Policy" in e and "evil.invalid" in e for e in v.errors), v.errors  # refused
    assert any("Content Security Policy" in e and "inline" in e for e in v.errors), v.errors
    # ... so the checks themselves are shown catching each payload on a copy without the policy
    page.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", planted), encoding="utf-8")
    v = Visit(browser)
    try:
        v.open(page.as_uri())
        injected = v.page.evaluate(DOM_CHECK)
        problems = v.problems()
    finally:
        v.close()
    assert {"alert: 1", "alert: 2", "alert: 4"} <= set(v.dialogs), v.dialogs
    assert "request http://evil.invalid/p.png" in problems, problems
    for expected in ("IMG src=x", "IMG onerror=alert(1)", "SCRIPT alert(2)", "A href=javascript:alert(3)", "IFRAME",
                     "svg onload=alert(4)"):
        assert expected in injected, (expected, injected)
