"""What the last build was made of and what it wrote (`<state>/build.json`), for warm builds.

`inputs_key` digests everything a site depends on: every workbook's content (not its date), the config,
the layouts, sitegen's own code and templates, the as-of date, the weekly history before this week and
the output folder. When the key equals the last build's and the output (and the feedback and published
copies) is exactly as the last build left it, nothing can come out differently: the build stops there.
Otherwise the manifest still gives the page fingerprints of the last build (render/parallel.py re-uses
unchanged account pages).

A manifest that cannot be read (damaged, another version) is discarded with a note, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .history import history_dir, week_key
from .issues import Issue
from .names import shown
from .read.discover import InputFile
from .read.extract import file_digest

FORMAT = 1


@dataclass
class Inputs:
    files: list[InputFile]
    skipped: list[Issue]
    digests: dict[str, str]  # rel -> sha256 of the content ("" when it cannot be read)
    key: str = ""


def digest_inputs(files: list[InputFile]) -> dict[str, str]:
    out = {}
    for f in files:
        try:
            out[f.rel] = file_digest(f.path)
        except OSError:
            out[f.rel] = ""
    return out


def inputs_key(config: Config, as_of: date, inputs: Inputs, output: Path, code: str, layouts: str) -> str:
    this_week = f"{week_key(as_of)}.json.gz"
    past = []
    baseline = [config.path(config.history_baseline)] if config.history_baseline is not None else []
    for history in (history_dir(config), *baseline):
        if history.is_dir():
            for p in sorted(history.iterdir()):
                if p.is_file() and p.name != this_week:
                    past.append((p.name, hashlib.sha1(p.read_bytes()).hexdigest()))
    parts = {
        "format": FORMAT, "version": __version__, "code": code, "layouts": layouts, "config": repr(config),
        "as_of": as_of.isoformat(), "output": str(output), "inputs": sorted(inputs.digests.items()),
        "skipped": [repr(i) for i in inputs.skipped], "history": past,
    }
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under folder: relative path -> (size, mtime_ns)."""
    out: dict[str, tuple[int, int]] = {}
    if not folder.is_dir():
        return out
    stack = [(folder, "")]
    while stack:
        here, prefix = stack.pop()
        with os.scandir(here) as it:
            for e in it:
                name = shown(e.name)  # a name in GBK bytes: the record is UTF-8
                if e.is_dir(follow_symlinks=False):
                    stack.append((Path(e.path), prefix + name + "/"))
                else:
                    st = e.stat(follow_symlinks=False)
                    out[prefix + name] = (st.st_size, st.st_mtime_ns)
    return out


@dataclass
class Manifest:
    key: str
    output: str
    files: dict[str, tuple[int, int]]  # the output as written
    pages: dict[str, tuple[str, int, int]]  # account page -> (fingerprint, size, mtime_ns)
    summary: dict[str, Any]  # what the build printed: counts, notes
    history_file: tuple[str, str]  # this week's snapshot: (name, sha1)
    feedback: dict[str, tuple[int, int]] = field(default_factory=dict)
    feedback_dir: str = ""
    published: str = ""
    published_files: dict[str, tuple[int, int]] = field(default_factory=dict)


class BuildState:
    def __init__(self, config: Config) -> None:
        self.path = config.state_dir / "build.json"
        self.notes: list[str] = []
        self.zh = config.language != "en"

    def load(self) -> Manifest | None:
        if not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("version") != __version__:
                raise ValueError("version")
            m = Manifest(
                key=str(data["key"]), output=str(data["output"]),
                files={k: (int(v[0]), int(v[1])) for k, v in data["files"].items()},
                pages={k: (str(v[0]), int(v[1]), int(v[2])) for k, v in data["pages"].items()},
                summary=dict(data["summary"]), history_file=(str(data["history_file"][0]), str(data["history_file"][1])),
                feedback={k: (int(v[0]), int(v[1])) for k, v in data["feedback"].items()},
                feedback_dir=str(data["feedback_dir"]), published=str(data["published"]),
                published_files={k: (int(v[0]), int(v[1])) for k, v in data["published_files"].items()},
            )
        except Exception:  # damaged or from another version: never trusted
            self.notes.append(f"构建记录 {self.path.name} 已损坏或来自其他版本，已丢弃" if self.zh
                              else f"the build record {self.path.name} is damaged or from another version; discarded")
            self.forget()
            return None
        return m

    def forget(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass

    def save(self, m: Manifest) -> None:
        data = {"format": FORMAT, "version": __version__, **m.__dict__}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)


def unchanged(m: Manifest, key: str, output: Path, config: Config, feedback_dir: Path,
              published: Path | None) -> bool:
    """The last build had these very inputs and everything it wrote is still exactly as it left it."""
    if m.key != key or m.output != str(output):
        return False
    name, sha = m.history_file
    snap = history_dir(config) / name
    try:
        if not name or hashlib.sha1(snap.read_bytes()).hexdigest() != sha:
            return False
    except OSError:
        return False
    if listing(output) != m.files:
        return False
    if m.feedback_dir and listing(Path(m.feedback_dir)) != m.feedback:
        return False
    if str(published or "") != m.published:
        return False
    return not (published is not None and listing(published) != m.published_files)


def snapshot_file(config: Config, as_of: date) -> tuple[str, str]:
    name = f"{week_key(as_of)}.json.gz"
    try:
        return name, hashlib.sha1((history_dir(config) / name).read_bytes()).hexdigest()
    except OSError:
        return "", ""
