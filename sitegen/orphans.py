"""Worker processes end with the build that started them.

A build killed outright (SIGKILL, an out-of-memory kill, a closed terminal) cannot tell its workers to
stop; on Linux each worker asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG). Elsewhere
this does nothing and the workers end when their task does.
"""

from __future__ import annotations

import os
import signal
import sys


def end_with_parent(parent: int | None = None) -> None:
    """Call first thing in a worker process. `parent`: the pid that started it (default: the current
    parent), to close the window in which the parent died before the request was made."""
    from .procs import quiet_worker

    quiet_worker()
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent is already gone: nobody will read this worker's result
