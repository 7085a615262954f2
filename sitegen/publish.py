"""Publishing a site so that readers only ever see a complete one.

A build writes its pages into a fresh folder beside the target (`<target>.new-<pid>`), then swaps it
with the target in one step: on Linux with renameat2(RENAME_EXCHANGE), an atomic exchange of two
directories; elsewhere with two renames, where the short moment between them is repaired by the next
run (`recover`). The previous site is deleted only after the swap. A build killed at any moment leaves
the previous site whole, plus at most a stray `.new-*` folder that the next build removes.

`BuildLock` keeps two builds of the same project from running at once. The lock belongs to the build's
own process only: a process forked while it is held (a reading worker) closes its copy of the lock file,
so that workers orphaned by a killed build cannot keep every later build locked out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import time
from pathlib import Path, PurePath
from typing import IO

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class LockedError(Exception):
    """Another build holds the lock."""


_HELD: set[int] = set()  # descriptors of the lock files this process holds


def _release_in_child() -> None:
    """After a fork: drop the child's reference to the parent's lock (an flock lock is shared with forked
    children and released only when every copy is closed). The descriptor is pointed at /dev/null rather
    than closed, so that the inherited file object can still close it harmlessly."""
    if not _HELD:
        return
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    for fd in list(_HELD):
        try:
            os.dup2(null, fd, inheritable=False)
        except OSError:
            pass
    os.close(null)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_release_in_child)


def _renameat2() -> object | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths. False when the system cannot do it."""
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(a))


RENAME_TRIES = 10  # Windows: a folder cannot be renamed while a program (Explorer, an antivirus) has a file
RENAME_PAUSE = 0.3  # in it open; such a hold is usually over within a second or two


def _rename(a: Path, b: Path) -> None:
    """os.rename(a, b), tried again for a few seconds when the system refuses it for the moment."""
    for attempt in range(RENAME_TRIES):
        try:
            os.rename(a, b)
            return
        except PermissionError:
            if attempt == RENAME_TRIES - 1:
                raise
            time.sleep(RENAME_PAUSE)


def staging_dir(target: Path) -> Path:
    return target.with_name(f"{target.name}.new-{os.getpid()}")


def recover(target: Path) -> None:
    """Repair what an interrupted swap or build left: restore `<target>.old-*` when the target is
    missing, and delete stray staging folders."""
    parent = target.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f"{target.name}.old-*"))
    if not target.exists() and olds:
        _rename(olds[-1], target)
        olds = olds[:-1]
    for p in olds + sorted(parent.glob(f"{target.name}.new-*")):
        shutil.rmtree(p, ignore_errors=True)


def swap_in(staged: Path, target: Path) -> None:
    """Make `staged` the new `target`; the old target is removed afterwards."""
    _fsync_tree(staged)
    if target.exists():
        if exchange(staged, target):
            shutil.rmtree(staged, ignore_errors=True)  # `staged` now holds the old site
            return
        # where one folder cannot replace another in one step (Windows, network shares): the old one is moved
        # aside first; a build stopped in between leaves `.old-*`, which the next one puts back (recover)
        old = target.with_name(f"{target.name}.old-{os.getpid()}")
        _rename(target, old)
        _rename(staged, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        _rename(staged, target)


def _fsync_tree(root: Path) -> None:
    """Flush the staged files to disk so that a power cut after the swap cannot leave empty files."""
    if os.name != "posix":
        return
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                if os.stat(path).st_nlink > 1:
                    continue  # a page linked from the current site: flushed when that site was written
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def share_root(target: PurePath) -> bool:
    """A Windows share itself (\\\\fileserver\\sales), or a drive's root: nothing can be placed beside it, so
    it cannot be replaced in one step."""
    return not target.name


def copy_site(site: Path, target: Path) -> None:
    """Publish a built site to another folder (a network share), atomically from the reader's view."""
    target = target.resolve()
    if target == site.resolve() or site.resolve() in target.parents:
        raise ValueError(f"发布目录不能在网站输出目录之内：{target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    staged = staging_dir(target)
    try:
        shutil.copytree(site, staged)
        swap_in(staged, target)
    except BaseException:  # a full share, Ctrl-C: the published site stays as it was
        shutil.rmtree(staged, ignore_errors=True)
        raise


# Windows locks byte ranges (msvcrt.locking locks from the file's current position): one byte far beyond the
# pid written at the start, always the same byte whatever the file holds, and never in the way of reading it.
WIN_LOCK_OFFSET = 1 << 30


def _lock(fh: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(WIN_LOCK_OFFSET)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fh: IO[str]) -> None:
    if sys.platform == "win32":  # closing would release it too, but not at once
        import msvcrt

        try:
            fh.seek(WIN_LOCK_OFFSET)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass


class BuildLock:
    """An exclusive lock file in the state folder, released when the process ends (even when killed).
    flock on Linux and macOS, msvcrt.locking on Windows. Spawned workers never hold it (the file is not
    inherited); forked ones let go of it at once (_release_in_child)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "build.lock"
        self._fh: IO[str] | None = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - held for the duration of the build
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            raise LockedError(holder) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        _HELD.add(fh.fileno())
        return self

    def __exit__(self, *exc: object) -> None:
        fh = self._fh
        if fh is not None:
            _HELD.discard(fh.fileno())
            _unlock(fh)
            fh.close()
            self._fh = None
