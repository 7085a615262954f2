"""Windows, as far as Linux can test it (issue 14 §2). What each test simulates, and how:

- the build lock through msvcrt (Windows' byte-range locks): sys.platform is set to "win32" and a stand-in
  msvcrt module keeps locks per (file, byte offset) as Windows does, so that a lock taken at a position that
  moves with the file's content would be caught;
- a folder that cannot be renamed over an existing one, and one held open for a moment (Explorer, an
  antivirus): os.rename refuses an existing target, the atomic exchange is unavailable, and the first renames
  fail with PermissionError;
- hard links that fail (FAT/exFAT, SMB shares, another drive): os.link raises; re-used pages are copied;
- `\\\\fileserver\\sales\\大客户部` in `publish:` of a sitegen.yaml saved by Notepad as UTF-8 with BOM and as GBK
  ("ANSI"), with CRLF: read exactly; its staging folder lands beside it on the same share; a share's root is
  refused. (Windows path semantics are checked with PureWindowsPath: no share is mounted here.)
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sys
import types
from pathlib import Path, PureWindowsPath

import pytest

from sitegen import cli, publish
from sitegen.config import load_config
from sitegen.publish import BuildLock, LockedError, share_root, staging_dir, swap_in

REPO = Path(__file__).resolve().parents[1]
UNC = "\\\\fileserver\\sales\\大客户部"


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class FakeMsvcrt(types.ModuleType):
    """msvcrt.locking as Windows does it: a lock on `n` bytes from the file's current position, refused
    (OSError) when another open file holds that byte; released by LK_UNLCK at the same position."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int], int] = {}  # (inode, offset) -> fd
        self.calls: list[tuple[str, int]] = []

    def locking(self, fd: int, mode: int, n: int) -> None:
        key = (os.fstat(fd).st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        self.calls.append(("lock" if mode == self.LK_NBLCK else "unlock", key[1]))
        if mode == self.LK_NBLCK:
            if key in self.held and self.held[key] != fd:
                raise PermissionError(13, "Permission denied")
            self.held[key] = fd
        elif self.held.get(key) == fd:
            del self.held[key]
        else:
            raise PermissionError(13, "unlocking a region not locked")


def test_the_lock_through_msvcrt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMsvcrt()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    with BuildLock(tmp_path) as first:
        assert (tmp_path / "build.lock").read_text() == str(os.getpid())  # the holder stays readable
        with pytest.raises(LockedError) as info:
            with BuildLock(tmp_path):
                pass
        assert str(info.value) == str(os.getpid())
        assert first is not None
    assert fake.held == {}, "released on exit"
    # the lock byte does not move with what the file holds (a pid of another length)
    (tmp_path / "build.lock").write_text("123456789012")
    with BuildLock(tmp_path):
        with pytest.raises(LockedError):
            with BuildLock(tmp_path):
                pass
    offsets = {offset for _what, offset in fake.calls}
    assert offsets == {publish.WIN_LOCK_OFFSET}, fake.calls


def windows_rename(monkeypatch: pytest.MonkeyPatch, busy: int = 0) -> list[str]:
    """os.rename as on Windows: an existing target is refused; the first `busy` calls fail as if a file in
    the folder were held open. Returns the log of renames."""
    real = os.rename
    log: list[str] = []

    def rename(a: os.PathLike[str] | str, b: os.PathLike[str] | str) -> None:
        log.append(f"{Path(a).name} -> {Path(b).name}")
        if len(log) <= busy:
            raise PermissionError(13, "The process cannot access the file because it is being used")
        if os.path.exists(b):
            raise FileExistsError(183, "Cannot create a file when that file already exists", str(b))
        real(a, b)

    monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(publish, "RENAME_PAUSE", 0.01)
    return log


def test_replacing_a_folder_that_cannot_be_renamed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "output"
    target.mkdir()
    (target / "index.html").write_text("old", encoding="utf-8")
    staged = staging_dir(target)
    staged.mkdir()
    (staged / "index.html").write_text("new", encoding="utf-8")
    log = windows_rename(monkeypatch, busy=2)
    swap_in(staged, target)
    assert (target / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert len(log) == 4  # two refusals while busy, then old aside and new in place


def test_a_build_where_hard_links_fail_and_folders_cannot_be_swapped(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sitegen.sitewrite.workers", lambda: 1)  # this process renders: the patches apply
    note = tmp_path / "input" / "说明.txt"  # a new skipped file: the next build re-uses every account page

    def twice(output: str) -> None:
        note.unlink(missing_ok=True)
        assert cli.main(["build", "--as-of", "2026-11-20", "--output", output]) == 0
        note.write_text("本周说明", encoding="utf-8")
        assert cli.main(["build", "--as-of", "2026-11-20", "--output", output]) == 0

    twice("linked")
    windows_rename(monkeypatch)
    links: list[str] = []

    def no_link(a: object, b: object) -> None:
        links.append(str(b))
        raise OSError(errno.EPERM, "Operation not permitted")  # FAT/exFAT, SMB, another drive

    monkeypatch.setattr(os, "link", no_link)
    twice("copied")
    assert len(links) > 50, "the warm build re-used pages (and had to copy them)"
    assert tree(tmp_path / "copied") == tree(tmp_path / "linked")
    assert all(p.stat().st_nlink == 1 for p in (tmp_path / "copied").rglob("*.html"))
    assert not [p for p in tmp_path.iterdir() if ".old-" in p.name or ".new-" in p.name]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"], ids=["utf8-bom", "gbk-ansi"])
def test_sitegen_yaml_as_notepad_saves_it(tmp_path: Path, encoding: str) -> None:
    text = f"# 大客户部的配置\r\ntitle: 大客户部周报\r\npublish: {UNC}\r\nlanguage: zh\r\n"
    (tmp_path / "sitegen.yaml").write_bytes(text.encode(encoding))
    cfg = load_config(tmp_path / "sitegen.yaml")
    assert cfg.title == "大客户部周报"
    assert str(cfg.publish) == UNC  # exactly as typed: backslashes and all
    share = PureWindowsPath(str(cfg.publish))
    assert share.is_absolute() and share.anchor == "\\\\fileserver\\sales\\"
    staged = staging_dir(share)  # type: ignore[arg-type]
    assert staged.parent == share.parent and staged.name == f"大客户部.new-{os.getpid()}"
    assert not share_root(share) and share_root(PureWindowsPath("\\\\fileserver\\sales")) \
        and share_root(PureWindowsPath("D:\\"))


def test_a_config_in_neither_encoding_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sitegen.yaml").write_bytes(b"title: \xff\xfe\xff\r\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check"]) == 2
    assert "既不是 UTF-8 也不是 GBK" in capsys.readouterr().err


def windows_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## 在 Windows 上使用")
    return text[start:text.index("\n## ", start + 5)]


def test_the_readme_windows_routine_is_what_sitegen_accepts(tmp_path: Path) -> None:
    """The .bat, PowerShell and sitegen.yaml lines of README's Windows section, read from README: each sitegen
    command parses with sitegen's own parser, the publish line reads as the share, and the scheduled task runs
    the .bat the section tells to create."""
    import re
    import shlex

    section = windows_section()
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)
    commands = []
    for lang, body in blocks:
        for line in body.splitlines():
            for part in line.split(";"):
                part = part.split(">")[0].strip()
                if part.startswith("sitegen "):
                    commands.append((lang, part))
    assert [c for _lang, c in commands] == ["sitegen build", f"sitegen build --publish {UNC}", "sitegen build"]
    for _lang, command in commands:
        args = cli.parser().parse_args(shlex.split(command, posix=False)[1:])
        assert args.command == "build"
        if args.publish:
            assert args.publish == UNC  # PowerShell and cmd pass the backslashes as they are
    yaml_block = next(body for lang, body in blocks if lang == "yaml")
    (tmp_path / "sitegen.yaml").write_bytes(yaml_block.replace("\n", "\r\n").encode("gbk"))
    assert str(load_config(tmp_path / "sitegen.yaml").publish) == UNC
    bats = re.findall(r"`([^`]+\.bat)`", section)
    scheduled = re.search(r'/TR "[^"]*\\([^"\\]+\.bat)"', section)
    assert scheduled and scheduled.group(1) in bats and "/SC WEEKLY /D MON" in section
