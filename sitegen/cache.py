"""The incremental read cache, in the state folder (never in the input).

One entry per workbook path: the `WorkbookResult` of its last successful read, keyed on the file's
content digest, the settings that change how it is read and sitegen's version. The as-of date matters
only where it gave a value its year (a date typed without its year, 11月3日, takes the as-of date's year
or the year before): an entry records those values, and is re-used on another date when each of them
reads the same there. So workbooks are not read again each time the date moves on. A hit skips reading
the workbook. An entry whose key differs is a miss; an entry that cannot be loaded
(damaged, from another version) is discarded with a note. The entry of a workbook that became
unreadable is kept: it is the workbook's "last good data" (see build.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import __version__
from .config import Config
from .forms import BASE_FORMS
from .normalise import same_reading
from .privacy import RULES_DIGEST
from .read.discover import InputFile
from .read.extract import WorkbookResult, file_digest

CACHE_FORMAT = 3  # 2: a JSON line (key, path, as-of) before the pickled result; rows packed; 3: the
# as-of date out of the key, the values it gave a year listed ("dated" in the JSON line)


def read_fingerprint(config: Config, as_of: date | None = None) -> str:
    """Everything that changes how a workbook is read into rows, but the as-of date (see the module)."""
    relevant = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "language": config.language,
        "stages": [s.name for s in config.stages],
        "stage_aliases": sorted(config.stage_aliases.items()),
        "private": list(config.private_fields),
        "public": list(config.public_fields),
        "privacy": RULES_DIGEST,  # the built-in private-by-meaning rules (privacy.py)
        "scores": list(config.score_dimensions),
        "aliases": config.aliases,
        "value_aliases": config.value_aliases,
        "owner": [config.default_owner, config.owner_from_folder],
        "money_scale": config.money_scale,
        "max_text": config.max_text_length,
        "ids_from_names": config.account_id_from_name,
        # the forms' columns: a new column is read into a value, not kept as an extra field
        "forms": [(f.key, [c.key for c in f.columns]) for f in BASE_FORMS],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass
class Entry:
    key: str  # fingerprint + digest
    result: WorkbookResult
    as_of: str  # the build that read it (for "数据截至")


@dataclass(frozen=True)
class CacheWriter:
    """Writes entries; small and picklable, so that the reading processes store what they read themselves
    (the build then never pickles a result a second time)."""

    folder: Path
    fingerprint: str
    as_of: str

    def path(self, rel: str) -> Path:
        return self.folder / (hashlib.sha1(rel.encode("utf-8")).hexdigest() + ".pkl")

    def write(self, result: WorkbookResult, payload: bytes) -> None:
        """Store `payload` (the pickled result). An unreadable file's result is never stored: the entry
        keeps the workbook's last good data."""
        if result.unreadable:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        p = self.path(result.rel)
        meta = json.dumps({"key": self.fingerprint + result.digest, "rel": result.rel, "as_of": self.as_of,
                           "dated": [list(k) for k in result.as_of_keys]}, ensure_ascii=False).encode("utf-8")
        tmp = p.with_name(p.name + f".tmp-{os.getpid()}")
        with tmp.open("wb") as fh:
            fh.write(_header())
            fh.write(meta + b"\n")
            fh.write(payload)
        os.replace(tmp, p)


@dataclass
class ReadCache:
    folder: Path
    fingerprint: str
    as_of: str = ""
    discarded: list[str] = field(default_factory=list)  # entries found damaged or from another version
    lang: str = "zh"
    hits: int = 0
    misses: int = 0

    @property
    def notes(self) -> list[str]:
        """What to tell the user: a line per discarded entry, or one line for many (a new version)."""
        en = self.lang == "en"
        if len(self.discarded) > 3:
            return [f"{len(self.discarded)} cache files were damaged or from another version and were discarded "
                    "(those workbooks were read again)" if en else
                    f"{len(self.discarded)} 个缓存文件已损坏或来自其他版本，已丢弃（这些工作簿已重新读取）"]
        return [f"cache file {name} was damaged or from another version and was discarded" if en else
                f"缓存文件 {name} 已损坏或来自其他版本，已丢弃" for name in self.discarded]

    @property
    def writer(self) -> CacheWriter:
        return CacheWriter(self.folder, self.fingerprint, self.as_of)

    def _path(self, rel: str) -> Path:
        return self.writer.path(rel)

    def load(self, rel: str, key: str | None = None) -> Entry | None:
        """The entry of `rel`; with `key`, only when its key is that (else None, without unpickling)."""
        p = self._path(rel)
        if not p.exists():
            return None
        try:
            with p.open("rb") as fh:
                if fh.read(16) != _header():
                    raise ValueError("format")
                meta = json.loads(fh.readline())
                if meta.get("rel") != rel:
                    raise ValueError("path")
                if key is not None and (meta.get("key") != key or not self._same_reading(meta)):
                    return None  # another content or settings, or a date without its year now reads otherwise
                result = pickle.load(fh)
            if not isinstance(result, WorkbookResult) or result.rel != rel:
                raise ValueError("type")
            return Entry(str(meta["key"]), result, str(meta["as_of"]))
        except Exception:  # a damaged cache is never trusted, whatever the failure
            self.discarded.append(p.name)
            try:
                p.unlink()
            except OSError:
                pass
            return None

    def _same_reading(self, meta: dict[str, object]) -> bool:
        """Whether the values the entry's as-of date gave a year read the same on this build's date."""
        read_on, keys = meta.get("as_of"), meta.get("dated")
        if read_on == self.as_of:
            return True
        if not isinstance(read_on, str) or not isinstance(keys, list) or not self.as_of:
            return False
        try:
            parsed = [(str(k[0]), int(k[1]), int(k[2])) for k in keys]
            return same_reading(parsed, date.fromisoformat(read_on), date.fromisoformat(self.as_of))
        except (TypeError, ValueError, IndexError):
            return False

    def get(self, f: InputFile, digest: str) -> WorkbookResult | None:
        entry = self.load(f.rel, self.fingerprint + digest)
        if entry is not None:
            self.hits += 1
            return entry.result
        self.misses += 1
        return None

    def put(self, result: WorkbookResult, as_of: date) -> None:
        CacheWriter(self.folder, self.fingerprint, as_of.isoformat()).write(
            result, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def _seen_path(self) -> Path:
        return self.folder / "seen.json"

    def last_seen(self) -> dict[str, str]:
        """Workbook -> the as-of date of the last build that read it whole (from the cache or the file)."""
        try:
            data = json.loads(self._seen_path().read_text(encoding="utf-8"))
            if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
                return data
        except (OSError, ValueError):
            pass
        return {}

    def confirm(self, good: set[str], present: set[str]) -> None:
        """Record that the workbooks `good` were read whole for this as-of date (the others present keep
        their date: their data is as of then)."""
        seen = {rel: day for rel, day in self.last_seen().items() if rel in present}
        seen.update({rel: self.as_of for rel in good})
        if not self.folder.is_dir():
            return
        p = self._seen_path()
        tmp = p.with_name(p.name + f".tmp-{os.getpid()}")
        try:
            tmp.write_text(json.dumps(seen, ensure_ascii=False, sort_keys=True), encoding="utf-8")
            os.replace(tmp, p)
        except OSError:
            pass

    def prune(self, keep: set[str]) -> None:
        """Remove entries of workbooks that are no longer in the input (deleted on purpose)."""
        if not self.folder.is_dir():
            return
        wanted = {self._path(rel).name for rel in keep}
        for p in self.folder.glob("*.pkl"):
            if p.name not in wanted:
                try:
                    p.unlink()
                except OSError:
                    pass


def _header() -> bytes:
    return f"sitegen-cache{CACHE_FORMAT:03d}".encode("ascii")[:16].ljust(16, b" ")


def open_cache(config: Config, as_of: date) -> ReadCache:
    return ReadCache(config.state_dir / "cache" / "read", read_fingerprint(config), as_of.isoformat(),
                     lang=config.language)


def digest(f: InputFile) -> str:
    return file_digest(f.path)
