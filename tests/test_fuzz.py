"""Fuzzing (issue 7 §5): mutated workbooks and arbitrary cell values must never crash the reader.

What runs in CI (about 1,600 cases, under a minute on 2 cores):
  * XML mutation of fixture workbooks (one part re-zipped properly, so calamine parses the mutated XML):
    flipped and deleted bytes, duplicated slices, numbers replaced by huge ones, hostile tokens inserted;
  * byte mutation of whole workbook files (what a damaged download or a half-copied file looks like);
  * the extent scan against calamine: for random small sheets spelled every way calamine accepts (quotes,
    attribute order, lower case, cells and rows without r), the scan's bound must cover what calamine
    actually allocates — the property the zip-bomb and huge-extent defences rest on;
  * the value parsers and the column converter with arbitrary text, numbers, dates and booleans.

Every case reads in-process through `read_file` (the worker's memory limit is not applied here, so the
generated files stay small: the extent checks, not luck, keep calamine's allocations small). A case passes
when `read_file` returns normally, every sheet's rows are accounted for, the result pickles (it crosses
process boundaries in a build), and no sheet fell into the internal-error safety net.

Longer local run (about 20,000 cases per test, ~20 minutes):

    FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py -q

FUZZ_EXAMPLES scales every test here (the CI default is 400 for the workbook mutations, see EXAMPLES).
CI runs the same derandomised cases every time; FUZZ_RANDOM=1 draws new ones (with `--hypothesis-seed=N`
to replay a run), and `--hypothesis-show-statistics` shows the case mix:

    FUZZ_RANDOM=1 FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py -q --hypothesis-seed=1
"""

from __future__ import annotations

import io
import math
import os
import pickle
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hostile import NS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from make_fixtures import LIBREOFFICE_DIR, department

from sitegen.config import Config
from sitegen.forms import BASE_FORMS, Kind
from sitegen.issues import MESSAGES
from sitegen.normalise import (
    Invalid,
    ident,
    parse_date,
    parse_money,
    parse_month,
    parse_percent,
    parse_stage,
    parse_yesno,
    parse_yuan,
    text,
)
from sitegen.read.discover import InputFile
from sitegen.read.extract import ReadContext, WorkbookResult, convert, read_file
from sitegen.read.workbook import check_package

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))
AS_OF = date(2026, 11, 20)
CTX = ReadContext(Config(root=Path(".")), AS_OF)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("FUZZ_RANDOM") != "1",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


def _seeds() -> list[tuple[str, dict[str, bytes]]]:
    """Fixture workbooks as {part: bytes}: both writers, LibreOffice, cards, merged headers."""
    import tempfile

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for writer in ("openpyxl", "xlsxwriter"):
            root = department(Path(tmp) / writer, writer)
            for f in sorted(root.rglob("*.xlsx")):
                if not f.name.startswith((".", "~")):
                    out.append((f"{writer}:{f.relative_to(root)}", _parts(f.read_bytes())))
    for f in sorted(LIBREOFFICE_DIR.rglob("*.xlsx")):
        out.append((f"libreoffice:{f.name}", _parts(f.read_bytes())))
    return out


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


SEEDS = _seeds()
TOKENS = [
    b'<c r="XFD1048576"><v>1</v></c>', b'<c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c>', b"<row>", b"</row>",
    b"<c>", b"</c>", b"<c/>", b"<row/>", b'<row r="1048576">', b"<v>", b"</v>", b'<c r="A1" t="s"><v>999999</v></c>',
    b't="s"', b't="d"', b't="e"', b't="b"', b't="str"', b"<is><t>", b"</t></is>", b"&amp;", b"&#0;", b"&#xD800;",
    b"&unknown;", b'<!DOCTYPE x [<!ENTITY a "b">]>', b'<mergeCell ref="A1:XFD1048576"/>', b'<mergeCell ref="B2:A1"/>',
    b"'", b'"', b"\x00", b"\xff\xfe", b"<![CDATA[<c r='XFD1'/>]]>", b"<!-- <c r=\"XFD1048576\"/> -->",
    b'<sheet name="x" sheetId="99" r:id="rId99"/>', b'<c r="A0"/>', b'<c r="ZZZZ1"/>', b'<c r="A-1"/>',
    "<t>填表人：张三</t>".encode(), "合计".encode(), b"9" * 30, b"1e308", b"-0", b"NaN", b"inf",
]
NUMBER = re.compile(rb"\d+")


@st.composite
def mutated_workbook(draw: st.DrawFn) -> bytes:
    _, parts = draw(st.sampled_from(SEEDS))
    parts = dict(parts)
    names = sorted(parts)
    xml_parts = [n for n in names if n.endswith((".xml", ".rels"))]
    weights = [5 if "worksheets/" in n or "sharedStrings" in n else 2 if "workbook" in n else 1 for n in xml_parts]
    target = draw(st.sampled_from([n for n, w in zip(xml_parts, weights, strict=True) for _ in range(w)]))
    data = bytearray(parts[target])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "duplicate", "number", "token", "truncate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[at: at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            piece = data[at: at + draw(st.integers(1, 256))]
            data[at:at] = piece * draw(st.integers(1, 4))
        elif op == "number":
            numbers = list(NUMBER.finditer(data))
            if numbers:
                m = numbers[draw(st.integers(0, len(numbers) - 1))]
                value = draw(st.sampled_from([0, 1, 2**31, 2**32 + 1, 10**20, 1048576, 16384, 999999, 301000]))
                data[m.start(): m.end()] = str(value).encode()
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        else:
            del data[at:]
    parts[target] = bytes(data)
    if draw(st.booleans()) and len(names) > 3:  # sometimes a part goes missing
        parts.pop(draw(st.sampled_from(names)))
    return _zip(parts)


def _read(tmp_path: Path, data: bytes, name: str = "fuzz.xlsx") -> WorkbookResult:
    path = tmp_path / name
    path.write_bytes(data)
    result = read_file(InputFile(path, name, len(data), 0), CTX)
    _sound(result)
    return result


def _sound(result: WorkbookResult) -> None:
    for s in result.sheets:
        assert s.read == s.accepted + s.rejected + s.skipped and min(s.accepted, s.rejected, s.skipped) >= 0, s
    for i in result.issues:
        assert i.code in MESSAGES and i.message, i
        assert "internal error" not in i.message and "内部错误" not in i.message, i.message  # the safety net is for production
    assert len(result.rows) == sum(s.accepted for s in result.sheets)
    pickle.dumps(result)


@FUZZ
@given(data=mutated_workbook())
def test_mutated_xml_never_crashes(tmp_path: Path, data: bytes) -> None:
    _read(tmp_path, data)


@settings(FUZZ, max_examples=max(100, EXAMPLES // 3))
@given(seed=st.sampled_from(SEEDS), flips=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, 10**7)), suffix=st.sampled_from([".xlsx", ".xlsm", ".xls", ".ods"]))
def test_mutated_bytes_never_crash(tmp_path: Path, seed: tuple[str, dict[str, bytes]], flips: list[tuple[int, int]],
                                   cut: int | None, suffix: str) -> None:
    data = bytearray(_zip(seed[1]))
    for at, value in flips:
        data[at % len(data)] = value
    if cut is not None:
        del data[cut % len(data):]
    result = _read(tmp_path, bytes(data), "fuzz" + suffix)
    if result.unreadable:
        assert result.issues and result.issues[0].code in ("file-unreadable", "file-too-large")


# ---------------------------------------------------------------- the extent scan covers calamine

@st.composite
def sheet_xml(draw: st.DrawFn) -> str:
    """A small sheet spelled the many ways calamine accepts (quotes, attribute order, lower case, cells and
    rows without r, prefixed elements, self-closing rows and cells); every position stays below 60 x 40."""
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        prefixed = draw(st.integers(0, 4)) == 0
        p = "x:" if prefixed else ""
        row_attrs = [f'xmlns:x="{NS}"'] if prefixed else []
        if draw(st.booleans()):
            q = draw(st.sampled_from(['"', "'"]))
            row_attrs.append(f"r={q}{draw(st.integers(1, 60))}{q}")
        if draw(st.booleans()):
            row_attrs.insert(draw(st.integers(0, len(row_attrs))), 'spans="1:3"')
        head = f"<{p}row{' ' if row_attrs else ''}{' '.join(row_attrs)}"
        if draw(st.integers(0, 6)) == 0:
            rows.append(head + "/>")
            continue
        cells = []
        for _ in range(draw(st.integers(0, 6))):
            attrs = ["t=" + draw(st.sampled_from(['"inlineStr"', "'inlineStr'"]))]
            if draw(st.integers(0, 3)):
                col = draw(st.integers(1, 40))
                letters = ""
                while col:
                    col, rem = divmod(col - 1, 26)
                    letters = chr(65 + rem) + letters
                if draw(st.booleans()):
                    letters = letters.lower()
                q = draw(st.sampled_from(['"', "'"]))
                attrs.insert(draw(st.integers(0, 1)), f"r{draw(st.sampled_from(['=', ' = ']))}{q}{letters}{draw(st.integers(1, 60))}{q}")
            cp = draw(st.sampled_from(["", p]))
            if draw(st.integers(0, 5)) == 0:
                cells.append(f"<{cp}c {' '.join(attrs)}/>")
            else:
                cells.append(f"<{cp}c {' '.join(attrs)}><{cp}is><{cp}t>x</{cp}t></{cp}is></{cp}c>")
        rows.append(f"{head}>{''.join(cells)}</{p}row>")
    return "".join(rows)


@settings(FUZZ, max_examples=max(100, EXAMPLES // 2))
@given(markup=sheet_xml())
def test_extent_scan_covers_what_calamine_allocates(tmp_path: Path, markup: str) -> None:
    import python_calamine as pc
    from hostile import xlsx

    path = xlsx(tmp_path / "e.xlsx", [("S", markup)])
    bound_rows, bound_cols = check_package(path).extents["S"]
    try:
        sheet = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S")
    except Exception:
        assume(False)  # calamine refuses this spelling: nothing is allocated
        return
    if sheet.height and sheet.width:
        # to_python(skip_empty_area=False) allocates from A1 to the last cell
        rows, cols = sheet.end[0] + 1, sheet.end[1] + 1
        assert rows <= bound_rows and cols <= bound_cols, ((rows, cols), (bound_rows, bound_cols), markup)


# ---------------------------------------------------------------- value parsers

ANY_VALUE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789０１２３４５６７８９.,，%％万亿元¥￥-+年月日号/ :：eE", max_size=20),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.none(),
)
STAGES = tuple(s.name for s in Config(root=Path(".")).stages)
STAGE_ALIASES = Config(root=Path(".")).stage_aliases


@settings(FUZZ, max_examples=max(200, EXAMPLES))
@given(value=ANY_VALUE)
def test_parsers_return_a_value_or_invalid(value: object) -> None:
    for fn, kinds in [
        (lambda v: parse_date(v, ref=AS_OF), (date,)),
        (lambda v: parse_month(v, ref=AS_OF), (str,)),
        (parse_money, (float,)),
        (parse_yuan, (float,)),
        (parse_percent, (float,)),
        (parse_yesno, (bool,)),
        (lambda v: parse_stage(v, STAGES, STAGE_ALIASES), (str,)),
    ]:
        try:
            out = fn(value)
        except Invalid as exc:
            assert exc.code in MESSAGES
            continue
        except (TypeError, AttributeError):
            if value is None or isinstance(value, (time, timedelta)):
                continue  # blank cells never reach a parser; times and durations are not values reps type
            raise
        assert isinstance(out, kinds), (value, out)
        if isinstance(out, float):
            assert math.isfinite(out)
        if fn is parse_percent:
            assert 0 <= out <= 1
    assert isinstance(text(value), str) and isinstance(ident(value), str)


@settings(FUZZ, max_examples=max(200, EXAMPLES))
@given(value=ANY_VALUE.filter(lambda v: v is not None), column=st.sampled_from([c for f in BASE_FORMS for c in f.columns]))
def test_every_column_converts_or_reports(value: object, column) -> None:
    cfg = Config(root=Path("."))
    if isinstance(value, (time, timedelta)) and column.kind not in (Kind.TEXT, Kind.MARKDOWN, Kind.ID):
        value = str(value)
    try:
        out = convert(column, value, cfg, AS_OF)
    except Invalid as exc:
        assert exc.code in MESSAGES
        return
    if column.kind in (Kind.MONEY, Kind.YUAN, Kind.INT):
        assert out >= 0
    if column.kind is Kind.DATE:
        assert isinstance(out, date) and not isinstance(out, datetime)


@pytest.mark.parametrize("seed", range(len(SEEDS)), ids=[s[0] for s in SEEDS])
def test_seeds_read_cleanly(tmp_path: Path, seed: int) -> None:
    """The unmutated seeds read without any error: the mutations are what the fuzz tests add."""
    result = _read(tmp_path, _zip(SEEDS[seed][1]))
    assert not result.unreadable and result.sheets
