"""Every page runs under the strict Content-Security-Policy (issue 16), from file:// and over HTTP.

Each page of the demo site (every account, rep and team page included) is opened in Chromium; a listener
installed before any page script records every `securitypolicyviolation` event, and console errors are
recorded too. Any violation fails the test. A control shows the listener catching an inline script and an
inline handler planted in a copy of a page, so a silent pass means something. `sitegen serve` is checked the
same way: its pages carry the policy as a header as well, and its live-reload script runs under it.
"""

from __future__ import annotations

import html
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.security import site_policy

LISTEN = ("window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {"
          " window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':'"
          " + e.lineNumber); });")


class Checker:
    """One browser context that opens pages and returns what the policy blocked on each."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def violations(self, url: str) -> list[str]:
        self.errors.clear()
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        n = self.page.locator(".plot[data-fig]").count()
        if n:  # figures are drawn as they come near the screen: bring each into view
            self.page.evaluate("""async () => {
              const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
              for (const el of document.querySelectorAll('.plot[data-fig]')) { el.scrollIntoView(); await frame(); }
            }""")
            self.page.wait_for_function(
                "n => document.querySelectorAll('.plot[data-fig] svg.main-svg').length >= n", arg=n, timeout=20000)
        self.page.wait_for_timeout(50)
        found = list(self.page.evaluate("window.__csp || []"))
        # console errors that are not violations would hide one: report them too
        return found + [e for e in self.errors if "Content Security Policy" in e or "Refused" in e]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def checker(browser: Any) -> Iterator[Checker]:
    c = Checker(browser)
    yield c
    c.close()


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _base(mode: str, built: Path, request: pytest.FixtureRequest) -> str:
    return built.as_uri() + "/" if mode == "file" else request.getfixturevalue("http_root")


def test_every_page_carries_the_strict_policy(built: Path) -> None:
    policy = site_policy()
    for need in ("default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                 "form-action 'none'"):
        assert need in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    pages = _pages(built)
    assert len(pages) > 50
    for rel in pages:
        text = (built / rel).read_text(encoding="utf-8")
        metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
        assert [html.unescape(m) for m in metas] == [policy], rel
        assert text.index("Content-Security-Policy") < text.index("<script"), rel
        # no inline script code (JSON data blocks are not run) and no handler attribute
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            assert "src=" in m.group(1) and not m.group(2).strip() or 'type="application/json"' in m.group(1), rel
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), rel


@pytest.mark.parametrize("mode", ["file", "http"])
def test_every_page_runs_under_the_policy(mode: str, checker: Checker, built: Path,
                                          request: pytest.FixtureRequest) -> None:
    """Every page from file:// (what most users do: open the shared folder); over HTTP one page of each kind
    (the policy is the same text, only the origin differs)."""
    base = _base(mode, built, request)
    pages = [p for p in _pages(built) if p != "accounts.html"]
    assert any(p.startswith("accounts/") for p in pages) and any(p.startswith("reps/") for p in pages)
    if mode == "http":
        pages = sorted({p.split("/")[0] if "/" in p else p: p for p in pages}.values())
    found = {rel: v for rel in pages if (v := checker.violations(base + rel))}
    assert not found, found


@pytest.mark.parametrize("mode", ["file", "http"])
def test_the_account_list_runs_under_the_policy(mode: str, checker: Checker, built: Path,
                                                request: pytest.FixtureRequest) -> None:
    assert checker.violations(_base(mode, built, request) + "accounts.html") == []


def test_the_listener_sees_violations(tmp_path: Path, checker: Checker, built: Path) -> None:
    """Control: an inline script, an inline handler and an inline style planted in a copy of a page are seen."""
    site = tmp_path / "site"
    shutil.copytree(built, site)
    page = site / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", '<script>window.x = 1;</script><img src="x.png" onerror="window.y = 1">'
                   '<style>body { color: red; }</style></body>'), encoding="utf-8")
    found = " | ".join(checker.violations(page.as_uri()))
    assert "script-src-elem" in found and "script-src-attr" in found and "style-src-elem" in found, found
    assert checker.page.evaluate("typeof window.x") == "undefined"


@pytest.fixture
def served(built: Path) -> Iterator[str]:
    from sitegen.serve import _State, make_handler

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(built, _State()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_sitegen_serve_pages_run_under_the_policy_and_reload(served: str, checker: Checker, built: Path) -> None:
    kinds = ["index.html", "quality.html", next(p for p in _pages(built) if p.startswith("accounts/")),
             next(p for p in _pages(built) if p.startswith("reps/"))]
    for rel in kinds:
        response = checker.page.request.get(served + rel)
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert checker.violations(served + rel) == [], rel
    # the live-reload script (a file, not inline) polls the server: allowed by the served policy
    with checker.page.expect_request(lambda r: r.url.endswith("/__sitegen__/version"), timeout=10000):
        checker.page.goto(served + "index.html")
    assert checker.page.evaluate("window.__csp") == []
