"""`sitegen serve` serves the site folder and nothing else (issue 16): the pages' policy as a header, no folder
listings, 400 for malformed paths without a traceback, 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import http.client
import http.server
import inspect
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.cli import parser as build_parser
from sitegen.security import site_policy
from sitegen.serve import RELOAD_PATH, RELOAD_SCRIPT, _State, make_handler, serve


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    (site / "empty").mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;">'
        "</head><body><p>首页</p></body></html>", encoding="utf-8")
    (site / "data" / "accounts.json").write_text("[]", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the site", encoding="utf-8")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, _State()))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield "127.0.0.1", srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def get(server: tuple[str, int], path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*server, timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)  # the path as given: not re-quoted
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def test_pages_and_files_carry_the_policy_as_a_header(server: tuple[str, int]) -> None:
    for path in ("/", "/index.html", "/data/accounts.json", RELOAD_SCRIPT):
        status, headers, _ = get(server, path)
        assert status == 200, path
        assert headers["content-security-policy"].startswith(site_policy(connect=True)), path
        assert "frame-ancestors 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_served_pages_get_the_reload_script_as_a_file_never_inline(server: tuple[str, int]) -> None:
    _, _, body = get(server, "/index.html")
    page = body.decode("utf-8")
    assert f'<script src="{RELOAD_SCRIPT}" data-poll="{RELOAD_PATH}"></script>' in page
    assert "<script>" not in page
    # the meta policy is the served one (it lets the reload script poll the server)
    assert f'content="{site_policy(connect=True)}"' in page
    status, headers, script = get(server, RELOAD_SCRIPT)
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"XMLHttpRequest" in script


def test_no_folder_listing(server: tuple[str, int]) -> None:
    for path in ("/data/", "/data", "/empty/"):
        status, _, body = get(server, path)
        assert status == 404, path
        assert b"accounts.json" not in body


@pytest.mark.parametrize("path", ["/index.html%00.txt", "/%00", "/index.html%0a", "/%ff%fe", "/../secret.txt",
                                  "/data/..%2f..%2fsecret.txt", "/data%5c..%5c..%5csecret.txt", "index.html"])
def test_malformed_paths_get_400_without_a_traceback(server: tuple[str, int], path: str,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    status, _, body = get(server, path)
    assert status == 400, (path, status)
    assert b"outside the site" not in body
    assert get(server, path, "HEAD")[0] == 400
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err


def test_binds_to_localhost_unless_told_otherwise() -> None:
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert build_parser().parse_args(["serve", "--host", "0.0.0.0"]).host == "0.0.0.0"
