"""Issue 17 in a real browser, on the two-week demo build of conftest.py: the meeting pack, segmentation and
win/loss pages load cleanly (file:// and HTTP under a sub-path), the dashboard's deals needing attention are
the projects flagged in data/accounts.json, the new pages fit a phone, and the meeting packs print on A4
(Chromium's PDF)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_site import Visit


def new_pages(site: Path) -> dict[str, str]:
    return {
        "meeting": "meeting.html",
        "meeting-team": sorted(p.relative_to(site).as_posix() for p in (site / "meeting").glob("*.html"))[0],
        "segments": "segments.html",
        "winloss": "winloss.html",
    }


@pytest.fixture(params=("file", "http"))
def base(request: pytest.FixtureRequest, built: Path) -> str:
    if request.param == "file":
        return built.as_uri() + "/"
    return str(request.getfixturevalue("http_root"))


@pytest.fixture
def visit(browser: Any, base: str) -> Iterator[Visit]:
    v = Visit(browser, base)
    yield v
    v.close()


@pytest.mark.parametrize("kind", ["meeting", "meeting-team", "segments", "winloss"])
def test_new_page_loads_cleanly(kind: str, visit: Visit, built: Path, base: str, screenshots: Path) -> None:
    visit.open(new_pages(built)[kind])
    assert visit.page.locator(".plot[data-fig] svg.main-svg").count() >= visit.page.locator(".plot[data-fig]").count()
    assert visit.errors == [] and visit.foreign == []
    assert visit.page.locator("h1").first.inner_text().strip()
    if base.startswith("file"):
        visit.page.screenshot(path=str(screenshots / f"{kind}.png"), full_page=True)


def test_dashboard_lists_every_flagged_project_and_the_nav_reaches_the_pack(visit: Visit, built: Path) -> None:
    accounts = json.loads((built / "data" / "accounts.json").read_text(encoding="utf-8"))
    flagged = {f"{a['id']}/{p['name']}": p["flags"] for a in accounts for p in a["projects"] if p["flags"]}
    assert flagged, "the demo has no flagged deal"
    visit.open("index.html")
    rows = visit.page.locator("#attention tr[data-deal]")
    shown = {rows.nth(i).get_attribute("data-deal") for i in range(rows.count())}
    more = visit.page.locator("#attention .more")
    if more.count():  # the dashboard shows the first 20, and says how many more
        assert int(re.sub(r"\D", "", more.inner_text())) == len(flagged) - len(shown)
        assert shown <= set(flagged)
    else:
        assert shown == set(flagged)
    first = rows.first
    key = first.get_attribute("data-deal")
    codes = [first.locator("[data-flag]").nth(i).get_attribute("data-flag")
             for i in range(first.locator("[data-flag]").count())]
    assert codes == flagged[key]
    assert first.locator("[data-flag]").first.get_attribute("title")  # each flag explains itself
    visit.page.locator(".mainnav a[href$='meeting.html']").click()
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith("meeting.html")
    assert visit.errors == []


def test_new_pages_fit_a_phone(browser: Any, built: Path) -> None:
    v = Visit(browser, built.as_uri() + "/", width=390)
    try:
        for kind, rel in new_pages(built).items():
            v.open(rel)
            overflow = v.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{kind}: page is {overflow}px wider than a phone screen"
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


@pytest.mark.parametrize("kind", ["meeting", "meeting-team"])
def test_meeting_pack_prints_on_a4(kind: str, browser: Any, built: Path, screenshots: Path) -> None:
    # A4 less the 12 mm margins of the print style: 186 mm ≈ 703 CSS px
    v = Visit(browser, built.as_uri() + "/", width=703)
    try:
        v.open(new_pages(built)[kind])
        v.page.emulate_media(media="print")
        assert not v.page.locator(".topbar").is_visible()
        assert not v.page.locator(".pack-links").is_visible()
        for part in ("#pack-targets", "#pack-changes", "#pack-attention", "#pack-closing", "#pack-plan"):
            assert v.page.locator(part).is_visible(), part
        overflow = v.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{kind}: the printed page is {overflow}px wider than A4"
        pdf = v.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        assert pdf[:4] == b"%PDF"
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= 30
        (screenshots / f"{kind}-a4.pdf").write_bytes(pdf)
    finally:
        v.close()
