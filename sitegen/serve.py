"""`sitegen serve`: build, serve the site on localhost, rebuild and reload the open page on every change.

Watched: the input folder, sitegen.yaml and the layouts folder (with watchfiles). Excel and WPS lock and
temporary files are ignored, and a workbook is built only once its size has stopped changing, so a file
being saved is not read half-way; if it is, the reader reports it unreadable and the build keeps its
last good data. The live-reload script is added to pages as they are served, never to the built files.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from .config import Config, ConfigError, load_config
from .security import site_policy

RELOAD_PATH = "/__sitegen__/version"
RELOAD_SCRIPT = "/__sitegen__/reload.js"
# the live reload, as a script file of its own: the pages' policy allows no inline script
_RELOAD_JS = (
    b"(function(){var url=document.currentScript.getAttribute('data-poll'),v=null;function poll(){"
    b"var x=new XMLHttpRequest();x.open('GET',url,true);x.onload=function(){if(v!==null&&x.responseText!==v)"
    b"{location.reload();}v=x.responseText;};x.onloadend=function(){setTimeout(poll,1000);};x.send();}poll();})();\n"
)
_SNIPPET = f'<script src="{RELOAD_SCRIPT}" data-poll="{RELOAD_PATH}"></script>'
_META = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
_IGNORED_PREFIXES = ("~$", ".~", "~")
_IGNORED_SUFFIXES = (".tmp", ".swp", ".part", ".crdownload")


class _State:
    def __init__(self) -> None:
        self.version = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.version += 1


def relevant(path: str) -> bool:
    name = Path(path).name
    if name.startswith(_IGNORED_PREFIXES) or name.endswith(_IGNORED_SUFFIXES) or name.startswith("."):
        return False
    return True


def wait_until_stable(paths: list[Path], *, interval: float = 0.4, tries: int = 10) -> None:
    """Wait until the files stop growing (a workbook being saved by Excel)."""
    def sizes() -> list[int]:
        out = []
        for p in paths:
            try:
                out.append(p.stat().st_size)
            except OSError:
                out.append(-1)
        return out

    last = sizes()
    for _ in range(tries):
        time.sleep(interval)
        now = sizes()
        if now == last:
            return
        last = now


def make_handler(root: Path, state: _State) -> type[http.server.SimpleHTTPRequestHandler]:
    """Serves the site folder and nothing else: no folder listings, no path outside it, 400 for a malformed
    path (`/index.html%00.txt`), the pages' Content-Security-Policy as a header too."""
    served_policy = site_policy(connect=True)  # the pages' own, plus polling the server (the live reload)
    header_policy = served_policy + "; frame-ancestors 'self'"

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", header_policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            super().end_headers()

        def list_directory(self, path: str | os.PathLike[str]) -> None:  # type: ignore[override]
            self.send_error(404)  # a folder without index.html: never a listing of its files
            return None

        def _bad(self) -> bool:
            raw = self.path.split("?", 1)[0].split("#", 1)[0]
            try:
                path = unquote(raw, errors="strict")
            except UnicodeDecodeError:
                return True
            if not path.startswith("/") or "\\" in path or any(ord(c) < 32 or c == "\x7f" for c in path):
                return True
            return any(part == ".." for part in path.split("/"))

        def _send(self, body: bytes, ctype: str, head: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            self._get(head=True)

        def do_GET(self) -> None:  # noqa: N802
            self._get(head=False)

        def _get(self, head: bool) -> None:
            if self._bad():
                self.send_error(400)
                return
            try:
                if self.path == RELOAD_PATH:
                    self._send(str(state.version).encode(), "text/plain", head)
                    return
                if self.path == RELOAD_SCRIPT:
                    self._send(_RELOAD_JS, "text/javascript; charset=utf-8", head)
                    return
                path = self.translate_path(self.path)
                if Path(path).is_dir():
                    if not (Path(path) / "index.html").is_file():
                        self.send_error(404)  # never a listing of the folder's files
                        return
                    if not self.path.split("?", 1)[0].endswith("/"):  # relative links need the slash
                        self.send_response(301)
                        self.send_header("Location", self.path.split("?", 1)[0] + "/")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    path = str(Path(path) / "index.html")
                if path.endswith(".html") and Path(path).is_file():
                    html = _META.sub(f'<meta http-equiv="Content-Security-Policy" content="{served_policy}">'
                                     .encode(), Path(path).read_bytes(), count=1)
                    marker = b"</body>"
                    at = html.rfind(marker)
                    html = html[:at] + _SNIPPET.encode() + html[at:] if at >= 0 else html + _SNIPPET.encode()
                    self._send(html, "text/html; charset=utf-8", head)
                    return
                if head:
                    super().do_HEAD()
                else:
                    super().do_GET()
            except (OSError, ValueError):  # a path the file system cannot take: a bad request, no traceback
                self.send_error(400)

    return functools.partial(Handler, directory=str(root))  # type: ignore[return-value]


def serve(config: Config, *, port: int = 8000, host: str = "127.0.0.1", as_of: date | None = None,
          echo: Callable[[str], None] = print, stop: threading.Event | None = None,
          config_path: Path | None = None) -> int:
    from watchfiles import watch

    from .build import BuildOptions, build

    state = _State()
    zh = config.language != "en"

    def rebuild(cfg: Config, first: bool = False) -> None:
        t0 = time.perf_counter()
        result = build(cfg, BuildOptions(as_of=as_of or date.today(), quiet=True), echo=None)
        state.bump()
        secs = time.perf_counter() - t0
        if first:
            echo(f"已生成网站（{secs:.1f} 秒）" if zh else f"built in {secs:.1f} s")
        else:
            echo(f"已重新生成（{secs:.1f} 秒），浏览器会自动刷新" if zh else f"rebuilt in {secs:.1f} s; the browser reloads")
        if result.errors or result.warnings:
            echo(f"数据错误 {result.errors} 个，警告 {result.warnings} 个，见数据质量页 quality.html" if zh
                 else f"{result.errors} data errors, {result.warnings} warnings: see the quality page")

    rebuild(config, first=True)
    out = config.output_dir
    server = http.server.ThreadingHTTPServer((host, port), make_handler(out, state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shown = host if host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    echo(f"网站预览：http://{shown}:{server.server_address[1]}/ （按 Ctrl+C 结束）" if zh
         else f"Preview: http://{shown}:{server.server_address[1]}/ (Ctrl+C to stop)")
    cfg_file = config_path or (config.root / "sitegen.yaml")
    watched = [p for p in (config.input_dir, config.layouts_dir, cfg_file) if p.exists()]
    stop = stop or threading.Event()
    try:
        for changes in watch(*watched, stop_event=stop, watch_filter=lambda _c, p: relevant(p), debounce=800):
            wait_until_stable([Path(p) for _c, p in changes])
            try:
                config = load_config(cfg_file) if cfg_file.exists() else config
            except ConfigError as exc:
                echo(f"配置错误，未重新生成：{exc}" if zh else f"configuration error, not rebuilt: {exc}")
                continue
            try:
                rebuild(config)
            except Exception as exc:  # keep serving the last good site whatever happens
                echo(f"重新生成失败：{exc}" if zh else f"rebuild failed: {exc}")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
