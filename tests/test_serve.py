"""`sitegen serve`: the newcomer's loop — init, fill a form, serve, save the workbook, see the page change."""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import openpyxl

from sitegen.config import load_config
from sitegen.scaffold import init_project
from sitegen.serve import RELOAD_PATH, relevant, serve


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def add_customer(path: Path, row: list[object]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.append(row)
    wb.save(path)


def customer_row(ws_path: Path, values: dict[str, object]) -> list[object]:
    ws = openpyxl.load_workbook(ws_path).worksheets[0]
    header_row = next(r for r in ws.iter_rows(min_row=1, max_row=10, values_only=True)
                      if any(isinstance(v, str) and "客户编号" in v for v in r))
    out: list[object] = []
    for h in header_row:
        label = re.sub(r"[\s*]", "", str(h or ""))
        out.append(values.get(label, None))
    return out


def test_relevant_ignores_lock_and_temporary_files() -> None:
    assert relevant("/p/input/张三/跟进表.xlsx")
    assert not relevant("/p/input/~$跟进表.xlsx")
    assert not relevant("/p/input/.~lock.跟进表.xlsx#")
    assert not relevant("/p/input/跟进表.xlsx.tmp")


def test_serve_rebuilds_and_the_page_updates_after_saving_a_workbook(tmp_path: Path) -> None:
    init_project(tmp_path)
    customer = tmp_path / "input" / "客户档案表.xlsx"
    add_customer(customer, customer_row(customer, {"客户编号": "KA-101", "客户名称": "东方明珠集团", "客户经理": "张伟",
                                                     "所属团队": "华东一组", "销售阶段": "提案", "预计金额(万元)": 80}))
    config = load_config(tmp_path / "sitegen.yaml")
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, kwargs=dict(config=config, port=0, as_of=date(2026, 11, 20),
                                                        echo=lines.append, stop=stop), daemon=True)
    thread.start()
    try:
        deadline = time.time() + 60
        while not any("http://127.0.0.1:" in ln for ln in lines) and time.time() < deadline:
            time.sleep(0.1)
        url = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines)).group(0)  # type: ignore[union-attr]
        page = fetch(url + "accounts.html")
        assert "东方明珠集团" in page and "西湖龙井集团" not in page
        assert RELOAD_PATH in page  # the live-reload script is added when served …
        assert RELOAD_PATH not in (tmp_path / "output" / "accounts.html").read_text(encoding="utf-8")  # … not built in
        version = fetch(url + RELOAD_PATH.lstrip("/"))

        add_customer(customer, customer_row(customer, {"客户编号": "KA-102", "客户名称": "西湖龙井集团", "客户经理": "张伟",
                                                         "所属团队": "华东一组", "销售阶段": "立项"}))
        (tmp_path / "input" / "~$客户档案表.xlsx").write_bytes(b"lock file while Excel has it open")
        deadline = time.time() + 60
        while fetch(url + RELOAD_PATH.lstrip("/")) == version and time.time() < deadline:
            time.sleep(0.2)
        assert fetch(url + RELOAD_PATH.lstrip("/")) != version, lines
        assert "西湖龙井集团" in fetch(url + "accounts.html")
        assert any("已重新生成" in ln for ln in lines)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
