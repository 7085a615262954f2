"""The accounts list of a department larger than one page of rows (issue 20), in Debian's chromium from file://:
a page of rows at a time with "show more", every matching row on paper, filters that survive a reload, and a
layout that fits a phone (key columns, no sideways scrolling) and a desktop card. No timing assertions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sitefixture import build_department
from test_site import Visit, _column

from sitegen.render.pages import ACCOUNTS_PAGE

KEY_COLUMNS = ("name", "rep", "stage", "value", "flags")


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_department(tmp_path_factory.mktemp("big"), accounts=240)


def test_a_page_at_a_time_and_everything_on_paper(browser: Any, big_site: Path) -> None:
    v = Visit(browser, big_site.as_uri() + "/")
    try:
        v.open("accounts.html")
        page = v.page
        rows = page.locator("#account-table tbody tr")
        assert rows.count() == ACCOUNTS_PAGE
        page.locator("#account-more [data-more]").click()
        assert rows.count() == 2 * ACCOUNTS_PAGE
        page.wait_for_timeout(1000)  # names are put in order while the page is idle
        page.locator("#account-table th[data-key='name']").click()
        assert rows.count() == ACCOUNTS_PAGE  # a new order starts at its first page
        names = _column(page, "name")
        assert names == page.evaluate("ns => ns.slice().sort(new Intl.Collator(['zh-CN', 'en'], {numeric: true}).compare)",
                                      names)
        page.locator("#account-table th[data-key='rep']").click()
        reps = _column(page, "rep")
        assert reps == page.evaluate("ns => ns.slice().sort(new Intl.Collator(['zh-CN', 'en'], {numeric: true}).compare)",
                                     reps)
        page.locator("#account-table th[data-key='name']").click()
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert rows.count() == 240
        assert _column(page, "name")[:ACCOUNTS_PAGE] == names
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert rows.count() == ACCOUNTS_PAGE
        assert page.locator("#account-table thead th[scope='col']").count() == 15
        pdf = page.pdf(format="A4")
        assert pdf[:4] == b"%PDF"
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_fits_a_phone_and_a_desktop_card(browser: Any, big_site: Path, width: int) -> None:
    v = Visit(browser, big_site.as_uri() + "/", width=width)
    try:
        v.open("accounts.html#status=open")
        page = v.page
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
        wrap = page.evaluate("(() => { const w = document.querySelector('#account-table').parentElement;"
                             " return w.scrollWidth - w.clientWidth; })()")
        assert wrap <= 1, f"the accounts table is {wrap}px wider than its card at {width}px"
        for key in KEY_COLUMNS:
            assert page.locator(f"#account-table thead th.c-{key}").is_visible(), key
            assert page.locator(f"#account-table tbody td.c-{key}").first.is_visible(), key
        hidden = page.locator("#account-table thead th.c-category").is_visible()
        assert hidden == (width > 640)
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()
