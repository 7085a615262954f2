"""Nothing leaked (issue 7 §4): the private fields appear nowhere in the published site.

The demo department (a copy of input/) is built twice:
  1. with the default configuration, after adding an extra column `身份证号` (ID-card numbers) to one
     key-person sheet — a column the configuration does not name, withheld by its meaning (privacy.py);
  2. with `private_fields` extended by `个人需求` and `身份证号`, and two audiences (one team, everyone).

The private values are read straight from the workbooks with openpyxl, independently of sitegen's reader:
in every sheet with a header row, the columns 电话, 邮箱, 生日, 籍贯, 爱好, 家庭情况 (and the aliases the demo
uses, e.g. 手机); in the customer cards, the value cell right of such a label. That covers the key-person
sheets and the customer file's 电话. Values shorter than 4 characters (`未婚`, `钓鱼`, `书法`) are skipped:
such words are too generic to mean anything when found (the count of skipped values is asserted small).

Every output file is searched: pages, scripts, JSON, CSS, and every part inside data/export.xlsx (the zip
is opened and its XML searched). Each file is searched as written, with HTML entities decoded, with JSON
`\\uXXXX` escapes decoded and with URL %-escapes decoded, so that an escaped copy of a value counts as
found. A value that starts or ends with a letter or digit must not continue into another one there
(`1月3日` is not found inside `11月3日`). `test_the_search_finds_planted_values` shows the search finding
values planted in each of these forms, and build 1 shows it finding the `个人需求` values in a real site.

The state folder: history snapshots must hold no private value; the read cache does hold them (it keeps
each workbook's rows as its last good data), which docs/security.md states: the state folder (like the
feedback folder) must never be published. A `feedback` folder set inside the output or the publish folder
must not put the feedback workbooks (copies with every private field) into the site.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import html
import io
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from sitegen.build import BuildOptions, build
from sitegen.config import load_config

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 20)
MIN_LENGTH = 4
DEFAULT_PRIVATE = ("电话", "邮箱", "生日", "籍贯", "爱好", "家庭情况")
ALIASES = {  # canonical label -> the headers that mean it (domain.md and the demo's spellings)
    "电话": ("电话", "手机", "手机号", "手机号码", "联系电话", "联系方式", "总机"),
    "邮箱": ("邮箱", "电子邮件", "邮件地址", "email"),
    "生日": ("生日", "出生日期"),
    "籍贯": ("籍贯", "老家"),
    "爱好": ("爱好", "兴趣爱好", "兴趣"),
    "家庭情况": ("家庭情况", "家庭", "家庭成员"),
    "个人需求": ("个人需求",),
    "身份证号": ("身份证号",),
}
ID_SHEET = ("华东一组/宋丹琴.xlsx", "关键人分析")  # where the extra column 身份证号 is added


# ---------------------------------------------------------------- private values, read with openpyxl

def _forms(v: object) -> list[str]:
    """The ways a cell value could be written out."""
    if isinstance(v, datetime):
        v = v.date()
    if isinstance(v, date):
        return [v.isoformat(), f"{v.year}/{v.month}/{v.day}", f"{v.year}年{v.month}月{v.day}日"]
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return [s] if s else []


def private_values(root: Path, labels: Iterable[str]) -> dict[str, set[str]]:
    """{value: {canonical labels}} of the given private columns in every workbook below root."""
    wanted = {alias: label for label in labels for alias in ALIASES[label]}
    out: dict[str, set[str]] = {}

    def add(label: str, v: object) -> None:
        for f in _forms(v):
            out.setdefault(f, set()).add(label)

    for path in sorted(root.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            header = next((i for i, r in enumerate(rows[:10])
                           if sum(1 for v in r if isinstance(v, str) and v.strip()) >= 5), None)
            if header is not None:  # a table: the private columns of its header
                cols = {c: wanted[v.strip()] for c, v in enumerate(rows[header])
                        if isinstance(v, str) and v.strip() in wanted}
                for r in rows[header + 1:]:
                    for c, label in cols.items():
                        if c < len(r) and r[c] is not None:
                            add(label, r[c])
            else:  # a card: label cells, each followed by its value
                for r in rows:
                    for c, v in enumerate(r[:-1]):
                        if isinstance(v, str) and v.strip() in wanted and r[c + 1] is not None:
                            add(wanted[v.strip()], r[c + 1])
        wb.close()
    return out


def meaningful(values: dict[str, set[str]]) -> dict[str, set[str]]:
    return {v: labels for v, labels in values.items() if len(v) >= MIN_LENGTH}


# ---------------------------------------------------------------- searching a folder

def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """The searchable texts of a file: zip members and gzip contents opened, escapes decoded."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    yield from _texts(f"{name}!{member}", z.read(member))
            return
        except zipfile.BadZipFile:
            pass
    if data[:2] == b"\x1f\x8b":
        yield from _texts(f"{name}!gunzip", gzip.decompress(data))
        return
    text = data.decode("utf-8", "replace")
    yield name, text
    decoded = {
        "html-entities": html.unescape(text) if "&" in text else text,
        "json-escapes": re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text),
        "url-escapes": unquote(text) if "%" in text else text,
    }
    for how, t in decoded.items():
        if t != text:
            yield f"{name} ({how} decoded)", t


def _word(c: str) -> bool:
    return c.isascii() and c.isalnum()


@dataclass
class Corpus:
    """Every text of a folder, searchable for many values at once."""

    names: list[str]
    text: str  # all texts joined by NUL
    starts: list[int]

    @classmethod
    def of(cls, root: Path, skip: Iterable[Path] = ()) -> Corpus:
        skipped = [p.resolve() for p in skip]
        names, parts, starts, pos = [], [], [], 0
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if any(s == path.resolve() or s in path.resolve().parents for s in skipped):
                continue
            for name, text in _texts(path.relative_to(root).as_posix(), path.read_bytes()):
                names.append(name)
                parts.append(text)
                starts.append(pos)
                pos += len(text) + 1
        assert names, f"nothing to search in {root}"
        return cls(names, "\0".join(parts), starts)

    def find(self, needles: Iterable[str]) -> dict[str, list[str]]:
        """{needle: [files where it occurs]} for the needles found (each at least MIN_LENGTH long)."""
        by_prefix: dict[str, list[str]] = {}
        for n in set(needles):
            assert len(n) >= MIN_LENGTH, n
            by_prefix.setdefault(n[:PREFIX], []).append(n)
        if not by_prefix:
            return {}
        pattern = re.compile(_trie(by_prefix))
        text = self.text
        hits: dict[str, list[str]] = {}
        pos = 0
        while m := pattern.search(text, pos):
            i = pos = m.start()
            pos += 1  # matches may overlap
            for n in by_prefix[m.group()]:
                j = i + len(n)
                if not text.startswith(n, i):
                    continue
                if _word(n[0]) and i > 0 and _word(text[i - 1]):
                    continue
                if _word(n[-1]) and j < len(text) and _word(text[j]):
                    continue
                name = self.names[bisect.bisect_right(self.starts, i) - 1]
                if name not in hits.setdefault(n, []):
                    hits[n].append(name)
        return hits


PREFIX = MIN_LENGTH  # the needles are indexed by their first characters


def _trie(words: Iterable[str]) -> str:
    """A regular expression matching any of the words (all of the same length), as a trie: at each position
    the engine follows one branch per character instead of trying every word."""
    tree: dict[str, dict] = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})

    def walk(node: dict[str, dict]) -> str:
        if not node:
            return ""
        branches = [re.escape(c) + walk(child) for c, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return walk(tree)


def report(hits: dict[str, list[str]], values: dict[str, set[str]]) -> str:
    lines = [f"{v!r} ({'/'.join(sorted(values.get(v, ())))}) in {files[:3]}" for v, files in sorted(hits.items())]
    return f"{len(hits)} private values published:\n" + "\n".join(lines[:20])


# ---------------------------------------------------------------- the builds

def id_number(i: int) -> str:
    """A fake 18-character resident ID number (region, birth date, sequence, check character)."""
    return f"330106{1960 + i % 35}{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}X"


def add_id_column(root: Path) -> list[str]:
    """Append a 身份证号 column to one key-person sheet; returns the numbers written."""
    path = root / ID_SHEET[0]
    wb = openpyxl.load_workbook(path)
    ws = wb[ID_SHEET[1]]
    col = ws.max_column + 1
    assert ws.cell(1, 1).value == "客户编号"
    ws.cell(1, col, "身份证号")
    numbers = []
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value:
            numbers.append(id_number(r))
            ws.cell(r, col, numbers[-1])
    wb.save(path)
    return numbers


@dataclass
class Built:
    project: Path
    output: Path
    values: dict[str, set[str]]  # every private value of the input, short ones included
    ids: list[str]

    @property
    def needles(self) -> dict[str, set[str]]:
        return meaningful(self.values)

    @functools.cached_property
    def corpus(self) -> Corpus:
        return Corpus.of(self.output)


def _build(tmp: Path, config: str) -> Built:
    project = tmp / "project"
    shutil.copytree(REPO / "input", project / "input")
    ids = add_id_column(project / "input")
    (project / "sitegen.yaml").write_text(config, encoding="utf-8")
    result = build(load_config(project / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    assert result.exit_code == 0 and result.pages > 50
    values = private_values(project / "input", ALIASES)
    return Built(project, result.output_dir, values, ids)


@pytest.fixture(scope="module")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("default"), "title: 大客户部\n")


@pytest.fixture(scope="module")
def custom_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("custom"), (
        "title: 大客户部\n"
        f"private_fields: [{', '.join(DEFAULT_PRIVATE)}, 个人需求, 身份证号]\n"
        "audiences:\n"
        "  - {name: east, title: 华东一组, teams: [华东一组]}\n"
        "  - {name: all, title: 全部门}\n"
    ))


def _of(built: Built, labels: Iterable[str]) -> dict[str, set[str]]:
    want = set(labels)
    return {v: ls for v, ls in built.needles.items() if ls & want}


# ---------------------------------------------------------------- the tests

def test_the_private_values_were_read(default_build: Built) -> None:
    values = default_build.values
    per_label = Counter(label for ls in default_build.needles.values() for label in ls)
    for label in DEFAULT_PRIVATE:
        assert per_label[label] >= 5, per_label
    assert per_label["电话"] > 300 + 250  # key persons' mobiles and the customers' (cards and tables) numbers
    assert any(v.startswith("0") and "-" in v for v in default_build.needles)  # a customer's switchboard
    short = [v for v in values if len(v) < MIN_LENGTH]
    assert len(short) < 0.05 * len(values), short  # skipped as too generic: few of them


def test_the_search_finds_planted_values(tmp_path: Path, default_build: Built) -> None:
    """Each form a value could take in a published file is found; a value inside a longer number is not."""
    needles = sorted(_of(default_build, ["电话"]))[:1] + sorted(_of(default_build, ["家庭情况"]))[:1]
    phone, family = needles
    site = tmp_path / "site"
    shutil.copytree(default_build.output, site)
    assert Corpus.of(site).find(needles) == {}
    (site / "index.html").write_text((site / "index.html").read_text(encoding="utf-8").replace(
        "</body>", f"<p data-x=\"{html.escape(family)}\">{''.join(f'&#{ord(c)};' for c in phone)}</p></body>"),
        encoding="utf-8")
    with zipfile.ZipFile(site / "data" / "export.xlsx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    parts[sheet] = parts[sheet].replace(b"</sheetData>", f"<row><c t=\"inlineStr\"><is><t>{phone}</t></is></c>"
                                        f"</row></sheetData>".encode())
    with zipfile.ZipFile(site / "data" / "export.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    escaped = "".join(f"\\u{ord(c):04x}" for c in family)
    (site / "data" / "planted.json").write_text(f'{{"x": "{escaped}"}}', encoding="utf-8")
    (site / "data" / "planted.json.gz").write_bytes(gzip.compress(f"mailto:{phone}".encode()))
    (site / "data" / "longer.txt").write_text(f"9{phone}0 x{family}", encoding="utf-8")
    hits = Corpus.of(site).find(needles)
    assert {"data/export.xlsx!" + sheet, "data/planted.json.gz!gunzip", "index.html (html-entities decoded)"} == {
        f for f in hits[phone] if not f.startswith("index.html ") or "entities" in f}
    assert {"data/longer.txt", "data/planted.json (json-escapes decoded)", "index.html"} <= set(hits[family])
    assert "data/longer.txt" not in hits[phone]  # inside a longer number: not the phone number


def test_default_private_fields_are_nowhere_in_the_site(default_build: Built) -> None:
    needles = _of(default_build, DEFAULT_PRIVATE)
    assert len(needles) > 1000
    hits = default_build.corpus.find(needles)
    assert not hits, report(hits, needles)


def test_unlisted_columns_are_published_unless_private_by_meaning(default_build: Built) -> None:
    """Without the configuration naming them, the personal needs reach the pages: the search sees them, so
    their absence from the second build means something. The ID numbers, in a column the configuration does
    not name either, are withheld by meaning (`身份证号`, privacy.py)."""
    assert not default_build.corpus.find(default_build.ids)
    needs = _of(default_build, ["个人需求"])
    assert len(needs) >= 5  # several needs in one cell, e.g. 赏识、接纳
    assert default_build.corpus.find(needs)


def test_configured_private_fields_are_nowhere_in_any_audience_site(custom_build: Built) -> None:
    out = custom_build.output
    assert (out / "east" / "index.html").is_file() and (out / "all" / "index.html").is_file()
    needles = _of(custom_build, [*DEFAULT_PRIVATE, "个人需求", "身份证号"])
    assert set(custom_build.ids) <= set(needles)
    hits = custom_build.corpus.find([*needles, "身份证号"])
    # the header itself only where the quality page names the columns withheld (never their values)
    header = hits.pop("身份证号", [])
    assert header and all(f.split(" ")[0].endswith("quality.html") for f in header), header
    assert not hits, report(hits, needles)


def test_the_state_folder_holds_private_values_only_in_the_read_cache(default_build: Built) -> None:
    state = default_build.project / ".sitegen"
    cache = state / "cache" / "read"
    snapshots = list((state / "history").glob("*.json.gz"))
    assert snapshots and list(cache.glob("*.pkl"))
    needles = _of(default_build, DEFAULT_PRIVATE)
    hits = Corpus.of(state, skip=[cache]).find(needles)
    assert not hits, report(hits, needles)
    # the read cache keeps the rows, private fields included: the state folder must never be published
    cached = Corpus.of(cache).find(needles)
    assert len(cached) > 0.9 * len(needles)


@pytest.mark.parametrize("folder", ["output/反馈", "share/反馈"])
def test_feedback_workbooks_never_land_in_the_site(tmp_path: Path, folder: str) -> None:
    """`feedback` set inside the output or the publish folder: the copies must not be published."""
    from sitegen.demo.generate import generate_department

    project = tmp_path / "project"
    generate_department(project / "input", teams=1, reps_per_team=2, accounts=8, followups_per_account=4,
                        key_persons_per_account=2, as_of=AS_OF)  # with its data mistakes: feedback to write
    (project / "sitegen.yaml").write_text(f"title: 大客户部\npublish: share\nfeedback: {folder}\n", encoding="utf-8")
    try:
        build(load_config(project / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    except Exception as exc:  # refusing to build is fine too, if it says why
        assert "反馈" in str(exc), exc
    needles = meaningful(private_values(project / "input", DEFAULT_PRIVATE))
    assert len(needles) > 20
    for site in (project / "output", project / "share"):
        if site.is_dir():
            assert sorted(p.name for p in site.rglob("*.xlsx")) in ([], ["export.xlsx"])
            hits = Corpus.of(site).find(needles)
            assert not hits, report(hits, needles)
