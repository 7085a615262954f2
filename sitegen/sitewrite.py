"""Write a site: render it on every core into a staging folder beside the output, then swap it in.

With audiences, the output holds one complete site per audience in its own folder. A build that fails
or is interrupted leaves the previous site whole (publish.py); the next build removes the staging folder.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .audience import restrict
from .buildstate import Manifest
from .config import Config
from .exportcache import ExportCaches
from .issues import Report
from .measures import Measures, compute
from .model import Dataset
from .publish import recover, staging_dir, swap_in
from .read.pool import workers
from .render import site_parts
from .render.parallel import Part, Previous, Written, render_into
from .weekly import Weekly

MARKER = ".sitegen-site"  # marks a folder as a site sitegen may replace


@dataclass(frozen=True)
class SiteRecipe:
    """What the site is made of, as one picklable value: calling it gives the parts (site_parts_for). A
    rendering process started with spawn makes its own parts from it (render/parallel.py)."""

    dataset: Dataset
    report: Report
    measures: Measures
    config: Config
    weekly: Weekly
    as_of: date
    exports: ExportCaches | None = None
    templates: Path | None = None

    def __call__(self) -> list[Part]:
        return site_parts_for(self.dataset, self.report, self.measures, self.config, self.weekly, self.as_of,
                              self.exports, self.templates)


def site_parts_for(dataset: Dataset, report: Report, measures: Measures, config: Config, weekly: Weekly,
                   as_of: date, exports: ExportCaches | None = None, templates: Path | None = None) -> list[Part]:
    """The whole site; with audiences, one complete site per audience in its own folder. `exports`: the
    Excel export's block caches (loaded here, in the build process, before the workers fork); `templates`:
    the folder of compiled templates."""
    if not config.audiences:
        cache = exports.for_part("", config) if exports is not None else None
        return [Part("", *site_parts(dataset, report, measures, config, weekly=weekly, export_cache=cache,
                                         template_cache=templates))]
    parts = []
    for audience in config.audiences:
        ds, rep = restrict(dataset, report, audience, config.language)
        m = measures if not audience.teams else compute(ds, rep.issues, config, as_of)
        view = weekly if not audience.teams else weekly.for_accounts({a.id for a in ds.accounts})
        cfg = replace(config, title=f"{config.title} · {audience.title}")
        prefix = f"{audience.name}/"
        cache = exports.for_part(prefix, cfg) if exports is not None else None
        parts.append(Part(prefix, *site_parts(ds, rep, m, cfg, weekly=view, export_cache=cache,
                                                     template_cache=templates)))
    return parts


def write_site(parts: list[Part] | SiteRecipe, output: Path, previous: Manifest | None, zh: bool,
               sources: dict[str, str] | None = None, progress: Callable[[int, int], None] | None = None) -> Written:
    """Render `parts` (or what a recipe makes) into a staging folder beside `output` and swap it in.
    Raises RenderError. `progress(done, total)`: pages and data files written so far (for the progress bar).
    The staging folder is removed whatever stops the build (an error, Ctrl-C, SIGTERM, a full disk)."""
    recipe = parts if isinstance(parts, SiteRecipe) else None
    made = recipe() if recipe is not None else parts
    assert isinstance(made, list)
    output.parent.mkdir(parents=True, exist_ok=True)
    recover(output)
    staged = staging_dir(output)
    staged.mkdir()
    try:
        reuse = None
        if previous is not None and previous.output == str(output) and output.is_dir():
            reuse = Previous(output, previous.pages)
        with frozen_heap():
            written = render_into(made, staged, reuse, workers(), zh, sources, progress, recipe)
        (staged / MARKER).write_text("sitegen\n", encoding="utf-8")
        swap_in(staged, output)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return written


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move the build's objects out of the collector's sight while worker processes are forked: a
    collection in a worker would otherwise write to every object and copy all of its memory."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and measuring allocate millions of objects that live until the end of the build and hold
    no reference cycles: the cyclic collector would scan them again and again for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
