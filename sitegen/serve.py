"""`sitegen serve`: build, serve the site on localhost, rebuild and reload the open page on every change.

Watched: the input folder, sitegen.yaml and the layouts folder (with watchfiles). Excel and WPS lock and
temporary files are ignored, and a workbook is built only once its size has stopped changing, so a file
being saved is not read half-way; if it is, the reader reports it unreadable and the build keeps its
last good data. The live-reload script is added to pages as they are served, never to the built files.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .config import Config, ConfigError, load_config

RELOAD_PATH = "/__sitegen__/version"
_SNIPPET = (
    "<script>(function(){var v=null;function poll(){var x=new XMLHttpRequest();"
    f"x.open('GET','{RELOAD_PATH}',true);x.onload=function(){{if(v!==null&&x.responseText!==v){{location.reload();}}"
    "v=x.responseText;};x.onloadend=function(){setTimeout(poll,1000);};x.send();}poll();})();</script>"
)
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
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            if self.path == RELOAD_PATH:
                body = str(state.version).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            path = self.translate_path(self.path)
            if Path(path).is_dir():
                path = str(Path(path) / "index.html")
            if path.endswith(".html") and Path(path).is_file():
                html = Path(path).read_bytes()
                marker = b"</body>"
                at = html.rfind(marker)
                html = html[:at] + _SNIPPET.encode() + html[at:] if at >= 0 else html + _SNIPPET.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)
                return
            super().do_GET()

    return functools.partial(Handler, directory=str(root))  # type: ignore[return-value]


def serve(config: Config, *, port: int = 8000, as_of: date | None = None,
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
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(out, state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"网站预览：http://127.0.0.1:{server.server_address[1]}/ （按 Ctrl+C 结束）" if zh
         else f"Preview: http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)")
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
