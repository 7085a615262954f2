"""Render the whole site as (path relative to the output, bytes), in a fixed order.

Pages come from templates (render/pages.py), data files from render/data.py and export.py, assets from
the package (sitegen/assets/), among them plotly.min.js: plotly.js with only the trace types the site draws,
vendored from the npm registry by scripts/vendor_plotly.sh. One copy, loaded only by the pages that draw a chart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from importlib import resources
from pathlib import Path

from ..config import Config
from ..export import export_tables
from ..exportcache import BlockCache
from ..history import History
from ..issues import Report
from ..measures import Measures
from ..meeting import Meeting
from ..model import Dataset
from ..weekly import Weekly, weekly_view
from . import data
from .env import make_env
from .pages import Pages
from .urls import Urls

ASSETS = ("site.css", "site.js", "accounts.js")


def plotly_js() -> bytes:
    return _asset("plotly.min.js")


def make_urls(dataset: Dataset, m: Measures) -> Urls:
    return Urls(
        accounts=(a.id for a in dataset.accounts),
        reps=(r.name for r in m.reps),
        teams=(t.name for t in m.teams),
        competitors=(c.name for c in m.department.competitors),
    )


def render_site(dataset: Dataset, report: Report, m: Measures, config: Config,
                layouts_dir: Path | None = None, weekly: Weekly | None = None) -> Iterator[tuple[str, bytes]]:
    pages, files = site_parts(dataset, report, m, config, layouts_dir, weekly)
    for path, html in pages.all():
        yield path, html.encode("utf-8")
    for path, make in files:
        yield path, make()


def site_parts(dataset: Dataset, report: Report, m: Measures, config: Config, layouts_dir: Path | None = None,
               weekly: Weekly | None = None, export_cache: BlockCache | None = None,
               template_cache: Path | None = None) -> tuple[Pages, list[tuple[str, Callable[[], bytes]]]]:
    """The site as work to do: the pages (Pages.jobs()) and every other file as (path, the call that
    makes its bytes). render_site() does it all in order; render/parallel.py shares it out. `export_cache`:
    the Excel export's blocks of the last build (the export task re-uses them and saves the new ones);
    `template_cache`: a folder for the compiled templates (render/env.py TemplateCache)."""
    urls = make_urls(dataset, m)
    env = make_env(layouts_dir if layouts_dir is not None else config.layouts_dir, template_cache)
    if weekly is None:  # no history given (a caller outside `sitegen build`): this week alone
        weekly = weekly_view(config, dataset, data.summary(m, report), m.as_of, History((), ()), {})
    meeting = Meeting(dataset, m, config, weekly.history)
    pages = Pages(env, dataset, report, m, config, urls, weekly, meeting)
    week = weekly
    files: list[tuple[str, Callable[[], bytes]]] = [
        ("data/summary.json", lambda: data.dumps(data.summary(m, report))),
        ("data/accounts.json", lambda: data.dumps(data.accounts(m, config, urls, meeting))),
        ("data/reps.json", lambda: data.dumps(data.reps(m, meeting))),
        ("data/targets.json", lambda: data.dumps(data.targets(m, meeting))),
        ("data/issues.json", lambda: data.dumps(data.issues(report))),
        ("data/changes.json", lambda: data.dumps(week.changes.to_json(urls.account_map()))),
        ("data/export.xlsx", lambda: export_tables(m, report, config, export_cache)),
        ("assets/search-index.js", lambda: data.search_index(m, urls)),
        *((f"assets/{name}", partial(_asset, name)) for name in ASSETS),
        ("assets/plotly.min.js", plotly_js),
    ]
    return pages, files


def _asset(name: str) -> bytes:
    return resources.files("sitegen").joinpath(f"assets/{name}").read_bytes()
