"""The jinja2 environment: a project's layouts/ first, then the built-in templates; autoescape on.

`{% extends "default:account.html" %}` in a project template reaches the built-in original, so a
department can override one block without copying the whole page. The environment is made once per build
and compiles each template once.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from ..security import site_policy

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


_SCRIPT_REPLACES = tuple((chr(k), v) for k, v in _SCRIPT_ESCAPES.items())


def json_compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def json_for_script(obj: Any) -> Markup:
    """JSON safe inside <script>: `</script>`, `<!--`, `&` and line separators cannot break out."""
    text = json_compact(obj)
    # str.replace runs in C: five passes over a 3 MB search index cost less than one translate() pass
    for char, escaped in _SCRIPT_REPLACES:
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)


def money(value: float | None, digits: int = 1) -> str:
    """万元 with thousands separators: one decimal below 1,000 (none when whole), none above; '—' when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 1000 or abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    text = f"{value:,.{digits}f}"
    return text[:-2] if text.endswith(".0") else text


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


def isodate(value: date | None) -> str:
    return value.isoformat() if value else "—"


def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and abs(value - round(value)) > 1e-9:
        return f"{value:,.1f}"
    return f"{round(value):,}"


class TemplateCache(BytecodeCache):
    """Compiled templates in the state folder (`sitegen build` passes <state>/cache/templates/<code digest>):
    a build loads them instead of compiling every template again. Jinja checks each entry against its
    template's source; an entry that is damaged or unreadable is compiled again, never trusted; a folder
    that cannot be written only means nothing is kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.bin"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._file(bucket).read_bytes()
        except OSError:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # noqa: BLE001 - truncated or foreign bytes: compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        target = self._file(bucket)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(bucket.bytecode_to_string())
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def template_cache_dir(root: Path, code: str) -> Path:
    """<root>/<digest>: compiled templates are Python code of this version of sitegen (whose code holds the
    environment's settings), of jinja2 and of Python. Folders of other versions are removed."""
    import hashlib
    import sys

    import jinja2

    key = f"{code}|{jinja2.__version__}|{sys.version_info[:2]}"
    here = root / hashlib.sha1(key.encode()).hexdigest()[:16]
    try:
        for old in root.iterdir():
            if old != here and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
    return here


def precompile(env: Environment) -> None:
    """Compile (or load) every template now, in the build process, so that the rendering processes it forks
    inherit them instead of each compiling its own. A template that does not compile is left for the
    rendering, which reports the mistake with its place."""
    for name in env.list_templates(extensions=["html"]):
        if ":" in name:  # "default:x.html" is the built-in x.html, compiled when a layout extends it
            continue
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001, S112 - reported where the page is rendered
            continue


def make_env(layouts_dir: Path | None, bytecode: Path | None = None) -> Environment:
    """`bytecode`: a folder for compiled templates (TemplateCache); None compiles them in memory only."""
    builtin = PackageLoader("sitegen", "templates")
    loaders: list[Any] = []
    if layouts_dir is not None and layouts_dir.is_dir():
        loaders.append(FileSystemLoader(str(layouts_dir)))
    loaders.append(PrefixLoader({"default": builtin}, delimiter=":"))
    loaders.append(builtin)
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=TemplateCache(bytecode) if bytecode is not None else None,
    )
    env.filters.update(json_script=json_for_script, money=money, percent=percent, isodate=isodate, number=number)
    env.globals["csp"] = site_policy()
    return env
