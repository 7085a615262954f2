"""A worker process that dies is reported, never waited for (issue 14 §1), under fork and under spawn.

The work handed to the rendering workers kills any process but the build's own (tests/fixtures/dying.py);
the background step is os._exit itself. Both must end in an error naming what happened, in seconds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from dying import recipe

from sitegen import procs
from sitegen.background import background
from sitegen.render import parallel

METHODS = [m for m in ("fork", "spawn") if m in __import__("multiprocessing").get_all_start_methods()]


@pytest.mark.parametrize("method", METHODS)
def test_a_rendering_worker_that_dies_is_reported(method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(procs.ENV, method)
    make = recipe(os.getpid(), 7, 12)
    parts = make()
    tasks = [(0, "file", [i]) for i in range(12)]
    job = parallel.RenderJob(tmp_path, None, True, {}, tasks, [""], make, parts)
    t = time.monotonic()
    with pytest.raises(parallel.RenderError) as info:
        parallel._render_with_workers(job, procs.context(), 2, 12, None)
    assert "意外退出" in str(info.value) and "退出码 7" in str(info.value), info.value
    assert time.monotonic() - t < 60
    assert procs.context().active_children() == []  # nothing left running


@pytest.mark.parametrize("method", METHODS)
def test_a_background_step_that_dies_is_reported(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(procs.ENV, method)
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        with background(os._exit, 3):
            pass


@pytest.mark.parametrize("method", METHODS)
def test_a_background_step_gives_its_value(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(procs.ENV, method)
    with background(sorted, [3, 1, 2]) as job:
        pass
    assert job.value == [1, 2, 3]
    with pytest.raises(ZeroDivisionError):
        with background(divmod, 1, 0):
            pass
