"""Every page at a phone's 390 px and a desktop's 1400 px: no element sticks out of the screen (nor, on the
desktop, out of its card); and the account, rep and team pages printed on A4 by Chromium (page.pdf) with
nothing cut: every key person and competitor (or account) named in the PDF's text, everything drawn inside the
paper, every chart inside its card at the paper's width.

The account list (accounts.html) is checked except for its big table, whose phone layout is its own piece of work.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from test_site import Visit, page_kinds

KINDS = ("dashboard", "teams", "team", "rep", "accounts", "account", "competitors", "quality", "changes")
PAPER_WIDTH = 703  # CSS px inside an A4 page's 12 mm margins (210 mm - 24 mm at 96 px per inch)

# elements sticking out of `limit` (the screen, or their card), ignoring plotly's off-screen measuring svg and the
# account list's table (see above)
OUTSIDE = """([limit, cards]) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('#js-plotly-tester, #account-table, .search-results')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    let box = {left: 0, right: limit};
    const card = cards ? el.closest('.card') : null;
    if (card && card !== el) box = card.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      out.push(`${name} ${Math.round(r.left)}..${Math.round(r.right)} (${(el.textContent || '').trim().slice(0, 24)})`);
    }
  }
  return out.slice(0, 12);
}"""


@pytest.mark.parametrize("width", [390, 1400])
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_is_wider_than_the_screen(kind: str, width: int, browser: Any, built: Path,
                                          screenshots: Path) -> None:
    v = Visit(browser, built.as_uri() + "/", width=width)
    try:
        v.open(page_kinds(built)[kind])
        v.page.screenshot(path=str(screenshots / f"layout-{kind}-{width}.png"), full_page=True)
        assert v.page.evaluate("document.documentElement.scrollWidth") <= width
        outside = v.page.evaluate(OUTSIDE, [width, width >= 1000])
        assert outside == [], f"{kind} at {width} px: {outside}"
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


def test_phone_navigation_reaches_every_page(browser: Any, built: Path) -> None:
    v = Visit(browser, built.as_uri() + "/", width=390)
    try:
        v.open("index.html")
        links = v.page.locator(".mainnav a")
        assert links.count() >= 6
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
        # the tables show every column as a labelled line: the rep page's overdue actions show their days
        v.open(page_kinds(built)["rep"])
        cell = v.page.locator("#todo-overdue table tbody tr td").last
        if cell.count():
            assert cell.get_attribute("data-label") and cell.is_visible()
    finally:
        v.close()


def _names(v: Visit, kind: str) -> list[str]:
    """What the printed page must name: key persons and competitors on an account page, accounts elsewhere."""
    if kind == "account":
        selector = "table.persons tbody tr td:first-child, table.competition tbody tr:not(.us) td:first-child"
    else:
        selector = "#todo a[href*='accounts/'], table a[href*='accounts/']"
    return sorted({t.strip() for t in v.page.locator(selector).all_inner_texts() if t.strip()})


def printed(name: str, text: str) -> bool:
    """Whether the PDF's text holds `name`, whole or wrapped inside its table cell (a first piece ending a word of
    one line, the rest starting a word of the next). The PDF's fonts map some characters to radicals (⽹ for 网,
    ⻋ for 车): the text is compared in NFKC, and a radical left over stands for any one character."""
    def norm(s: str) -> str:
        return "".join("?" if "\u2e80" <= c <= "\u2fdf" else c for c in unicodedata.normalize("NFKC", s))

    def at(word: str, piece: str, i: int) -> bool:
        return len(word) - i >= len(piece) and all(w in (p, "?") for w, p in zip(word[i:i + len(piece)], piece, strict=True))

    def has(word: str, piece: str) -> bool:
        return any(at(word, piece, i) for i in range(len(word) - len(piece) + 1))

    name = unicodedata.normalize("NFKC", "".join(name.split()))
    lines = [norm(line).split() for line in text.splitlines()]
    if has("".join(w for words in lines for w in words), name):
        return True

    def rest_at(rest: str, i: int) -> bool:
        if i >= len(lines):
            return False
        for w in lines[i]:
            if at(w, rest, 0):
                return True
            if len(w) >= 2 and at(rest, w, 0) and rest_at(rest[len(w):], i + 1):
                return True
        return False

    return any(len(w) >= k and at(w, name[:k], len(w) - k) and rest_at(name[k:], i + 1)
               for i, words in enumerate(lines) for w in words for k in range(2, len(name)))


@pytest.mark.parametrize("kind", ["account", "rep", "team"])
def test_prints_on_a4_with_nothing_cut(kind: str, browser: Any, built: Path, screenshots: Path) -> None:
    import pdfplumber

    rel = page_kinds(built)[kind]
    # the page as the paper lays it out: every chart inside its card, nothing wider than the paper
    v = Visit(browser, built.as_uri() + "/", width=PAPER_WIDTH)
    try:
        v.open(rel)
        v.page.emulate_media(media="print")
        v.page.wait_for_function("() => Array.from(document.querySelectorAll('.plot[data-fig]')).every("
                                 "p => p._fullLayout && p._fullLayout.width <= 680)", timeout=10000)
        outside = v.page.evaluate(OUTSIDE, [PAPER_WIDTH, True])
        assert outside == [], f"{kind} on paper: {outside}"
    finally:
        v.close()
    # printed from a desktop screen
    v = Visit(browser, built.as_uri() + "/", width=1400)
    try:
        v.open(rel)
        names = _names(v, kind)
        charts = v.page.locator(".plot[data-fig]").count()
        v.page.emulate_media(media="print")
        v.page.wait_for_function("() => Array.from(document.querySelectorAll('.plot[data-fig]')).every("
                                 "p => p._fullLayout && p._fullLayout.width <= 680)", timeout=10000)
        pdf = v.page.pdf(format="A4", print_background=True)
        (screenshots / f"{kind}-a4.pdf").write_bytes(pdf)
    finally:
        v.close()
    assert names and (charts or kind != "account")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = ""
        for page in doc.pages:
            assert abs(page.width - 595.3) < 2 and abs(page.height - 841.9) < 2  # A4 in points
            text += (page.extract_text() or "") + "\n"
            for obj in (*page.chars, *page.rects, *page.lines, *page.curves):
                assert -1 <= obj["x0"] and obj["x1"] <= page.width + 1, (kind, page.page_number, obj.get("text"))
        missing = [n for n in names if not printed(n, text)]
        assert missing == [], f"{kind}: not in the printed text: {missing}"
        if kind == "account":
            assert printed("影响力", text) and printed("态度（支持→）", text)  # the influence × attitude chart's axes
