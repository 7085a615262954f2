"""Progress bars on the terminal for the two long steps: reading the workbooks and writing the pages.

A bar is drawn only when stderr is a terminal and the command is not --quiet (never in --format json, a
log file or CI), appears only once its step has run for more than a moment, and is redrawn at most a few
times a second: the reading and rendering loops call `advance` once per workbook or per slice of pages,
which costs a clock reading unless it is time to redraw. Bars are drawn from the calling thread only (no
refresh thread: the build forks worker processes, and forking beside a running thread is unsafe), and
they disappear when their step ends, so the summary follows on a clean screen. Uses rich.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

LABELS = {
    "read": ("读取工作簿", "Reading workbooks"),
    "render": ("生成页面", "Writing pages"),
}
DELAY = 0.5  # seconds a step runs before its bar appears
INTERVAL = 0.25  # seconds between two redraws


class Step:
    """The progress of one step. `advance` and `to` may be called as often as work completes."""

    def __init__(self, label: str, total: int, stream: IO[str] | None, *, delay: float = DELAY,
                 interval: float = INTERVAL) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream  # None: nothing is ever drawn
        self._delay = delay
        self._interval = interval
        self._start = time.monotonic()
        self._next = self._start + delay
        self._bar: Any = None  # rich.progress.Progress, once shown
        self._task: Any = None
        self.draws = 0

    def advance(self, n: int = 1) -> None:
        self.to(self.done + n)

    def to(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self._stream is None:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self._interval
        self._draw()

    def _draw(self) -> None:
        if self._bar is None:
            if self.done >= self.total:
                return  # finished before it was worth showing
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            console = Console(file=self._stream)
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True, auto_refresh=False,
                                 redirect_stdout=False, redirect_stderr=False)
            self._task = self._bar.add_task(self.label, total=self.total)
            self._bar.start()
        self._bar.update(self._task, completed=min(self.done, self.total), total=self.total)
        self._bar.refresh()
        self.draws += 1

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class Bars:
    """Makes the bars of one command (or none, when they must not be shown)."""

    def __init__(self, enabled: bool, zh: bool = True, stream: IO[str] | None = None, *,
                 delay: float | None = None, interval: float | None = None) -> None:
        stream = stream if stream is not None else sys.stderr
        self.stream = stream if enabled and _is_terminal(stream) else None
        self.zh = zh
        self.delay = DELAY if delay is None else delay
        self.interval = INTERVAL if interval is None else interval

    @classmethod
    def off(cls) -> Bars:
        return cls(False)

    @contextmanager
    def step(self, kind: str, total: int = 0) -> Iterator[Step]:
        zh, en = LABELS[kind]
        step = Step(zh if self.zh else en, total, self.stream, delay=self.delay, interval=self.interval)
        try:
            yield step
        finally:
            step.close()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
