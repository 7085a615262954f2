"""`sitegen build`: the whole pipeline in one screen.

    inputs unchanged since the last build?  ->  stop (the site is already exactly what it would be)
    load (read + normalise + assemble)  ->  measures  ->  weekly  ->  render + write + swap  ->  history
    snapshot  ->  feedback  ->  publish  ->  remember what went in and what came out (buildstate.py)

The site is rendered on every core into a new folder beside the output and swapped in only when
complete (sitewrite.py, publish.py), so a failed or interrupted build never destroys the last good site.
Workbooks whose content did not change come from the read cache (cache.py), account pages whose inputs
did not change from the last output (render/parallel.py). Nothing prints from deep inside the pipeline:
progress and the summary go through `echo`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .background import background
from .buildstate import (
    BuildState,
    Inputs,
    Manifest,
    digest_inputs,
    inputs_key,
    listing,
    snapshot_file,
    unchanged,
)
from .cache import open_cache
from .config import Config, ConfigError, check_folders
from .exportcache import open_export_caches
from .history import load_history, save_snapshot
from .incremental import ReadStats, cached_reader
from .load import Loaded, find, load
from .measures import compute
from .publish import BuildLock, LockedError, copy_site, recover
from .render import data, parallel
from .render.parallel import RenderError, code_digest, folder_digest, page_count, template_problem
from .sitewrite import MARKER, collector_paused, frozen_heap, site_parts_for, write_site
from .weekly import weekly_view

Echo = Callable[[str], None] | None
__all__ = ["BuildError", "BuildOptions", "BuildResult", "build", "safe_path", "template_problem", "MARKER"]


class BuildError(ConfigError):
    """The build cannot start (unsafe output folder, another build running). The message is for the user;
    the CLI reports it like a configuration problem (exit code 2)."""


@dataclass(frozen=True)
class BuildOptions:
    as_of: date
    input_dir: Path | None = None
    output_dir: Path | None = None
    publish_dir: Path | None = None
    strict: bool = False
    quiet: bool = False
    verbose: bool = False


@dataclass(frozen=True)
class BuildResult:
    exit_code: int
    output_dir: Path
    files: int = 0
    pages: int = 0
    bytes: int = 0
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    published: Path | None = None


def build(config: Config, opts: BuildOptions, echo: Echo = None) -> BuildResult:
    t0 = time.perf_counter()
    zh = config.language != "en"
    say = echo or (lambda _s: None)
    output = (opts.output_dir or config.output_dir).resolve()
    input_dir = (opts.input_dir or config.input_dir).resolve()
    check_folders(config, input_dir=input_dir, output_dir=output)
    check_output(output, input_dir, config)
    publish = (opts.publish_dir or config.path(config.publish or Path())).resolve() \
        if opts.publish_dir or config.publish else None

    lap = laps(t0)
    with locked(config):
        state = BuildState(config)
        last = state.load()
        files, skipped = find(config, input_dir)
        inputs = Inputs(files, skipped, digest_inputs(files))
        code = code_digest()
        inputs.key = inputs_key(config, opts.as_of, inputs, output, code, folder_digest(config.layouts_dir))
        lap("inputs")
        recover(output)  # what an interrupted build left beside the output goes, even when nothing else changed
        if last is not None and unchanged(last, inputs.key, output, config, config.feedback_dir.resolve(), publish):
            return finish(last.summary, opts, output, publish, say, t0, zh, list(state.notes))
        with collector_paused():
            cache = open_cache(config, opts.as_of)
            stats = ReadStats()
            loaded = load(config, opts.as_of, input_dir=input_dir, found=(inputs.files, inputs.skipped),
                          read=cached_reader(cache, opts.as_of, stats, digests=inputs.digests))
            report = loaded.report
            lap("load")
        if opts.strict and (report.errors or report.warnings):
            say(f"严格模式：有 {report.errors} 个错误、{report.warnings} 个警告，未生成网站" if zh
                else f"strict mode: {report.errors} errors, {report.warnings} warnings; the site was not built")
            return BuildResult(1, output, errors=report.errors, warnings=report.warnings,
                               seconds=time.perf_counter() - t0)
        # the feedback workbooks need only what was read: they are written meanwhile, in another process
        with frozen_heap(), background(write_build_feedback, loaded, config, input_dir) as feedback_job:
            with collector_paused():
                measures = compute(loaded.dataset, report.issues, config, opts.as_of)
                lap("measures")
                weekly = weekly_view(config, loaded.dataset, data.summary(measures, report), opts.as_of,
                                     load_history(config), stats.stale)
                lap("weekly")
            # a workbook whose last good data stands in for this week's unreadable file is not what its
            # digest says: its records are never keyed by it
            sources = {rel: d for rel, d in inputs.digests.items() if rel not in stats.stale}
            exports = open_export_caches(config, opts.as_of, sources, code)
            try:
                written = write_site(site_parts_for(loaded.dataset, report, measures, config, weekly, opts.as_of,
                                                    exports),
                                     output, last, zh, sources)
            except RenderError as exc:
                raise BuildError(str(exc)) from None
            exports.prune()
            lap(f"render+write ({written.rendered} rendered, {written.reused} re-used)")
            save_snapshot(config, weekly.snapshot)  # only once the site is complete
        feedback, feedback_notes = feedback_job.value
        for note in feedback_notes:
            say(note)
        lap("snapshot+feedback")
        if publish is not None:
            copy_site(output, publish)
        d = measures.department
        summary = {
            "files": len(written.files), "pages": page_count(written.files), "errors": report.errors,
            "bytes": sum(n for _, n in written.files), "warnings": report.warnings, "feedback": str(feedback or ""),
            "stale": dict(stats.stale), "notes": list(weekly.notes),
            "verbose": (f"  {d.counts.accounts} 个客户、{len(measures.reps)} 位客户经理、{len(measures.teams)} 个团队；"
                        f"停滞客户 {len(d.stale)}，逾期行动 {len(d.overdue)}；数据问题见 {output / 'quality.html'}") if zh else
                       (f"  {d.counts.accounts} accounts, {len(measures.reps)} reps, {len(measures.teams)} teams; "
                        f"{len(d.stale)} stale accounts, {len(d.overdue)} overdue actions; data problems: "
                        f"{output / 'quality.html'}"),
        }
        fb = feedback.resolve() if feedback else None
        state.save(Manifest(inputs.key, str(output), listing(output), written.fingerprints, summary,
                            snapshot_file(config, opts.as_of), listing(fb) if fb else {}, str(fb or ""),
                            str(publish or ""), listing(publish) if publish else {}))
    lap("state")
    return finish(summary, opts, output, publish, say, t0, zh, [*cache.notes, *state.notes, *exports.notes])


def laps(t0: float) -> Callable[[str], None]:
    """SITEGEN_TIMINGS=1: each step's seconds on stderr (for `sitegen bench` and profiling)."""
    if not os.environ.get("SITEGEN_TIMINGS"):
        return lambda _step: None
    last = [t0]

    def lap(step: str) -> None:
        now = time.perf_counter()
        print(f"[timing] {step}: {now - last[0]:.2f} s", file=sys.stderr)
        last[0] = now

    return lap


def finish(summary: dict[str, Any], opts: BuildOptions, output: Path, published: Path | None,
           say: Callable[[str], None], t0: float, zh: bool, notes: list[str]) -> BuildResult:
    """The summary of a build (the same whether it ran or found nothing to do)."""
    errors, warnings = summary["errors"], summary["warnings"]
    if opts.strict and (errors or warnings):
        say(f"严格模式：有 {errors} 个错误、{warnings} 个警告，未生成网站" if zh
            else f"strict mode: {errors} errors, {warnings} warnings; the site was not built")
        return BuildResult(1, output, errors=errors, warnings=warnings, seconds=time.perf_counter() - t0)
    if opts.verbose:
        say(summary["verbose"])
    secs = time.perf_counter() - t0
    for note in (*notes, *summary["notes"]):
        say(note)
    pages, count, size, feedback = summary["pages"], summary["files"], summary["bytes"], summary["feedback"]
    if not opts.quiet:
        for rel, when in sorted(summary["stale"].items()):
            say(f"注意：{rel} 本周无法读取，沿用 {when} 的数据" if zh else f"note: {rel} could not be read; using its data of {when}")
        say(f"已生成 {pages} 个页面（共 {count} 个文件，{size / 1e6:.1f} MB）到 {output}，用时 {secs:.1f} 秒；"
            f"数据错误 {errors} 个，警告 {warnings} 个" if zh else
            f"built {pages} pages ({count} files, {size / 1e6:.1f} MB) into {output} in {secs:.1f} s; "
            f"{errors} data errors, {warnings} warnings")
        if feedback:
            say(f"反馈工作簿：{feedback}" if zh else f"feedback workbooks: {feedback}")
        if published:
            say(f"已发布到 {published}" if zh else f"published to {published}")
    return BuildResult(0, output, count, pages, size, errors, warnings, secs, published)


def write_build_feedback(loaded: Loaded, config: Config, input_dir: Path) -> tuple[Path | None, list[str]]:
    """Annotated copies of the workbooks with problems, in the feedback folder (outside the site); and what
    to tell the user. Runs beside the rendering (one process: the rendering has the other cores)."""
    if not any(i.cell for i in loaded.report.issues) or config.feedback_dir.resolve() == input_dir:
        return None, []
    from .feedback import FeedbackError, write_feedback

    try:
        write_feedback(loaded, config, config.feedback_dir, input_dir=input_dir, workers=1)
    except (FeedbackError, OSError) as exc:
        return None, [f"反馈工作簿未写出：{exc}" if config.language != "en" else f"feedback workbooks not written: {exc}"]
    return config.feedback_dir, []


@contextmanager
def locked(config: Config) -> Iterator[None]:
    """One build of a project at a time (the lock lives in the state folder)."""
    lock = BuildLock(config.state_dir)
    try:
        lock.__enter__()
    except LockedError as exc:
        raise BuildError(f"另一个构建正在进行（进程 {exc}），请稍后再试" if config.language != "en"
                         else f"another build is running (process {exc}); try again later") from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def safe_path(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that could land outside root."""
    try:
        return parallel.safe_path(root, rel)
    except RenderError as exc:
        raise BuildError(str(exc)) from None


def check_output(output: Path, input_dir: Path, config: Config) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a site."""
    root = config.root.resolve()
    danger = {root, input_dir, Path(output.anchor), Path.home().resolve()}
    if output in danger or output in input_dir.parents or input_dir == output or output in root.parents:
        raise BuildError(f"输出文件夹不安全（会覆盖项目或输入）：{output}")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise BuildError(f"输出文件夹 {output} 已有其他内容，且不是 sitegen 生成的网站；请换一个空文件夹")
