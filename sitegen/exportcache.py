"""The Excel export's block cache, in the state folder: the big sheets' rows, already deflated, by group of accounts.

The sheets of data/export.xlsx are written in pieces (zipblocks.py), each a group of consecutive accounts'
rows deflated on its own: a piece depends only on its rows' text, not on where it lands. A piece is kept under
a key that digests what its rows are made of:

- a salt: this cache's format, sitegen's code (export.py included), the config (language, score dimensions,
  private fields, aliases...), the as-of date, the zlib and Python versions, and the site (audience) folder;
- the sheet, and the account fields the rows print besides the records (the accounts' names on key persons);
- key persons, competition and follow-ups: every record of the piece, in order, as what it was read from: the
  workbook (path and content digest), the sheet and the row, the account it was matched to and (follow-ups)
  its rep. Given the config and the as-of date, those make the record (assemble.py); render/parallel.py
  fingerprints account pages the same way. A record that does not come from a workbook of this build's input
  (no source, no digest, or a workbook whose last good data stands in for an unreadable file) makes its piece
  uncacheable: it is always written anew;
- projects and issues, which hold measures (stale, overdue, probabilities): the rows' values themselves.

The cache is a memo of a pure function (key -> deflated text): an entry is right or absent, whatever happens
to the build that wrote it, so a failed build cannot leave it disagreeing with an export. It is one file per
site folder, loaded whole by the build process (before the workers fork), re-written atomically by the worker
that writes the export with only the pieces this build used (pruning the rest). A file that is damaged or
from another format is discarded with a note, never trusted; its checksum covers every byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .zipblocks import Piece

FORMAT = 1
MAGIC = b"sitegen-xblocks" + bytes([FORMAT])  # 16 bytes
_HEAD = struct.Struct("<16s20sI")  # magic, sha1 of everything after the head, number of blocks
_ENTRY = struct.Struct("<20sQQQII")  # key, offset in the data, deflated size, text size, crc, rows
SUFFIX = ".blocks"
_SRC, _FILE, _SHEET, _ROW = attrgetter("src"), attrgetter("file"), attrgetter("sheet"), attrgetter("row")
_ACCOUNT, _REP = attrgetter("account_id"), attrgetter("rep")
_PLAIN = frozenset({str, int, float, bool, date, type(None)})  # values written from their repr's content


@dataclass(frozen=True, slots=True)
class Block:
    piece: Piece
    rows: int


@dataclass
class BlockCache:
    """The blocks of one site folder's export: what the last build kept (`old`), what this one uses (`used`)."""

    path: Path
    salt: bytes
    sources: Mapping[str, str]  # workbook (relative path) -> content digest; only workbooks read this build
    zh: bool = True
    old: dict[bytes, Block] = field(default_factory=dict)
    used: dict[bytes, Block] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    hits: int = 0
    misses: int = 0
    added: int = 0

    def key(self, sheet: str, extra: Sequence[str], records: Sequence[Any], reps: bool = False) -> bytes | None:
        """The key of a piece made of `records` (None: it cannot be keyed safely). Each record stands for
        where it was read (workbook and its digest, sheet, row), its account and, with `reps`, its rep.
        Read column by column, each in one C call (a build keys about 300,000 records)."""
        try:
            srcs = list(map(_SRC, records))
            files = list(map(_FILE, srcs))
        except AttributeError:  # a record without a source
            return None
        used = sorted(set(files))
        digests = [self.sources.get(f) for f in used]
        if not all(digests):
            return None
        h = hashlib.sha1(self.salt)
        h.update(repr((sheet, tuple(extra), len(records), used, digests)).encode("utf-8", "surrogatepass"))
        columns = [files, list(map(_SHEET, srcs)), list(map(_ACCOUNT, records))]
        if reps:
            columns.append(list(map(_REP, records)))
        for texts in columns:
            # the lengths make the joined text unambiguous
            h.update(array("q", map(len, texts)).tobytes())
            h.update("\x1f".join(texts).encode("utf-8", "surrogatepass"))
        h.update(array("q", map(_ROW, srcs)).tobytes())
        return h.digest()

    def content_key(self, sheet: str, rows: Sequence[Sequence[Any]]) -> bytes | None:
        """The key of a piece made of `rows` given by value: their repr, when every value is of a type whose
        repr says all the cell is written from (None otherwise)."""
        for row in rows:
            if not _PLAIN.issuperset(map(type, row)):
                return None
        h = hashlib.sha1(self.salt)
        h.update(repr((sheet, rows)).encode("utf-8", "surrogatepass"))
        return h.digest()

    def get(self, key: bytes | None) -> Block | None:
        if key is None:
            return None
        b = self.used.get(key) or self.old.get(key)
        if b is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used[key] = b
        return b

    def put(self, key: bytes | None, block: Block) -> None:
        if key is not None:
            self.used[key] = block
            self.added += 1

    # ------------------------------------------------------------ the file

    def load(self) -> None:
        """Read the file (a missing one is an empty cache; a damaged one is removed, with a note)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError:
            data = b""
        try:
            self.old = _parse(data)
        except Exception:  # damaged or another format: never trusted, whatever the failure
            self.old = {}
            self.notes.append(f"Excel 导出缓存 {self.path.name} 已损坏或来自其他版本，已丢弃" if self.zh else
                              f"the Excel export cache {self.path.name} is damaged or from another version; "
                              "discarded")
            try:
                self.path.unlink()
            except OSError:
                pass

    def save(self) -> None:
        """Write the blocks this build used, atomically (a temporary file, then a rename); nothing when they
        are the file's blocks, in its order."""
        if not self.added and self.path.exists() and list(self.used) == list(self.old):
            return
        index: list[bytes] = []
        pieces: list[bytes | memoryview] = []
        offset = 0
        for key, b in self.used.items():
            n = len(b.piece.data)
            index.append(_ENTRY.pack(key, offset, n, b.piece.size, b.piece.crc, b.rows))
            pieces.append(b.piece.data)
            offset += n
        body = [struct.pack("<I", len(index)), *index]
        h = hashlib.sha1()
        for part in (*body, *pieces):
            h.update(part)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".tmp-{os.getpid()}")
        try:
            with tmp.open("wb") as fh:
                fh.write(_HEAD.pack(MAGIC, h.digest(), len(index)))
                for part in (*body, *pieces):
                    fh.write(part)
            os.replace(tmp, self.path)
        except OSError:  # a cache that cannot be written only costs time
            try:
                tmp.unlink()
            except OSError:
                pass


def _parse(data: bytes) -> dict[bytes, Block]:
    magic, digest, count = _HEAD.unpack_from(data, 0)
    if magic != MAGIC:
        raise ValueError("format")
    view = memoryview(data)
    if hashlib.sha1(view[_HEAD.size:]).digest() != digest:
        raise ValueError("checksum")
    (count2,) = struct.unpack_from("<I", data, _HEAD.size)
    start = _HEAD.size + 4
    base = start + count * _ENTRY.size
    if count2 != count or base > len(data):
        raise ValueError("index")
    out: dict[bytes, Block] = {}
    end = len(data) - base
    for key, offset, n, size, crc, rows in _ENTRY.iter_unpack(view[start:base]):
        if offset + n > end:
            raise ValueError("block")
        out[key] = Block(Piece(view[base + offset:base + offset + n], size, crc), rows)
    return out


def salt(config: Config, as_of: date, prefix: str, code: str) -> bytes:
    """What every block of one site folder's export depends on besides its records."""
    parts = {"format": FORMAT, "version": __version__, "code": code, "config": repr(config),
             "as_of": as_of.isoformat(), "zlib": zlib.ZLIB_RUNTIME_VERSION, "python": sys.version,
             "prefix": prefix}
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).digest()


@dataclass
class ExportCaches:
    """The block caches of one build (one per site folder), in <state>/cache/export."""

    folder: Path
    sources: Mapping[str, str]
    as_of: date
    code: str
    zh: bool = True
    opened: dict[str, BlockCache] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        return [n for c in self.opened.values() for n in c.notes]

    def __getstate__(self) -> dict[str, Any]:
        # a rendering process started with spawn opens the caches itself (the loaded blocks are views of
        # the file's bytes, which do not pickle); the entries are right or absent, so it writes the same export
        state = dict(self.__dict__)
        state["opened"] = {}
        return state

    def for_part(self, prefix: str, config: Config) -> BlockCache:
        name = hashlib.sha1(prefix.encode("utf-8")).hexdigest()[:16] + SUFFIX
        cache = BlockCache(self.folder / name, salt(config, self.as_of, prefix, self.code), self.sources, self.zh)
        cache.load()
        self.opened[name] = cache
        return cache

    def prune(self) -> None:
        """Remove the caches of site folders this build did not write, and temporary files left behind."""
        if not self.folder.is_dir():
            return
        for p in self.folder.iterdir():
            if p.name not in self.opened:
                try:
                    p.unlink()
                except OSError:
                    pass


def open_export_caches(config: Config, as_of: date, sources: Mapping[str, str], code: str) -> ExportCaches:
    return ExportCaches(config.state_dir / "cache" / "export", sources, as_of, code, config.language != "en")
