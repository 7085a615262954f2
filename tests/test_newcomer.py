"""README's "从零开始 / From nothing to a published site", step by step through the command line, as a
newcomer runs it: `sitegen init 大客户部`, fill a row into the blank customer workbook, `sitegen serve`
(a process of its own, on a free port), save the workbook with another row and see the served page change,
then `sitegen build --publish` into a folder. (Installing from the wheel into a fresh environment is
tests/test_packaging.py.) The commands are also looked up in README, so the two cannot drift apart."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from test_serve import add_customer, customer_row, fetch

from sitegen.serve import RELOAD_PATH

REPO = Path(__file__).resolve().parents[1]
FIRST = {"客户编号": "KA-101", "项目名称": "智能配电改造", "客户名称": "东方明珠集团", "客户经理": "张伟",
         "所属团队": "华东一组", "销售阶段": "提案", "预计金额(万元)": 80}
SECOND = {"客户编号": "KA-102", "客户名称": "西湖龙井集团", "客户经理": "张伟", "所属团队": "华东一组",
          "销售阶段": "立项"}


def env() -> dict[str, str]:
    return {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/")}


def sitegen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd, capture_output=True, text=True,
                       timeout=300, env=env())
    assert "Traceback" not in p.stdout + p.stderr, p.stderr
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(check: object, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s; serve said:\n{log.read_text(encoding='utf-8')}")


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 从零开始"):]
    section = section[:section.index("\n## ", 1)]
    return [line.split("#")[0].strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)
            for line in block.splitlines() if line.strip()]


def test_from_init_to_a_published_site(tmp_path: Path) -> None:
    commands = readme_commands()
    for step in ("sitegen init 大客户部", "cd 大客户部", "sitegen serve"):
        assert step in commands, commands
    publish = next(c for c in commands if c.startswith("sitegen build --publish "))

    # sitegen init 大客户部; cd 大客户部
    r = sitegen("init", "大客户部", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    project = tmp_path / "大客户部"
    book = project / "input" / "客户档案表.xlsx"
    assert book.is_file() and (project / "sitegen.yaml").is_file()

    # fill the first row below the example row, and save
    add_customer(book, customer_row(book, FIRST))

    # sitegen serve (on a free port: 8000 may be taken on the machine running the tests)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        serve = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--port", str(port)], cwd=project,
                                 stdout=out, stderr=subprocess.STDOUT, env=env(), start_new_session=True)
    try:
        until(lambda: "东方明珠集团" in fetch(url + "accounts.html"), 120, "the first account on the site", log)
        page = fetch(url + "accounts.html")
        assert "西湖龙井集团" not in page
        version = fetch(url + RELOAD_PATH.lstrip("/"))
        assert "已生成网站" in log.read_text(encoding="utf-8") and url in log.read_text(encoding="utf-8")

        # save the workbook with one more row: the site is rebuilt and the open page reloads
        add_customer(book, customer_row(book, SECOND))
        until(lambda: fetch(url + RELOAD_PATH.lstrip("/")) != version, 120, "a rebuild after saving", log)
        assert "西湖龙井集团" in fetch(url + "accounts.html")
        account = next(p for p in (project / "output" / "accounts").glob("*.html")
                       if "西湖龙井集团" in p.read_text(encoding="utf-8"))
        assert "立项" in fetch(url + f"accounts/{account.name}")
        assert "已重新生成" in log.read_text(encoding="utf-8")
    finally:
        serve.send_signal(signal.SIGINT)  # Ctrl+C
        try:
            code = serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            raise
    assert code == 0 and "Traceback" not in log.read_text(encoding="utf-8")

    # sitegen build --publish <folder>
    share = tmp_path / "share"
    args = publish.split()[1:-1] + [str(share)]
    r = sitegen(*args, cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"  已发布到：{share}" in r.stdout.splitlines()
    assert "西湖龙井集团" in (share / "accounts.html").read_text(encoding="utf-8")
    assert "东方明珠集团" in (share / "accounts.html").read_text(encoding="utf-8")
    built = sorted(p.relative_to(project / "output").as_posix() for p in (project / "output").rglob("*") if p.is_file())
    published = sorted(p.relative_to(share).as_posix() for p in share.rglob("*") if p.is_file())
    assert published == built and "index.html" in published
