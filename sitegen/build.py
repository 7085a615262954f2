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

import errno
import os
import shutil
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
from .i18n import Translator
from .incremental import ReadStats, cached_reader, with_unreadable_folders
from .issues import Report, all_rejected, unread_files
from .load import Loaded, find, load
from .measures import compute
from .privacy import mask_dataset, masked_file_names, privacy_summary
from .privacy import summary_lines as privacy_lines
from .progress import Bars
from .publish import BuildLock, LockedError, copy_site, recover, share_root
from .render import data, parallel
from .render.env import template_cache_dir
from .render.parallel import RenderError, code_digest, folder_digest, page_count, template_problem
from .sitewrite import MARKER, SiteRecipe, collector_paused, frozen_heap, write_site
from .weekly import weekly_view

Echo = Callable[[str], None] | None
__all__ = ["BuildError", "BuildOptions", "BuildResult", "build", "safe_path", "template_problem", "MARKER"]


class BuildError(ConfigError):
    """The build cannot start (unsafe output folder, another build running). The message is for the user;
    the CLI reports it like a configuration problem (exit code 2)."""


class DiskFull(OSError):
    """Not enough free space for the site (checked before the build, or the disk filled up while writing).
    The message is for the user; the CLI ends with exit code 1. The staging folder is already removed."""


@dataclass(frozen=True)
class BuildOptions:
    as_of: date
    input_dir: Path | None = None
    output_dir: Path | None = None
    publish_dir: Path | None = None
    strict: bool = False
    quiet: bool = False
    verbose: bool = False
    progress: bool = False  # progress bars on stderr while reading and rendering, when it is a terminal


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
    if publish is not None:
        check_publish(publish, config)

    lap = Laps(t0)
    bars = Bars(opts.progress and not opts.quiet, zh)
    with locked(config):
        state = BuildState(config)
        last = state.load()
        files, skipped = find(config, input_dir)
        cache = open_cache(config, opts.as_of)
        files, hidden = with_unreadable_folders(cache, files, skipped, input_dir)
        inputs = Inputs(files, skipped, digest_inputs(files))
        code = code_digest()
        inputs.key = inputs_key(config, opts.as_of, inputs, output, code, folder_digest(config.layouts_dir))
        lap("inputs")
        recover(output)  # what an interrupted build left beside the output goes, even when nothing else changed
        if last is not None and unchanged(last, inputs.key, output, config, config.feedback_dir.resolve(), publish):
            return finish(last.summary, opts, output, publish, say, t0, zh, list(state.notes), lap, fresh=False)
        # before reading anything: room for a site the size of the last one (a build that has nothing to do
        # needs none)
        need = int(last.summary.get("bytes", 0)) if last is not None else 0
        check_space(output.parent, need, zh)
        if publish is not None:
            check_space(publish.parent, need, zh)
        with collector_paused(), bars.step("read", len(inputs.files)) as reading:
            stats = ReadStats()
            loaded = load(config, opts.as_of, input_dir=input_dir, found=(inputs.files, inputs.skipped),
                          read=cached_reader(cache, opts.as_of, stats, digests=inputs.digests,
                                             progress=lambda _f: reading.advance()))
            report = loaded.report
            lap("load")
        if opts.strict and (report.errors or report.warnings):
            say(f"严格模式：有 {report.errors} 个错误、{report.warnings} 个警告，未生成网站" if zh
                else f"strict mode: {report.errors} errors, {report.warnings} warnings; the site was not built")
            return BuildResult(1, output, errors=report.errors, warnings=report.warnings,
                               seconds=time.perf_counter() - t0)
        # the one place where published text is masked (privacy.py): everything below shows `dataset` and
        # `report`; the feedback workbooks (for the rep, outside the site) keep the original
        dataset, report = mask_dataset(loaded.dataset, loaded.report, config)
        shown_as = masked_file_names(config)  # the records' files are named as the site shows them
        stale = {shown_as(rel): when for rel, when in stats.stale.items()}
        # the feedback workbooks need only what was read: they are written meanwhile, in another process
        with frozen_heap(), background(write_build_feedback, loaded, config, input_dir) as feedback_job:
            with collector_paused():
                measures = compute(dataset, report.issues, config, opts.as_of)
                lap("measures")
                weekly = weekly_view(config, dataset, data.summary(measures, report), opts.as_of,
                                     load_history(config), stale)
                lap("weekly")
            # a workbook whose last good data stands in for this week's unreadable file is not what its
            # digest says: its records are never keyed by it
            sources = {shown_as(rel): d for rel, d in inputs.digests.items() if rel not in stats.stale}
            exports = open_export_caches(config, opts.as_of, sources, code)
            try:
                with bars.step("render") as rendering, disk_full_said(output.parent, need, zh):
                    templates = template_cache_dir(config.state_dir / "cache" / "templates", code)
                    written = write_site(SiteRecipe(dataset, report, measures, config, weekly,
                                                    opts.as_of, exports, templates), output, last, zh, sources,
                                         progress=rendering.to)
            except RenderError as exc:
                raise BuildError(str(exc)) from None
            exports.prune()
            lap("render+write", f"{written.rendered} rendered, {written.reused} re-used")
            save_snapshot(config, weekly.snapshot)  # only once the site is complete
        feedback, feedback_notes = feedback_job.value
        for note in feedback_notes:
            say(note)
        lap("snapshot+feedback")
        if publish is not None:
            with disk_full_said(publish.parent, sum(n for _, n in written.files), zh):
                copy_site(output, publish)
        d = measures.department
        summary = {
            "files": len(written.files), "pages": page_count(written.files), "errors": report.errors,
            "bytes": sum(n for _, n in written.files), "warnings": report.warnings, "feedback": str(feedback or ""),
            "stale": dict(stats.stale), "notes": list(weekly.notes), "locked": sorted(stats.locked),
            "stale_folders": {d: [r for r in rels if r in stats.stale] for d, rels in hidden.items()},
            "accounts": d.counts.accounts, "reps": len(measures.reps), "teams": len(measures.teams),
            "reused": written.reused, "rows": row_totals(report),
            "stale_accounts": len(d.stale), "overdue": len(d.overdue),
            "sites": [a.name for a in config.audiences],
            "all_rejected": [list(x) for x in all_rejected(report)],
            "unread": [[f, m] for f, m in unread_files(report) if f not in stats.stale],
            "privacy": privacy_summary(report, config),
            "as_of": opts.as_of.isoformat(), "input": str(opts.input_dir or config.input),
            "as_of_from": ("config" if config.as_of is not None and opts.as_of == config.as_of
                           else "today" if opts.as_of == date.today() else "given"),
        }
        fb = feedback.resolve() if feedback else None
        state.save(Manifest(inputs.key, str(output), listing(output), written.fingerprints, summary,
                            snapshot_file(config, opts.as_of), listing(fb) if fb else {}, str(fb or ""),
                            str(publish or ""), listing(publish) if publish else {}))
    lap("state")
    return finish(summary, opts, output, publish, say, t0, zh, [*cache.notes, *state.notes, *exports.notes], lap)


STEPS = {"inputs": ("检查输入", "inputs"), "load": ("读取", "reading"), "measures": ("指标", "measures"),
         "weekly": ("本周变化", "weekly changes"), "render+write": ("生成页面", "pages"),
         "snapshot+feedback": ("历史与反馈", "history and feedback"), "state": ("构建记录", "build record")}


class Laps:
    """Each step's seconds: in the --verbose summary, and on stderr as they happen with SITEGEN_TIMINGS=1
    (for `sitegen bench` and profiling)."""

    def __init__(self, t0: float) -> None:
        self.last = t0
        self.steps: list[tuple[str, float]] = []
        self.echo = bool(os.environ.get("SITEGEN_TIMINGS"))

    def __call__(self, step: str, detail: str = "") -> None:
        now = time.perf_counter()
        self.steps.append((step, now - self.last))
        if self.echo:
            print(f"[timing] {step}{f' ({detail})' if detail else ''}: {now - self.last:.2f} s", file=sys.stderr)
        self.last = now

    def line(self, zh: bool) -> str:
        parts = [f"{STEPS.get(step, (step, step))[0 if zh else 1]} {secs:.1f}" for step, secs in self.steps]
        return ("  各步用时（秒）：" + "，".join(parts)) if zh else ("  Seconds per step: " + ", ".join(parts))


def row_totals(report: Report) -> dict[str, int]:
    """Rows read = accepted + rejected + skipped, over every sheet."""
    return {k: sum(getattr(s, k) for s in report.sheets) for k in ("read", "accepted", "rejected", "skipped")}


def finish(summary: dict[str, Any], opts: BuildOptions, output: Path, published: Path | None,
           say: Callable[[str], None], t0: float, zh: bool, notes: list[str], lap: Laps, *,
           fresh: bool = True) -> BuildResult:
    """The summary of a build (the same figures whether it ran or found nothing to do)."""
    errors, warnings = summary["errors"], summary["warnings"]
    if opts.strict and (errors or warnings):
        say(f"严格模式：有 {errors} 个错误、{warnings} 个警告，未生成网站" if zh
            else f"strict mode: {errors} errors, {warnings} warnings; the site was not built")
        return BuildResult(1, output, errors=errors, warnings=warnings, seconds=time.perf_counter() - t0)
    secs = time.perf_counter() - t0
    t = Translator("zh" if zh else "en")
    stale = summary["stale"]
    in_folders = {rel for rels in summary.get("stale_folders", {}).values() for rel in rels}
    if not opts.quiet:  # what was not read this week comes first
        for folder, rels in sorted(summary.get("stale_folders", {}).items()):
            if rels:
                say(t("run.folder_stale", folder=folder, n=len(rels), date=min(stale.get(r, "") for r in rels)))
        for line in attention_lines(summary, zh):
            say(line)
    for note in (*notes, *summary["notes"]):
        say(note)
    pages, count, size = summary["pages"], summary["files"], summary["bytes"]
    if not opts.quiet:
        locked = set(summary.get("locked", ()))
        for rel, when in sorted(stale.items()):
            if rel in in_folders:
                continue
            if rel in locked:
                say(t("run.locked_stale", rel=rel, date=when))
                continue
            say(f"注意：{rel} 本周无法读取，沿用 {when} 的数据" if zh else f"note: {rel} could not be read; using its data of {when}")
        for line in summary_lines(summary, output, published, secs, zh, fresh):
            say(line)
        if opts.verbose:
            d = summary
            say(f"  停滞客户 {d.get('stale_accounts', 0)} 个，逾期行动 {d.get('overdue', 0)} 项" if zh
                else f"  {d.get('stale_accounts', 0)} stale accounts, {d.get('overdue', 0)} overdue actions")
            say(lap.line(zh))
    return BuildResult(0, output, count, pages, size, errors, warnings, secs, published)


def attention_lines(summary: dict[str, Any], zh: bool) -> list[str]:
    """What must be fixed before anything else, on the first lines: workbooks and sheets of which every
    data row was rejected, and workbooks that could not be read at all (issue 15)."""
    out = []
    for file, sheet, n in summary.get("all_rejected") or []:
        if zh:
            where = f"{file}（工作表“{sheet}”）" if sheet else f"{file}（所有工作表）"
            out.append(f"注意：{where}的 {n} 行数据全部被拒绝，网站上没有它的数据。原因见质量页或 sitegen check")
        else:
            where = f"{file} (sheet “{sheet}”)" if sheet else f"{file} (every sheet)"
            out.append(f"note: all {n} data rows of {where} were rejected; the site has none of its data. "
                       "See the quality page or sitegen check")
    for file, message in summary.get("unread") or []:
        out.append(f"注意：{file}：{message}" if zh else f"note: {file}: {message}")
    return out


def summary_lines(summary: dict[str, Any], output: Path, published: Path | None, secs: float, zh: bool,
                  fresh: bool = True) -> list[str]:
    """The one-screen summary of `sitegen build`: what the site holds, what was read, what is wrong, where
    everything is and how long it took."""
    g = summary.get
    sites = list(g("sites") or [])
    where = (output / "index.html") if not sites else output
    rows = g("rows") or {"read": 0, "accepted": 0, "rejected": 0, "skipped": 0}
    pages, reused = summary["pages"], g("reused", 0)
    errors, warnings = summary["errors"], summary["warnings"]
    issues_at = (output / "quality.html") if not sites else (
        f"{output}/<受众>/quality.html" if zh else f"{output}/<audience>/quality.html")
    mb = summary["bytes"] / 1e6
    if zh:
        out = [(f"网站已生成：{where}" if fresh else f"输入与上次相同，网站无需重新生成：{where}")
               + (f"（每个受众一个网站：{'、'.join(f'{n}/index.html' for n in sites)}）" if sites else ""),
               *([f"  统计日期 {g('as_of')}" + {"config": "（sitegen.yaml 中的 as_of 固定了这一天）", "today": "（今天）"}.get(
                   g("as_of_from", ""), "")] if g("as_of") else []),
               f"  客户 {g('accounts', 0)} 个，客户经理 {g('reps', 0)} 位，团队 {g('teams', 0)} 个",
               (f"  页面 {pages} 个：新生成 {pages - reused} 个，沿用上次 {reused} 个" if fresh
                else f"  页面 {pages} 个：全部沿用上次") + f"（共 {summary['files']} 个文件，{mb:.1f} MB）",
               f"  读取 {rows['read']} 行 = 接受 {rows['accepted']} + 拒绝 {rows['rejected']} + 跳过（空行/合计）{rows['skipped']}",
               (f"  数据错误 {errors} 个，警告 {warnings} 个，逐格说明见 {issues_at}" if errors or warnings
                else "  没有数据错误或警告"), *privacy_lines(g("privacy"), zh)]
        if not g("accounts", 0) and g("input"):
            out.append(f"  还没有数据：用 Excel 打开 {g('input')}/ 中的模板填写后再运行 sitegen build")
        if summary["feedback"]:
            out.append(f"  反馈工作簿：{summary['feedback']}（发回给客户经理，不要发布）")
        if published:
            out.append(f"  已发布到：{published}")
        out.append(f"  用时 {secs:.1f} 秒")
        return out
    out = [(f"Site built: {where}" if fresh else f"Inputs unchanged since the last build; the site is as it was: {where}")
           + (f" (one site per audience: {', '.join(f'{n}/index.html' for n in sites)})" if sites else ""),
           *([f"  Figures as of {g('as_of')}" + {"config": " (fixed by as_of in sitegen.yaml)", "today": " (today)"}.get(
               g("as_of_from", ""), "")] if g("as_of") else []),
           f"  {g('accounts', 0)} accounts, {g('reps', 0)} reps, {g('teams', 0)} teams",
           (f"  {pages} pages: {pages - reused} written, {reused} re-used" if fresh
            else f"  {pages} pages, all as they were") + f" ({summary['files']} files, {mb:.1f} MB)",
           f"  Rows read {rows['read']} = accepted {rows['accepted']} + rejected {rows['rejected']}"
           f" + skipped (blank/total) {rows['skipped']}",
           (f"  {errors} data errors, {warnings} warnings; each cell explained in {issues_at}" if errors or warnings
            else "  No data errors or warnings"), *privacy_lines(g("privacy"), zh)]
    if not g("accounts", 0) and g("input"):
        out.append(f"  No data yet: open the templates in {g('input')}/ with Excel, fill them in, then run sitegen build again")
    if summary["feedback"]:
        out.append(f"  Feedback workbooks: {summary['feedback']} (send them back to the reps; do not publish)")
    if published:
        out.append(f"  Published to: {published}")
    out.append(f"  Took {secs:.1f} s")
    return out


def write_build_feedback(loaded: Loaded, config: Config, input_dir: Path) -> tuple[Path | None, list[str]]:
    """Annotated copies of the workbooks with problems, in the feedback folder (outside the site); and what
    to tell the user. Runs beside measuring and rendering, in one process: the build's own process works
    alone until the pages are rendered, so one core is free for it (141 copies take about 4 s)."""
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


def _t(config: Config) -> Translator:
    return Translator(config.language)


def check_publish(publish: Path, config: Config) -> None:
    """Refuse a publish folder that is a file, or a folder of other things: it would be replaced; and a
    share's or drive's root, which cannot be replaced in one step."""
    if share_root(publish):
        raise BuildError(_t(config)("run.publish_share_root", path=publish))
    if publish.exists() and not publish.is_dir():
        raise BuildError(_t(config)("run.publish_is_file", path=publish))
    if publish.is_dir() and any(publish.iterdir()) and not (publish / MARKER).exists():
        raise BuildError(_t(config)("run.publish_not_site", path=publish))


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def check_space(folder: Path, need: int, zh: bool) -> None:
    """Refuse to start when the folder's disk has less free space than the last build's site took."""
    if need <= 0:
        return
    try:
        free = shutil.disk_usage(_existing(folder)).free
    except OSError:
        return
    if free < need:
        raise DiskFull(errno.ENOSPC, Translator("zh" if zh else "en")("run.disk_full", need=_mb(need),
                                                                       folder=folder, free=_mb(free)))


@contextmanager
def disk_full_said(folder: Path, need: int, zh: bool) -> Iterator[None]:
    """A disk that fills up while writing: the user's message instead of Errno 28 (whatever was staged is
    removed by the writer)."""
    try:
        yield
    except DiskFull:
        raise
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        try:
            free = shutil.disk_usage(_existing(folder)).free
        except OSError:
            free = 0
        raise DiskFull(errno.ENOSPC, Translator("zh" if zh else "en")(
            "run.disk_full", need=_mb(max(need, free + 1)), folder=folder, free=_mb(free))) from None


def check_output(output: Path, input_dir: Path, config: Config) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a site."""
    if output.exists() and not output.is_dir():
        raise BuildError(_t(config)("run.output_is_file", path=output))
    root = config.root.resolve()
    danger = {root, input_dir, Path(output.anchor), Path.home().resolve()}
    if output in danger or output in input_dir.parents or input_dir == output or output in root.parents:
        raise BuildError(f"输出文件夹不安全（会覆盖项目或输入）：{output}")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise BuildError(f"输出文件夹 {output} 已有其他内容，且不是 sitegen 生成的网站；请换一个空文件夹")
