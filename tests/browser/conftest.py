"""Fixtures for the browser tests: Debian's chromium driven by Playwright (never a downloaded browser), the demo
department built once, and a local HTTP server that serves it under a sub-path (/sub/site/).

Locally the tests are skipped, with the reason, when /usr/bin/chromium is missing; in CI (CI=true) a missing
chromium is a failure, so the browser tests can never silently stop running there.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/sitefixture.py

CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))  # Debian's chromium package
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SUB_PATH = "/sub/site/"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path), args=LAUNCH_ARGS)
        yield b
        b.close()


def _build_demo(www: Path) -> Path:
    """The demo department (sitegen.demo) built two weeks apart (tests/weekfixture.py edits the workbooks in
    between, so the changes page and the trends have content), else the small test department."""
    from sitefixture import AS_OF, build_site

    site = www / SUB_PATH.strip("/")
    try:
        from sitegen.demo.generate import generate_department
    except ImportError:
        generate_department = None
    if generate_department is None:
        out = build_site(www / "project")
    else:
        from weekfixture import WEEK2, edit_week2, persons_of, read_json

        from sitegen.build import BuildOptions, build
        from sitegen.config import load_config

        project = www / "project"
        project.mkdir(parents=True)
        generate_department(project / "input", seed=20261120, as_of=AS_OF)
        (project / "sitegen.yaml").write_text("title: 大客户部\n", encoding="utf-8")
        config = load_config(project / "sitegen.yaml")
        # two weeks: the demo as generated, then the reps' edits of the following week (every kind of change)
        out = build(config, BuildOptions(as_of=AS_OF, quiet=True)).output_dir
        with_issues = {i["account"] for i in read_json(out / "data" / "issues.json") if i.get("account")}
        edit_week2(config.input_dir, read_json(out / "data" / "accounts.json"), persons_of(config), every_kind=True,
                   avoid=with_issues)
        out = build(config, BuildOptions(as_of=WEEK2, quiet=True)).output_dir
    site.parent.mkdir(parents=True, exist_ok=True)
    out.rename(site)
    return site


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site, inside a web root at <www>/sub/site/."""
    return _build_demo(tmp_path_factory.mktemp("www"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def http_root(built: Path) -> Iterator[str]:
    www = built.parents[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $SITEGEN_SCREENSHOTS if set (to look at them), else a temporary folder."""
    folder = os.environ.get("SITEGEN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path

