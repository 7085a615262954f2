"""The Excel export's pieces and their cache (sitegen/zipblocks.py, sitegen/exportcache.py).

A warm build's data/export.xlsx is byte-identical to a cold build's, whatever changed; the pieces of unchanged
accounts really come from the cache (a planted piece shows up); a damaged or old-format cache is discarded with
a note; the CRC arithmetic agrees with zlib; the zip opens in zipfile and openpyxl with the right rows.
Timings belong to `sitegen bench`, not here."""

from __future__ import annotations

import shutil
import zipfile
import zlib
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
import test_incremental
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_incremental import run, tree, workbook_with

from sitegen.build import BuildOptions, build
from sitegen.config import load_config
from sitegen.export import SheetWriter
from sitegen.exportcache import MAGIC, Block, BlockCache, _parse
from sitegen.load import load
from sitegen.model import FollowUp, Source
from sitegen.zipblocks import FINAL, crc32_combine, crc32_zeros, deflate, zip_file

AS_OF = date(2026, 11, 20)
EXPORT = Path("output") / "data" / "export.xlsx"
NOTE = "Excel 导出缓存"


# ---------------------------------------------------------------- CRC-32 and pieces

@given(a=st.binary(max_size=3000), b=st.binary(max_size=3000), start=st.integers(0, 2**32 - 1))
def test_crc32_is_affine_in_its_start(a: bytes, b: bytes, start: int) -> None:
    zeros = bytes(len(b))
    assert zlib.crc32(b, start) == zlib.crc32(zeros, start) ^ zlib.crc32(b) ^ zlib.crc32(zeros)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@settings(max_examples=60)
@given(n=st.integers(0, 400_000), start=st.integers(0, 2**32 - 1))
def test_crc32_of_zeros_without_the_zeros(n: int, start: int) -> None:
    assert crc32_zeros(n, start) == zlib.crc32(bytes(n), start)


@given(texts=st.lists(st.lists(st.binary(max_size=500), max_size=4), min_size=0, max_size=6),
       zip64=st.booleans())
def test_pieces_concatenate_into_one_valid_entry(texts: list[list[bytes]], zip64: bool) -> None:
    entries = [(f"e{i}.xml", [deflate([piece]) for piece in [*pieces, b"end"]]) for i, pieces in enumerate(texts)]
    data = zip_file(entries, force_zip64=zip64)
    with zipfile.ZipFile(BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.namelist() == [name for name, _ in entries]
        for (name, _), pieces in zip(entries, texts, strict=True):
            assert z.read(name) == b"".join(pieces) + b"end"
            info = z.getinfo(name)
            assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_DEFLATED


def test_a_piece_depends_only_on_its_text() -> None:
    a = deflate([b"<row>", b"x" * 5000, b"</row>"])
    b = deflate([b"<row>" + b"x" * 5000 + b"</row>"])
    assert bytes(a.data) == bytes(b.data) and a.crc == b.crc and a.size == b.size
    assert zlib.decompressobj(-15).decompress(bytes(a.data) + FINAL) == b"<row>" + b"x" * 5000 + b"</row>"


# ---------------------------------------------------------------- keys

def test_a_record_not_read_from_this_weeks_input_makes_its_piece_uncacheable(tmp_path: Path) -> None:
    src = Source("a/张三.xlsx", "跟进记录", 5)
    f = FollowUp(AS_OF, "KA-001", "张三", src=src)
    cache = BlockCache(tmp_path / "c.blocks", b"salt", {"a/张三.xlsx": "d1"})
    key = cache.key("followups", (), [f], reps=True)
    assert key is not None
    assert BlockCache(tmp_path / "c.blocks", b"salt", {}).key("followups", (), [f], reps=True) is None  # stale file
    assert cache.key("followups", (), [FollowUp(AS_OF, "KA-001", "张三")], reps=True) is None  # no source
    # each part of a record's identity is in its key
    other = [
        BlockCache(tmp_path / "c.blocks", b"salt", {"a/张三.xlsx": "d2"}).key("followups", (), [f], reps=True),
        BlockCache(tmp_path / "c.blocks", b"salt2", {"a/张三.xlsx": "d1"}).key("followups", (), [f], reps=True),
        cache.key("followups", (), [FollowUp(AS_OF, "KA-002", "张三", src=src)], reps=True),
        cache.key("followups", (), [FollowUp(AS_OF, "KA-001", "李四", src=src)], reps=True),
        cache.key("followups", (), [FollowUp(AS_OF, "KA-001", "张三", src=Source("a/张三.xlsx", "跟进", 5))],
                  reps=True),
        cache.key("followups", (), [FollowUp(AS_OF, "KA-001", "张三", src=Source("a/张三.xlsx", "跟进记录", 6))],
                  reps=True),
        cache.key("followups", (), [f, f], reps=True),
        cache.key("persons", (), [f]),
        cache.key("followups", ("x",), [f], reps=True),
    ]
    assert len({key, *other}) == len(other) + 1


def test_content_keys_tell_values_of_every_type_apart(tmp_path: Path) -> None:
    cache = BlockCache(tmp_path / "c.blocks", b"salt", {})
    rows = [[1], [1.0], [True], ["1"], [date(2026, 1, 1)], [None], [-0.0], [0.0]]
    keys = [cache.content_key("projects", [r]) for r in rows]
    assert None not in keys and len(set(keys)) == len(rows)
    assert cache.content_key("projects", [[object()]]) is None  # a value whose repr may not say its text


# ---------------------------------------------------------------- builds: warm == cold

# the warm state every test starts from: test_incremental's department, built once per test
department = test_incremental.department
project = test_incremental.project


def cold_export(root: Path, tmp_path: Path, as_of: date = AS_OF) -> bytes:
    fresh = test_incremental.fresh_copy(root, tmp_path)
    assert build(load_config(fresh / "sitegen.yaml"), BuildOptions(as_of=as_of, quiet=True)).exit_code == 0
    return (fresh / EXPORT).read_bytes()


def cache_file(root: Path) -> Path:
    files = list((root / ".sitegen" / "cache" / "export").iterdir())
    assert len(files) == 1, files
    return files[0]


def cached_keys(root: Path) -> set[bytes]:
    return set(_parse(cache_file(root).read_bytes()))


def add_a_row(root: Path) -> None:
    book = workbook_with(root, "跟进")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "跟进" in ws.title)
    record = next(row for row in ws.iter_rows(values_only=True)
                  if any(isinstance(v, str) and v.startswith("KA-") for v in row))
    ws.append(list(record))
    wb.save(book)


def edit_a_cell(root: Path) -> None:
    book = workbook_with(root, "关键人")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "关键人" in ws.title)
    cell = next(c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str) and len(c.value) > 2)
    cell.value = "=" + cell.value  # also a text that needs quotePrefix
    wb.save(book)


def delete_a_workbook(root: Path) -> None:
    workbook_with(root, "跟进").unlink()


def nothing(root: Path) -> None:
    (root / ".sitegen" / "build.json").unlink()  # no shortcut: the export is written again from the cache


CHANGES = {"nothing": nothing, "add a row": add_a_row, "edit a cell": edit_a_cell,
           "delete a workbook": delete_a_workbook}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_warm_export_is_the_cold_export(project: Path, tmp_path: Path, change: str) -> None:
    before = cached_keys(project)
    CHANGES[change](project)
    run(project)
    after = cached_keys(project)
    assert (project / EXPORT).read_bytes() == cold_export(project, tmp_path)
    kept = before & after
    assert kept, "no piece was kept"
    if change == "nothing":
        assert after == before
    else:
        assert after - before, "the change made no new piece"


@pytest.mark.parametrize("config", ["language: en\n", "score_dimensions: [品牌, 服务, 交付]\n"])
def test_a_config_change_makes_every_piece_anew(project: Path, tmp_path: Path, config: str) -> None:
    before = cached_keys(project)
    (project / "sitegen.yaml").write_text("title: 大客户部\n" + config, encoding="utf-8")
    run(project)
    assert not before & cached_keys(project)
    export = (project / EXPORT).read_bytes()
    assert export == cold_export(project, tmp_path)
    if config.startswith("language"):
        assert load_workbook(BytesIO(export)).sheetnames != ["客户与项目", "关键人", "竞争分析", "跟进记录", "数据问题"]
    else:
        ws = load_workbook(BytesIO(export)).worksheets[2]
        assert "交付" in [c.value for c in ws[1]]


def test_a_new_as_of_date(project: Path, tmp_path: Path) -> None:
    before = cached_keys(project)
    later = date(2026, 11, 27)
    assert build(load_config(project / "sitegen.yaml"), BuildOptions(as_of=later, quiet=True)).exit_code == 0
    assert not before & cached_keys(project)
    assert (project / EXPORT).read_bytes() == cold_export(project, tmp_path, later)


def test_the_export_opens_with_every_row(project: Path) -> None:
    config = load_config(project / "sitegen.yaml")
    ds = load(config, AS_OF).dataset
    add_a_row(project)
    run(project)
    wb = load_workbook(project / EXPORT)
    assert wb.sheetnames == ["客户与项目", "关键人", "竞争分析", "跟进记录", "数据问题"]
    counts = {ws.title: ws.max_row - 1 for ws in wb.worksheets}
    assert counts["关键人"] == len(ds.key_persons) and counts["竞争分析"] == len(ds.competition)
    assert counts["跟进记录"] == len(ds.followups) + 1  # the row added after `ds` was read
    assert counts["客户与项目"] == sum(len(a.projects) for a in ds.accounts)
    ids = [r[1] for r in wb["跟进记录"].iter_rows(min_row=2, values_only=True)]
    assert ids == sorted(ids)
    assert wb["跟进记录"].auto_filter.ref == f"A1:K{counts['跟进记录'] + 1}"


def test_a_warm_export_opens_in_libreoffice(project: Path, tmp_path: Path) -> None:
    """Another reader than Python's: LibreOffice converts the warm export (pieces from the cache and new
    ones, one deflate stream) to ODS with every sheet and row, as openpyxl reads it."""
    import subprocess

    from python_calamine import CalamineWorkbook

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    add_a_row(project)
    run(project)
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--convert-to", "ods", "--outdir", str(tmp_path), str(project / EXPORT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    converted = CalamineWorkbook.from_path(str(tmp_path / "export.ods"))
    wb = load_workbook(project / EXPORT)
    assert converted.sheet_names == wb.sheetnames
    for ws in wb.worksheets:
        rows = converted.get_sheet_by_name(ws.title).to_python()
        assert len(rows) == ws.max_row, ws.title
        # dates come back as date (calamine) or datetime (openpyxl): compared as their first ten characters
        assert [str(v)[:10] for v in rows[-1][:3]] == [str(c.value)[:10] for c in ws[ws.max_row][:3]], ws.title


def test_the_cache_is_consulted(project: Path) -> None:
    """A piece planted in the cache under a key this build uses shows up in the export: the pieces of
    unchanged accounts are taken from the cache, not made again."""
    path = cache_file(project)
    blocks = _parse(path.read_bytes())
    key, block = next((k, b) for k, b in blocks.items()
                      if b"KA-" in zlib.decompressobj(-15).decompress(bytes(b.piece.data)))
    text = zlib.decompressobj(-15).decompress(bytes(block.piece.data))
    planted = text + SheetWriter(["x"] * 1).rows_xml([["PLANTED"]]).encode()
    cache = BlockCache(path, b"", {})
    cache.used = {k: (Block(deflate([planted]), b.rows + 1) if k == key else b) for k, b in blocks.items()}
    cache.save()
    nothing(project)
    run(project)
    with zipfile.ZipFile(project / EXPORT) as z:
        assert any(b"PLANTED" in z.read(n) for n in z.namelist())


@pytest.mark.parametrize("damage", ["a byte", "truncated", "old format", "empty"])
def test_a_damaged_cache_is_discarded_with_a_note(project: Path, tmp_path: Path, damage: str) -> None:
    path = cache_file(project)
    data = bytearray(path.read_bytes())
    if damage == "a byte":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncated":
        del data[len(data) - 100:]
    elif damage == "old format":
        data[:16] = MAGIC[:-1] + bytes([MAGIC[-1] - 1])
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    nothing(project)
    lines: list[str] = []
    run(project, lines)
    assert [line for line in lines if NOTE in line and "已丢弃" in line], lines
    assert (project / EXPORT).read_bytes() == cold_export(project, tmp_path)
    lines.clear()
    nothing(project)
    run(project, lines)
    assert not [line for line in lines if NOTE in line]  # written again, whole


def test_only_the_current_site_folders_keep_a_cache(project: Path) -> None:
    folder = project / ".sitegen" / "cache" / "export"
    (folder / "0123456789abcdef.blocks").write_bytes(b"an audience removed since")
    (folder / "x.blocks.tmp-1").write_bytes(b"left by a killed build")
    nothing(project)
    run(project)
    assert len(list(folder.iterdir())) == 1
    assert tree(project / "output")
