"""The built demo site in a real browser (Debian's chromium, headless), opened from file:// and over HTTP
under a sub-path: every page kind loads without a console error, every chart draws an SVG, no request leaves
the site, search finds an account by part of its name, links between the pages resolve, and the account list
sorts and filters. Screenshots of each page kind are saved (see conftest.py: SITEGEN_SCREENSHOTS).

Run: python -m pytest tests/browser   (needs /usr/bin/chromium from Debian's chromium package)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sitefixture import search_rows

MODES = ("file", "http")


def page_kinds(site: Path) -> dict[str, str]:
    """One page of every kind, relative to the site root."""
    accounts = json.loads((site / "data" / "accounts.json").read_text(encoding="utf-8"))
    with_competition = [a["url"] for a in accounts
                        if "fig-radar" in (site / a["url"]).read_text(encoding="utf-8")]
    return {
        "dashboard": "index.html",
        "teams": "teams.html",
        "team": sorted(p.relative_to(site).as_posix() for p in (site / "teams").glob("*.html"))[0],
        "rep": sorted(p.relative_to(site).as_posix() for p in (site / "reps").glob("*.html"))[0],
        "accounts": "accounts.html",
        "account": (with_competition or [accounts[0]["url"]])[0],
        "competitors": "competitors.html",
        "quality": "quality.html",
        "changes": "changes.html",
    }


class Visit:
    """A browser page that records console errors and every request, and blocks anything not local."""

    def __init__(self, browser: Any, base: str, width: int = 1366) -> None:
        self.base = base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        local = parts.scheme in ("file", "data", "blob", "about") or (
            parts.scheme == "http" and parts.hostname == "127.0.0.1" and self.base.startswith("http"))
        if local:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, rel: str) -> None:
        self.page.goto(self.base + rel)
        self.page.wait_for_load_state("load")
        self.wait_for_plots()

    def wait_for_plots(self) -> None:
        """Figures are drawn when they come near the screen: scroll each into view, then wait for all."""
        n = self.page.locator(".plot[data-fig]").count()
        if n:
            self.page.evaluate("""async () => {
              const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
              for (const el of document.querySelectorAll('.plot[data-fig]')) { el.scrollIntoView(); await frame(); }
              window.scrollTo(0, 0);
            }""")
            self.page.wait_for_function(
                "n => document.querySelectorAll('.plot[data-fig] svg.main-svg').length >= n && "
                "Array.from(document.querySelectorAll('.plot[data-fig]')).every(p => p.querySelector('svg.main-svg'))",
                arg=n, timeout=15000)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=MODES)
def base(request: pytest.FixtureRequest, built: Path) -> str:
    if request.param == "file":
        return built.as_uri() + "/"
    return request.getfixturevalue("http_root")


@pytest.fixture
def visit(browser: Any, base: str) -> Iterator[Visit]:
    v = Visit(browser, base)
    yield v
    v.close()


@pytest.mark.parametrize("kind", ["dashboard", "teams", "team", "rep", "accounts", "account", "competitors",
                                  "quality", "changes"])
def test_page_loads_cleanly(kind: str, visit: Visit, built: Path, base: str, screenshots: Path) -> None:
    rel = page_kinds(built)[kind]
    visit.open(rel)
    plots = visit.page.locator(".plot[data-fig]").count()
    drawn = visit.page.locator(".plot[data-fig] svg.main-svg").count()
    assert drawn >= plots
    if kind in ("dashboard", "team", "rep", "account"):
        assert plots > 0, f"{kind} page has no chart"
    assert visit.errors == []
    assert visit.foreign == []
    assert visit.page.locator("h1").first.inner_text().strip()
    if base.startswith("file"):
        visit.page.screenshot(path=str(screenshots / f"{kind}.png"), full_page=True)


def test_search_finds_an_account_by_part_of_its_name(visit: Visit, built: Path) -> None:
    accounts = json.loads((built / "data" / "accounts.json").read_text(encoding="utf-8"))
    target = next(a for a in accounts if len(a["name"]) >= 4)
    part = target["name"][1:4]
    visit.open("competitors.html")  # any page: the search box is on every page
    visit.page.fill("#search", part)
    results = visit.page.locator("#search-results a")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    want = target["url"]
    assert any(h and h.endswith(want) for h in hrefs), (part, hrefs)
    visit.page.locator(f'#search-results a[href$="{want}"]').first.click()
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith(want)
    assert target["name"] in visit.page.locator("h1").inner_text()
    # from a page one folder down, the result links still resolve
    visit.page.fill("#search", target["id"])
    visit.page.locator("#search-results a").first.wait_for()
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith(want)
    assert visit.errors == [] and visit.foreign == []


def test_search_finds_a_key_person(visit: Visit, built: Path) -> None:
    rows = search_rows((built / "assets" / "search-index.js").read_text(encoding="utf-8"))
    person = next(r for r in rows if r[0] == "p")
    visit.open("index.html")
    visit.page.fill("#search", person[1])
    visit.page.locator("#search-results a").first.wait_for()
    assert person[1] in visit.page.locator("#search-results").inner_text()


def _click_through(visit: Visit, selector: str) -> str:
    link = visit.page.locator(selector).first
    href = link.get_attribute("href")
    link.click()
    visit.page.wait_for_load_state("load")
    visit.wait_for_plots()
    assert visit.page.locator("h1").first.inner_text().strip(), href
    return visit.page.url


def test_links_between_dashboard_rep_account_and_competitor_pages(visit: Visit, built: Path) -> None:
    visit.open("index.html")
    url = _click_through(visit, "main a[href*='teams/']")  # dashboard -> team
    assert "/teams/" in url
    url = _click_through(visit, "main table a[href*='reps/']")  # team -> rep
    assert "/reps/" in url
    url = _click_through(visit, "main table a[href*='accounts/']")  # rep -> account
    assert "/accounts/" in url
    account = page_kinds(built)["account"]
    visit.open(account)
    url = _click_through(visit, "#competition a[href*='competitors.html#']")  # account -> competitor
    fragment = urlsplit(url).fragment
    assert fragment and visit.page.locator(f"#{fragment}").count() == 1
    url = _click_through(visit, f"#{fragment} a[href*='accounts/']")  # competitor -> account
    assert "/accounts/" in url
    url = _click_through(visit, ".crumbs a[href$='index.html']")  # account -> dashboard
    assert url.endswith("index.html")
    for nav in ("changes.html", "teams.html", "accounts.html", "competitors.html", "quality.html", "index.html"):
        _click_through(visit, f".mainnav a[href$='{nav}']")
    assert visit.errors == [] and visit.foreign == []


def _column(page: Any, key: str) -> list[str]:
    return page.eval_on_selector_all(f"#account-table tbody td.c-{key}", "tds => tds.map(td => td.textContent.trim())")


def _money(text: str) -> float:
    return -1.0 if text == "—" else float(text.replace(",", ""))


def test_account_list_filters_and_sorts(visit: Visit) -> None:
    visit.open("accounts.html")
    page = visit.page
    rows = page.locator("#account-table tbody tr")
    total = rows.count()
    options = page.locator("select[data-filter='rep'] option")
    rep = options.nth(1).get_attribute("value")
    page.select_option("select[data-filter='rep']", rep)
    assert 0 < rows.count() < total
    assert set(_column(page, "rep")) == {rep}
    assert f"{rows.count()} / {rows.count()}" in page.locator("#account-filters .shown").inner_text()
    page.select_option("select[data-filter='rep']", "")
    assert rows.count() == total
    # sort by open value: largest first, then smallest first
    page.locator("#account-table th[data-key='value']").click()
    values = [_money(v) for v in _column(page, "value")]
    assert values == sorted(values, reverse=True)
    assert page.locator("#account-table th[data-key='value']").get_attribute("aria-sort") == "descending"
    page.locator("#account-table th[data-key='value']").press("Enter")
    values = [_money(v) for v in _column(page, "value")]
    assert values == sorted(values)
    # Enter in the text box filters; it never submits the form (no navigation)
    url = page.url
    page.fill("#account-filters input[data-filter-text]", "zzz-none")
    page.press("#account-filters input[data-filter-text]", "Enter")
    page.wait_for_function("() => document.querySelectorAll('#account-table tbody tr').length === 0")
    assert page.url.split("#")[0] == url.split("#")[0]
    assert visit.errors == [] and visit.foreign == []


def test_account_list_keeps_filters_and_sort_in_the_address(visit: Visit) -> None:
    """A filtered, sorted view survives a reload and opens the same from a shared link (also from file://)."""
    visit.open("accounts.html")
    page = visit.page
    rep = page.locator("select[data-filter='rep'] option").nth(2).get_attribute("value")
    page.select_option("select[data-filter='rep']", rep)
    page.select_option("select[data-filter='status']", "open")
    page.locator("#account-table th[data-key='value']").click()
    assert "rep=" in page.url and "status=open" in page.url and "sort=value" in page.url
    want = _column(page, "name")
    assert want
    page.reload()
    page.wait_for_load_state("load")
    assert page.locator("select[data-filter='rep']").input_value() == rep
    assert page.locator("select[data-filter='status']").input_value() == "open"
    assert page.locator("#account-table th[data-key='value']").get_attribute("aria-sort") == "descending"
    assert _column(page, "name") == want
    shared = page.url
    other = visit.context.new_page()
    try:
        other.goto(shared)
        other.wait_for_load_state("load")
        assert _column(other, "name") == want
    finally:
        other.close()
    assert visit.errors == [] and visit.foreign == []


def test_accounts_list_loads_no_plotly_and_no_search_index_until_searched(visit: Visit, built: Path) -> None:
    loaded: list[str] = []
    visit.page.on("request", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]))
    visit.open("accounts.html")
    assert "plotly.min.js" not in loaded and "search-index.js" not in loaded
    assert visit.page.evaluate("typeof window.Plotly") == "undefined"
    # the first use of the search box brings the index; a competitor is found as well as accounts
    rows = search_rows((built / "assets" / "search-index.js").read_text(encoding="utf-8"))
    competitor = next(r for r in rows if r[0] == "c")
    visit.page.fill("#search", competitor[1])
    link = visit.page.locator(f'#search-results a[href$="{competitor[3]}"]')
    link.first.wait_for()
    assert "search-index.js" in loaded
    link.first.click()
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith(competitor[3])
    assert visit.errors == [] and visit.foreign == []


def test_charts_below_the_fold_wait_until_scrolled_to_or_printed(browser: Any, built: Path) -> None:
    v = Visit(browser, built.as_uri() + "/", width=390)
    loaded: list[str] = []
    v.page.on("request", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]))
    try:
        v.page.goto(v.base + "index.html")
        v.page.wait_for_load_state("load")
        v.page.locator(".plot[data-fig]").first.scroll_into_view_if_needed()
        v.page.wait_for_function("() => !!window.Plotly")  # a phone loads plotly.js when a figure comes near
        assert loaded.count("plotly.min.js") == 1
        v.page.evaluate("window.scrollTo(0, 0)")
        drawn = "Array.from(document.querySelectorAll('.plot[data-fig]')).map(p => !!p.querySelector('svg.main-svg'))"
        first = v.page.evaluate(drawn)
        assert len(first) > 3 and not all(first)  # the last figures are far below a phone's first screen
        v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert all(v.page.evaluate(drawn))  # drawn at once, for the paper
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


def test_phone_width_has_no_page_level_horizontal_scroll(browser: Any, built: Path, screenshots: Path) -> None:
    v = Visit(browser, built.as_uri() + "/", width=390)
    try:
        for kind in ("account", "rep", "dashboard", "changes"):
            v.open(page_kinds(built)[kind])
            overflow = v.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{kind}: page is {overflow}px wider than a phone screen"
            v.page.screenshot(path=str(screenshots / f"{kind}-phone.png"), full_page=True)
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


def test_a_desk_loads_plotly_when_idle_and_prints_every_chart(browser: Any, built: Path) -> None:
    """No scrolling: the figures far down the account page are drawn for the paper (page.pdf fires beforeprint)."""
    v = Visit(browser, built.as_uri() + "/", width=1400)
    try:
        v.page.goto(v.base + page_kinds(built)["account"])
        v.page.wait_for_load_state("load")
        v.page.wait_for_function("() => !!window.Plotly")
        v.page.pdf(format="A4")
        assert v.page.evaluate("Array.from(document.querySelectorAll('.plot[data-fig]'))"
                               ".every(p => !!p.querySelector('svg.main-svg'))")
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


def test_account_page_prints_on_a4(browser: Any, built: Path, screenshots: Path) -> None:
    v = Visit(browser, built.as_uri() + "/")
    try:
        v.open(page_kinds(built)["account"])
        v.page.emulate_media(media="print")
        assert not v.page.locator(".topbar").is_visible()
        pdf = v.page.pdf(format="A4", print_background=True)
        assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
        (screenshots / "account-a4.pdf").write_bytes(pdf)
    finally:
        v.close()


def test_changes_page_links_to_the_accounts_that_moved(visit: Visit, built: Path) -> None:
    changes = json.loads((built / "data" / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous_week"] and changes["changes"]
    visit.open("changes.html")
    for group in ("winloss", "stage", "close", "value", "accounts", "persons", "competitors"):
        assert visit.page.locator(f"#chg-{group} tr.chg-row").count() > 0, group
    # a stage move: from the changes page to the account page, which shows the same change
    moved = next(c for c in changes["changes"] if c["kind"] == "stage_advanced")
    url = _click_through(visit, f"#chg-stage a[href$='{moved['url']}']")
    assert url.endswith(moved["url"])
    section = visit.page.locator("#changes")
    assert "阶段推进" in section.inner_text() and moved["to"] in section.inner_text()
    # a removed account has no page: its name is text, not a link
    removed = next(c for c in changes["changes"] if c["kind"] == "account_removed")
    visit.open("changes.html")
    assert visit.page.locator("#chg-accounts .removed", has_text=removed["account_name"]).count() == 1
    assert visit.page.locator("#chg-accounts a", has_text=removed["account_name"]).count() == 0
    # the dashboard's one-line summary leads here
    visit.open("index.html")
    _click_through(visit, "#changes a[href$='changes.html']")
    assert visit.errors == [] and visit.foreign == []
