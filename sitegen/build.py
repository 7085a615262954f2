"""`sitegen build`: the whole pipeline in one screen.

    load (read + normalise + assemble)  ->  measures  ->  render (pages, data, assets)  ->  write + swap  ->  publish

The site is written into a new folder beside the output and swapped in only when complete (publish.py),
so a failed or interrupted build never destroys the last good site. Nothing prints from deep inside the
pipeline: progress and the summary go through `echo`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath

from jinja2 import TemplateError, TemplateSyntaxError

from .audience import restrict
from .cache import open_cache
from .config import Config, ConfigError
from .history import load_history, save_snapshot
from .incremental import ReadStats, cached_reader
from .issues import Report
from .load import Loaded, load
from .measures import Measures, compute
from .model import Dataset
from .publish import BuildLock, LockedError, copy_site, recover, staging_dir, swap_in
from .render import data, render_site
from .weekly import Weekly, weekly_view

Echo = Callable[[str], None] | None
MARKER = ".sitegen-site"  # marks a folder as a site sitegen may replace


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
    check_output(output, input_dir, config)

    with locked(config):
        cache = open_cache(config, opts.as_of)
        stats = ReadStats()
        loaded = load(config, opts.as_of, input_dir=input_dir, read=cached_reader(cache, opts.as_of, stats))
        report = loaded.report
        if opts.strict and (report.errors or report.warnings):
            say(f"严格模式：有 {report.errors} 个错误、{report.warnings} 个警告，未生成网站" if zh
                else f"strict mode: {report.errors} errors, {report.warnings} warnings; the site was not built")
            return BuildResult(1, output, errors=report.errors, warnings=report.warnings,
                               seconds=time.perf_counter() - t0)
        measures = compute(loaded.dataset, report.issues, config, opts.as_of)
        weekly = weekly_view(config, loaded.dataset, data.summary(measures, report), opts.as_of,
                             load_history(config), stats.stale)
        files = site_files(loaded.dataset, report, measures, config, weekly, opts.as_of)
        try:
            count, pages, size = write_site(files, output)
        except TemplateError as exc:
            raise BuildError(template_problem(exc, zh)) from None
        if opts.verbose:
            d = measures.department
            say((f"  {d.counts.accounts} 个客户、{len(measures.reps)} 位客户经理、{len(measures.teams)} 个团队；"
                 f"停滞客户 {len(d.stale)}，逾期行动 {len(d.overdue)}；数据问题见 {output / 'quality.html'}") if zh else
                (f"  {d.counts.accounts} accounts, {len(measures.reps)} reps, {len(measures.teams)} teams; "
                 f"{len(d.stale)} stale accounts, {len(d.overdue)} overdue actions; data problems: "
                 f"{output / 'quality.html'}"))
        save_snapshot(config, weekly.snapshot)  # only once the site is complete
        feedback = write_build_feedback(loaded, config, input_dir, say)
        published = None
        if opts.publish_dir or config.publish:
            published = (opts.publish_dir or config.path(config.publish or Path())).resolve()
            copy_site(output, published)

    secs = time.perf_counter() - t0
    for note in (*cache.notes, *weekly.notes):
        say(note)
    if not opts.quiet:
        for rel, when in sorted(stats.stale.items()):
            say(f"注意：{rel} 本周无法读取，沿用 {when} 的数据" if zh else f"note: {rel} could not be read; using its data of {when}")
        say(f"已生成 {pages} 个页面（共 {count} 个文件，{size / 1e6:.1f} MB）到 {output}，用时 {secs:.1f} 秒；"
            f"数据错误 {report.errors} 个，警告 {report.warnings} 个" if zh else
            f"built {pages} pages ({count} files, {size / 1e6:.1f} MB) into {output} in {secs:.1f} s; "
            f"{report.errors} data errors, {report.warnings} warnings")
        if feedback:
            say(f"反馈工作簿：{feedback}" if zh else f"feedback workbooks: {feedback}")
        if published:
            say(f"已发布到 {published}" if zh else f"published to {published}")
    return BuildResult(0, output, count, pages, size, report.errors, report.warnings, secs, published)


def site_files(dataset: Dataset, report: Report, measures: Measures, config: Config, weekly: Weekly,
               as_of: date) -> Iterator[tuple[str, bytes]]:
    """The whole site; with audiences, one complete site per audience in its own folder."""
    if not config.audiences:
        yield from render_site(dataset, report, measures, config, weekly=weekly)
        return
    for audience in config.audiences:
        ds, rep = restrict(dataset, report, audience)
        m = measures if not audience.teams else compute(ds, rep.issues, config, as_of)
        view = weekly if not audience.teams else weekly.for_accounts({a.id for a in ds.accounts})
        for rel, body in render_site(ds, rep, m, replace(config, title=f"{config.title} · {audience.title}"),
                                     weekly=view):
            yield f"{audience.name}/{rel}", body


def write_build_feedback(loaded: Loaded, config: Config, input_dir: Path, say: Callable[[str], None]) -> Path | None:
    """Annotated copies of the workbooks with problems, in the feedback folder (outside the site)."""
    if not any(i.cell for i in loaded.report.issues) or config.feedback_dir.resolve() == input_dir:
        return None
    from .feedback import FeedbackError, write_feedback

    try:
        write_feedback(loaded, config, config.feedback_dir, input_dir=input_dir)
    except (FeedbackError, OSError) as exc:
        say(f"反馈工作簿未写出：{exc}" if config.language != "en" else f"feedback workbooks not written: {exc}")
        return None
    return config.feedback_dir


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


def template_problem(exc: TemplateError, zh: bool) -> str:
    """A layout mistake in plain words, naming the template file and line (the old site stays in place)."""
    place = ""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        place = f"{exc.filename or exc.name}:{exc.lineno}"
    else:
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith(".html"):
                place = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
    return (f"模板有错误（{place or '未知位置'}）：{exc.message}；网站未更新" if zh
            else f"template error ({place or 'unknown place'}): {exc.message}; the site was not updated")


def check_output(output: Path, input_dir: Path, config: Config) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a site."""
    root = config.root.resolve()
    danger = {root, input_dir, Path(output.anchor), Path.home().resolve()}
    if output in danger or output in input_dir.parents or input_dir == output or output in root.parents:
        raise BuildError(f"输出文件夹不安全（会覆盖项目或输入）：{output}")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise BuildError(f"输出文件夹 {output} 已有其他内容，且不是 sitegen 生成的网站；请换一个空文件夹")


def write_site(files: Iterable[tuple[str, bytes]], output: Path) -> tuple[int, int, int]:
    """Write every file into a staging folder beside `output`, then swap it in. Returns (files, pages, bytes)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    recover(output)
    staged = staging_dir(output)
    staged.mkdir()
    count = pages = size = 0
    seen: set[str] = set()
    for rel, body in files:
        target = safe_path(staged, rel)
        key = rel.lower()
        if key in seen:
            raise BuildError(f"internal error: two files would share the path {rel}")
        seen.add(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        count += 1
        pages += rel.endswith(".html")
        size += len(body)
    (staged / MARKER).write_text("sitegen\n", encoding="utf-8")
    swap_in(staged, output)
    return count, pages, size


def safe_path(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that could land outside root."""
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("", ".", "..") or "\\" in part or ":" in part
                                             for part in p.parts):
        raise BuildError(f"internal error: unsafe output path {rel!r}")
    return root.joinpath(*p.parts)
