"""Issue 18's pages in a real browser: the one-page account plan prints on one A4 page (Chromium's PDF output,
pages counted) for every open project of the demo and for a deal with 8 key persons and 4 competitors; the
new pages load without a console error or a request leaving the site."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_site import Visit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from make_fixtures import Sheet, write  # noqa: E402

AS_OF = date(2026, 11, 20)


def pdf_pages(pdf: bytes) -> int:
    assert pdf[:4] == b"%PDF"
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def plan_urls(site: Path) -> list[str]:
    accounts = json.loads((site / "data" / "accounts.json").read_text(encoding="utf-8"))
    return [p["plan_url"] for a in accounts for p in a["projects"] if p.get("plan_url")]


def test_every_open_project_of_the_demo_has_a_plan_on_one_a4_page(browser: Any, built: Path,
                                                                   screenshots: Path) -> None:
    urls = plan_urls(built)
    accounts = json.loads((built / "data" / "accounts.json").read_text(encoding="utf-8"))
    open_projects = [p for a in accounts for p in a["projects"] if p["stage"] in ("客户开发", "立项", "提案", "招投标", "商务谈判")]
    assert urls and len(urls) == len(open_projects)
    v = Visit(browser, built.as_uri() + "/")
    try:
        for i, rel in enumerate(urls):
            v.page.goto(v.base + rel)
            v.page.wait_for_load_state("load")
            pdf = v.page.pdf(format="A4", print_background=True)
            assert pdf_pages(pdf) == 1, rel
            if i == 0:
                (screenshots / "plan-a4.pdf").write_bytes(pdf)
                v.page.screenshot(path=str(screenshots / "plan.png"), full_page=True)
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


def big_deal(root: Path) -> Path:
    """One account, one open deal, 8 key persons with long texts, 4 competitors and ourselves, 6 next actions."""
    long = "客户关注项目整体交付周期与本地化服务响应速度，希望供应商提供驻场支持"
    persons = [["客户编号", "姓名", "部门", "职务", "购买角色", "影响力", "态度", "关系阶段", "个人需求", "组织需求",
                "汇报对象", "最近接触日期"]]
    roles = ["决策者", "推荐者、内线", "影响者", "采购者", "使用者", "守门人", "影响者", "使用者"]
    attitudes = ["接受", "怀疑", "抵触", "冷淡", "接受", "恶意拆台", "怀疑", "接受"]
    for i in range(8):
        persons.append(["KA-1", f"关键人{i + 1}号", f"部门{i % 4}", "副总经理兼信息化领导小组组长", roles[i], 5 - i % 5,
                        attitudes[i], 1 + i % 5, "成就、赏识", long if i < 3 else "", "关键人1号" if i else "",
                        AS_OF - timedelta(days=10 * i)])
    comp = [["客户编号", "竞争方", "优势", "劣势", "威胁程度", "应对策略"], ["KA-1", "我方", long, long, "", long]]
    for i, threat in enumerate(("高", "中", "低", "高")):
        comp.append(["KA-1", f"竞争对手{i + 1}有限公司", long, long, threat, long])
    fus = [["日期", "客户编号", "接触人", "下一步行动", "下次跟进日期"]]
    for i in range(6):
        fus.append([AS_OF - timedelta(days=3 * i), "KA-1", f"关键人{i + 1}号", f"第{i + 1}步：{long}",
                    AS_OF + timedelta(days=7 - i)])
    write(root / "input" / "张三" / "张三.xlsx", [
        Sheet("客户档案", [["客户编号", "项目名称", "客户名称", "客户经理", "销售阶段", "预计金额(万元)", "预计成交日期",
                            "预算(M)", "决策人(A)", "需求(N)", "需求描述"],
                           ["KA-1", "全集团数字化转型一期工程", "华东能源控股集团有限公司", "张三", "招投标", 1280,
                            AS_OF + timedelta(days=20), "是", "否", "是", long + long]]),
        Sheet("关键人", persons), Sheet("竞争分析", comp), Sheet("跟进表", fus)])
    (root / "sitegen.yaml").write_text("title: 测试\n", encoding="utf-8")
    return root / "sitegen.yaml"


def test_a_deal_with_8_key_persons_and_4_competitors_prints_on_one_a4_page(browser: Any, tmp_path: Path,
                                                                            screenshots: Path) -> None:
    from sitegen.build import BuildOptions, build
    from sitegen.config import load_config

    out = build(load_config(big_deal(tmp_path)), BuildOptions(as_of=AS_OF, quiet=True)).output_dir
    [rel] = plan_urls(out)
    v = Visit(browser, out.as_uri() + "/")
    try:
        v.open(rel)
        assert v.page.locator(".plan-influences tbody tr").count() == 8
        assert v.page.locator(".plan-competition tbody tr").count() == 5
        pdf = v.page.pdf(format="A4", print_background=True)
        (screenshots / "plan-big-a4.pdf").write_bytes(pdf)
        # nothing sticks out of its column on paper (A4 less Chromium's default margins is about 718 px wide)
        v.page.set_viewport_size({"width": 718, "height": 1000})
        v.page.emulate_media(media="print")
        wide = v.page.evaluate("""() => Array.from(document.querySelectorAll('.plan section, .plan table'))
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className || e.tagName)""")
        assert wide == []
        assert pdf_pages(pdf) == 1
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_plan_page_fits_the_screen(browser: Any, built: Path, width: int) -> None:
    v = Visit(browser, built.as_uri() + "/", width=width)
    try:
        v.open(plan_urls(built)[0])
        overflow = v.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        v.close()


@pytest.mark.parametrize("mode", ["file", "http"])
def test_resource_board_rep_to_do_and_plan_load_cleanly(browser: Any, built: Path, mode: str,
                                                        request: pytest.FixtureRequest, screenshots: Path) -> None:
    base = built.as_uri() + "/" if mode == "file" else request.getfixturevalue("http_root")
    v = Visit(browser, base)
    try:
        v.open("resources.html")
        rows = v.page.locator("table.resources tbody tr")
        assert rows.count() > 0 and v.page.locator("table.resources tr.late").count() > 0
        v.page.screenshot(path=str(screenshots / f"resources-{mode}.png"), full_page=True)
        # from the board to a plan, and from the plan back to its account
        v.page.locator("table.resources tbody tr a[href*='plans/']").first.click()
        v.page.wait_for_load_state("load")
        assert "/plans/" in v.page.url and v.page.locator(".plan-influences").count() == 1
        v.page.locator(".crumbs a[href*='accounts/']").first.click()
        v.page.wait_for_load_state("load")
        assert v.page.locator("a.plan-link").count() >= 1
        assert v.page.locator("#persons td.last-contact").count() > 0
        rep = sorted(p.relative_to(built).as_posix() for p in (built / "reps").glob("*.html"))[0]
        v.open(rep)
        assert v.page.locator("#todo-plans tbody tr").count() > 0
        assert v.page.locator("#todo-care").count() == 1 and v.page.locator("#service").count() == 1
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_resource_board_fits_the_screen(browser: Any, built: Path, width: int) -> None:
    v = Visit(browser, built.as_uri() + "/", width=width)
    try:
        v.open("resources.html")
        overflow = v.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        v.close()
