"""Regenerate the screenshots in README from a real build of the shipped demo, in headless Chromium.

    python scripts/screenshots.py [--as-of 2026-11-20] [--out docs/screenshots]

Needs Debian's chromium (/usr/bin/chromium, or SITEGEN_CHROMIUM) and fonts-noto-cjk for Chinese text.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

SHOTS = [
    # (file, page, viewport width, height, full page)
    ("dashboard.png", "index.html", 1400, 1000, False),
    ("account.png", "accounts/ka-001.html", 1400, 1000, False),
    ("account-phone.png", "accounts/ka-001.html", 390, 844, False),
    ("rep.png", None, 1400, 900, False),
    ("changes.png", "changes.html", 1400, 900, False),
    ("quality.png", "quality.html", 1400, 900, False),
]


def build_demo(work: Path, as_of: date) -> Path:
    """The shipped demo built for `as_of`, then a week later after the reps' edits of tests/weekfixture.py
    (so that the changes page and the trends have two weeks to show)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from weekfixture import edit_week2, persons_of, read_json

    from sitegen.build import BuildOptions, build
    from sitegen.config import Config

    shutil.copytree(ROOT / "input", work / "input")
    cfg = Config(root=work)
    out = work / "output"
    for week in (as_of, as_of + timedelta(days=7)):
        if week != as_of:
            with_issues = {i["account"] for i in read_json(out / "data" / "issues.json") if i.get("account")}
            edit_week2(cfg.input_dir, read_json(out / "data" / "accounts.json"), persons_of(cfg),
                       every_kind=True, avoid=with_issues)
        result = build(cfg, BuildOptions(as_of=week, quiet=True))
        if result.exit_code != 0:
            raise SystemExit(f"build failed: {result}")
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--as-of", default="2026-11-20", help="the first of the two weeks built")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = build_demo(Path(tmp), date.fromisoformat(args.as_of))
        rep_pages = sorted((site / "reps").glob("*.html"))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"),
                                         args=ARGS)
            for name, page_rel, width, height, full in SHOTS:
                target = site / page_rel if page_rel else rep_pages[0]
                if not target.exists():
                    print(f"skipped {name}: {target.relative_to(site)} not in this build")
                    continue
                page = browser.new_page(viewport={"width": width, "height": height},
                                        device_scale_factor=1 if width > 500 else 2)
                page.goto(target.as_uri())
                page.wait_for_load_state("load")
                # figures are drawn as they come near the screen: bring each into view, then back to the top
                page.evaluate("""async () => {
                  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                  for (const el of document.querySelectorAll('.plot[data-fig]')) { el.scrollIntoView(); await frame(); }
                  window.scrollTo(0, 0);
                }""")
                page.wait_for_timeout(800)  # let plotly finish drawing
                page.screenshot(path=str(out / name), full_page=full)
                page.close()
                print(f"wrote {out / name}")
            browser.close()


if __name__ == "__main__":
    main()
