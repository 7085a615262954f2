"""Annotated copies written into the rep's own package: the fast path of feedback.annotate_workbook.

openpyxl reads a whole workbook into objects and writes it out again: about a second for a rep's
workbook of 25,000 cells, and it drops what it does not model (cached formula results, charts, images).
Once a department's projects pass their close dates most workbooks need a copy every week, so this
module writes the same marks into the original zip package instead:

* every part the marks do not touch is copied as it is (cells, formulas and their cached results,
  shared strings, charts, images, macros);
* a marked sheet gets the `s` (style) attribute of its marked cells pointed at a copy of the cell's own
  cell format with the severity's fill, and a comments part with its VML drawing (openpyxl's writer makes
  their XML);
* the issue list is a new first sheet, its text as inline strings, its formats appended to styles.xml;
* workbook.xml gets the new sheet first and selected, hidden sheets with marks shown, local defined
  names moved up by one; docProps/custom.xml records that the file is a feedback copy.

Only packages of the usual shape take this path (what Excel, WPS, LibreOffice and openpyxl write). For
anything else -- a feedback copy handed back (its old marks must go), a marked sheet that already has
comments, prefixed or unusual XML, a style sheet without the usual sections -- `Patch` raises
Unsupported before anything is written, and the caller uses openpyxl. The result is what the openpyxl
path gives, checked by tests/test_feedback_patch.py on the same workbooks through openpyxl and
LibreOffice.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .issues import Severity

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
T_WORKSHEET = REL_NS + "/worksheet"
T_COMMENTS = REL_NS + "/comments"
T_VML = REL_NS + "/vmlDrawing"
T_CUSTOM = REL_NS + "/custom-properties"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
MAX_PART_BYTES = 64 << 20  # a part above this is left to openpyxl (which refuses it or copes)

# elements that follow <legacyDrawing> in a worksheet (CT_Worksheet's order)
_AFTER_LEGACY = (b"<legacyDrawingHF", b"<drawingHF", b"<picture", b"<oleObjects", b"<controls",
                 b"<webPublishItems", b"<tableParts", b"<extLst")
# a row tag without r="1".., or a cell tag whose r is not "A1" .. "XFD1048576": not the usual shape
_ODD_TAG = re.compile(rb'<(?:row(?=[\s/>])(?! r="[1-9][0-9]{0,6}")|c(?=[\s/>])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}"))')
_ROW_TAG = re.compile(rb'<row r="([0-9]+)"[^>]*?(/?)>')
_CELL_TAG = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*?)(/?)>')
_S_ATTR = re.compile(rb'\ss="([0-9]+)"')
_SPANS = re.compile(rb'\sspans="[^"]*"')
_XF = re.compile(rb"<xf\b[^>]*?/>|<xf\b[^>]*?>.*?</xf>", re.S)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Unsupported(Exception):
    """The package is not of the usual shape: the caller writes the copy with openpyxl."""


@dataclass(frozen=True)
class ListRow:
    """One row of the issue list: values (str or int) and, for the cell column, a link location."""

    values: tuple[object, ...]
    severity: Severity
    link: str | None
    tooltip: str


@dataclass(frozen=True)
class IssueList:
    """The issue list sheet as feedback.py words it."""

    name: str
    title: str
    intro: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    wrap_cols: tuple[int, ...]  # 1-based
    rows: tuple[ListRow, ...]


@dataclass(frozen=True)
class Mark:
    sheet: str
    row: int  # 1-based, the top-left of a merged range
    col: int
    severity: Severity
    comment: str | None  # None: colour only
    height: int
    width: int


# ------------------------------------------------------------------------------------ small helpers

def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_ILLEGAL.sub("", value))


def col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _section(xml: bytes, tag: bytes) -> tuple[int, int, int]:
    """(start of <tag ...>, end of its start tag, start of </tag>) of a container that must exist."""
    m = re.search(rb"<" + tag + rb"(?:\s[^>]*)?>", xml)
    if m is None or m.group(0).endswith(b"/>"):
        raise Unsupported(f"no <{tag.decode()}>")
    end = xml.find(b"</" + tag + b">", m.end())
    if end < 0:
        raise Unsupported(f"no </{tag.decode()}>")
    return m.start(), m.end(), end


def _count(section: bytes, child: bytes) -> int:
    return len(re.findall(rb"<" + child + rb"[\s/>]", section))


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """The start tag `tag` (b'<xf ...>' or b'<xf .../>') with attribute name=value set."""
    pattern = re.compile(rb"\s" + name + rb'="[^"]*"')
    if pattern.search(tag):
        return pattern.sub(b" " + name + b'="' + value + b'"', tag, count=1)
    close = 2 if tag.endswith(b"/>") else 1
    return tag[:-close] + b" " + name + b'="' + value + b'"' + tag[-close:]


def _drop_attr(tag: bytes, name: bytes) -> bytes:
    return re.sub(rb"\s" + name + rb'="[^"]*"', b"", tag)


class _Package:
    def __init__(self, data: bytes) -> None:
        try:
            self.zin = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zin.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise Unsupported(str(exc)) from None
        self.names = {i.filename for i in self.infos}
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name in self.added:
            return self.added[name]
        if name not in self.names:
            raise Unsupported(f"no part {name}")
        info = self.zin.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise Unsupported(f"{name} is large")
        return self.zin.read(name)

    def write(self, name: str, data: bytes) -> None:
        if name in self.names:
            self.changed[name] = data
        else:
            self.added[name] = data

    def exists(self, name: str) -> bool:
        return name in self.names or name in self.added

    def free(self, pattern: str) -> str:
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in self.infos:
                self._put(zout, info.filename, self.changed.get(info.filename) or self.zin.read(info.filename))
            for name in sorted(self.added):
                self._put(zout, name, self.added[name])
        return out.getvalue()

    @staticmethod
    def _put(zout: zipfile.ZipFile, name: str, data: bytes) -> None:
        zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = 0o644 << 16
        zout.writestr(zi, data)


def _rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _relationships(xml: bytes) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of a .rels part (attributes in any order)."""
    out = []
    for m in re.finditer(rb"<Relationship\b([^>]*)/?>", xml):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', m.group(1)))
        out.append((attrs.get(b"Id", b"").decode(), attrs.get(b"Type", b"").decode(),
                    attrs.get(b"Target", b"").decode()))
    return out


def _add_relationship(xml: bytes | None, rel_type: str, target: str) -> tuple[bytes, str]:
    if xml is None:
        xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<Relationships xmlns="' + PKG_REL_NS.encode() + b'"></Relationships>')
    if b"</Relationships>" not in xml:
        raise Unsupported("relationships part without its end tag")
    ids = {i for i, _t, _g in _relationships(xml)}
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    rid = f"rId{n}"
    rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'.encode()
    return xml.replace(b"</Relationships>", rel + b"</Relationships>", 1), rid


def _add_content_type(xml: bytes, part: str | None, content_type: str, extension: str | None = None) -> bytes:
    if b"</Types>" not in xml:
        raise Unsupported("content types without their end tag")
    if extension is not None:
        if re.search(rb'<Default\b[^>]*Extension="' + re.escape(extension.encode()) + rb'"', xml, re.I):
            return xml
        item = f'<Default Extension="{extension}" ContentType="{content_type}"/>'
    else:
        item = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    return xml.replace(b"</Types>", item.encode() + b"</Types>", 1)


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


# ------------------------------------------------------------------------------------------ styles

class _Styles:
    """Formats appended to xl/styles.xml (nothing existing changes index)."""

    def __init__(self, xml: bytes) -> None:
        if not re.search(rb"<cellStyleXfs\b[^>]*>\s*<xf\b", xml):
            raise Unsupported("no cell style formats (xfId 0 would point nowhere)")
        self.xml = xml
        self.new: dict[bytes, list[bytes]] = {b"fonts": [], b"fills": [], b"borders": [], b"cellXfs": []}
        self.base: dict[bytes, int] = {}
        for tag, child in ((b"fonts", b"font"), (b"fills", b"fill"), (b"borders", b"border"),
                           (b"cellXfs", b"xf")):
            _s, body, end = _section(xml, tag)
            self.base[tag] = _count(xml[body:end], child)
        _s, body, end = _section(xml, b"cellXfs")
        self.xfs = _XF.findall(xml[body:end])
        if len(self.xfs) != self.base[b"cellXfs"] or not self.xfs:
            raise Unsupported("cell formats not understood")
        self.memo: dict[tuple[object, ...], int] = {}

    def _add(self, tag: bytes, element: bytes) -> int:
        items = self.new[tag]
        if element in items:
            return self.base[tag] + items.index(element)
        items.append(element)
        return self.base[tag] + len(items) - 1

    def fill(self, rgb: str) -> int:
        return self._add(b"fills", f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/>'
                                   f'<bgColor rgb="00{rgb}"/></patternFill></fill>'.encode())

    def font(self, *, bold: bool = False, size: int | None = None, color: str | None = None,
             underline: bool = False) -> int:
        parts = ["<font>"]
        if bold:
            parts.append('<b val="1"/>')
        if underline:
            parts.append('<u val="single"/>')
        if size:
            parts.append(f'<sz val="{size}"/>')
        if color:
            parts.append(f'<color rgb="00{color}"/>')
        parts.append("</font>")
        return self._add(b"fonts", "".join(parts).encode())

    def border_bottom(self, rgb: str) -> int:
        return self._add(b"borders", f'<border><left/><right/><top/><bottom style="thin"><color rgb="00{rgb}"/>'
                                     f"</bottom><diagonal/></border>".encode())

    def xf(self, *, font: int = 0, fill: int = 0, border: int = 0, horizontal: str | None = None,
           vertical: str | None = None, wrap: bool = False) -> int:
        key = ("xf", font, fill, border, horizontal, vertical, wrap)
        if key in self.memo:
            return self.memo[key]
        attrs = (f'numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
                 + (' applyFont="1"' if font else "") + (' applyFill="1"' if fill else "")
                 + (' applyBorder="1"' if border else ""))
        align = ""
        if horizontal or vertical or wrap:
            attrs += ' applyAlignment="1"'
            align = "<alignment" + (f' horizontal="{horizontal}"' if horizontal else "") + (
                f' vertical="{vertical}"' if vertical else "") + (' wrapText="1"' if wrap else "") + "/>"
        element = f"<xf {attrs}>{align}</xf>" if align else f"<xf {attrs}/>"
        n = self.memo[key] = self._add(b"cellXfs", element.encode())
        return n

    def marked(self, s: int, rgb: str) -> int:
        """The cell format `s` with the solid fill `rgb`."""
        key = ("mark", s, rgb)
        if key in self.memo:
            return self.memo[key]
        if not 0 <= s < len(self.xfs):
            s = 0
        element = self.xfs[s]
        head_end = element.find(b">") + 1
        head = element[:head_end]
        head = _set_attr(_set_attr(head, b"fillId", str(self.fill(rgb)).encode()), b"applyFill", b"1")
        n = self.memo[key] = self._add(b"cellXfs", head + element[head_end:])
        return n

    def result(self) -> bytes:
        xml = self.xml
        for tag in (b"fonts", b"fills", b"borders", b"cellXfs"):  # each section's own offsets, in turn
            if not self.new[tag]:
                continue
            start, body, end = _section(xml, tag)
            head = _set_attr(xml[start:body], b"count", str(self.base[tag] + len(self.new[tag])).encode())
            xml = xml[:start] + head + xml[body:end] + b"".join(self.new[tag]) + xml[end:]
        return xml


# ------------------------------------------------------------------------------------- marked sheet

def _mark_cells(xml: bytes, marks: dict[tuple[int, int], int]) -> bytes:
    """Point the cells at (row, col) to the new format index; add cells (and rows) that are not there."""
    start, body, end = _sheet_data(xml)
    rows_at: dict[int, tuple[int, int, bool]] = {}  # row -> (start, end, self-closing), in sheetData
    order: list[int] = []
    for m in _ROW_TAG.finditer(xml, body, end):
        r = int(m.group(1))
        if m.group(2):
            rows_at[r] = (m.start(), m.end(), True)
        else:
            close = xml.find(b"</row>", m.end(), end)
            if close < 0:
                raise Unsupported("a row without its end tag")
            rows_at[r] = (m.start(), close + 6, False)
        order.append(r)
    if order != sorted(order) or len(set(order)) != len(order):
        raise Unsupported("rows out of order")
    edits: list[tuple[int, int, bytes]] = []
    by_row: dict[int, dict[int, int]] = {}
    for (r, c), s in marks.items():
        by_row.setdefault(r, {})[c] = s
    for r, cols in sorted(by_row.items()):
        if r in rows_at:
            a, b, closed = rows_at[r]
            edits.append((a, b, _mark_row(xml[a:b], r, cols, closed)))
        else:
            cells = b"".join(_new_cell(r, c, s) for c, s in sorted(cols.items()))
            at = next((rows_at[x][0] for x in order if x > r), end)
            edits.append((at, at, b'<row r="%d">' % r + cells + b"</row>"))
    if body == end and xml[start:body].endswith(b"/>"):  # <sheetData/>
        inner = b"".join(e[2] for e in sorted(edits))
        return xml[:start] + b"<sheetData>" + inner + b"</sheetData>" + xml[body:]
    return _apply(xml, edits)


def _apply(buf: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """`buf` with each (start, end, replacement) applied; the spans do not overlap."""
    out = []
    pos = 0
    for a, b, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(buf[pos:a])
        out.append(new)
        pos = b
    out.append(buf[pos:])
    return b"".join(out)


def _sheet_data(xml: bytes) -> tuple[int, int, int]:
    m = re.search(rb"<sheetData\s*(/?)>", xml)
    if m is None:
        raise Unsupported("no sheetData")
    if m.group(1):
        return m.start(), m.end(), m.end()
    end = xml.find(b"</sheetData>", m.end())
    if end < 0:
        raise Unsupported("no </sheetData>")
    return m.start(), m.end(), end


def _new_cell(r: int, c: int, s: int) -> bytes:
    return f'<c r="{col_letters(c)}{r}" s="{s}"/>'.encode()


def _mark_row(row: bytes, r: int, cols: dict[int, int], closed: bool) -> bytes:
    head_end = row.find(b">") + 1
    head = _SPANS.sub(b"", row[:head_end])  # spans is a hint; a new cell may lie outside it
    if closed:
        head = head[:-2].rstrip() + b">"
        content = b""
    else:
        content = row[head_end:-6]
    cells = list(_CELL_TAG.finditer(content))
    for m in cells:
        if int(m.group(2)) != r:
            raise Unsupported("a cell in the wrong row")
    edits: list[tuple[int, int, bytes]] = []
    for c, s in sorted(cols.items()):
        hit = next((m for m in cells if _col_number(m.group(1)) == c), None)
        if hit is not None:
            tag = content[hit.start():hit.end()]
            edits.append((hit.start(), hit.end(), _set_attr(tag, b"s", str(s).encode())))
        else:
            at = next((m.start() for m in cells if _col_number(m.group(1)) > c), len(content))
            edits.append((at, at, _new_cell(r, c, s)))
    return head + _apply(content, edits) + b"</row>"


def _cell_styles(xml: bytes, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The style index of each wanted cell that is in the sheet (0 when it has none)."""
    out: dict[tuple[int, int], int] = {}
    rows = {r for r, _c in wanted}
    for m in _ROW_TAG.finditer(xml):
        r = int(m.group(1))
        if r not in rows or m.group(2):
            continue
        close = xml.find(b"</row>", m.end())
        for c in _CELL_TAG.finditer(xml, m.end(), close):
            key = (r, _col_number(c.group(1)))
            if key in wanted:
                s = _S_ATTR.search(c.group(3))
                out[key] = int(s.group(1)) if s else 0
    return out


def _child_position(xml: bytes, names: tuple[bytes, ...]) -> int:
    """Where the first direct child of the root named in `names` starts, else where the root's end tag
    starts: the place for an element that comes before those. An XML parser finds the children (any
    prefix, attributes holding '>'), and the whole part must be well-formed."""
    from xml.parsers import expat

    wanted = {n[1:].decode() for n in names}
    depth = 0
    found: list[int] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth == 2 and not found and name.rsplit(" ", 1)[-1] in wanted:
            found.append(parser.CurrentByteIndex)

    def end(_name: str) -> None:
        nonlocal depth
        if depth == 1 and not found:
            found.append(parser.CurrentByteIndex)
        depth -= 1

    def doctype(*_args: object) -> None:
        raise Unsupported("a document type declaration")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise Unsupported(f"not well-formed: {exc}") from None
    if not found or xml[found[0]:found[0] + 1] != b"<":
        raise Unsupported("no place for the element")
    return found[0]


def _add_legacy_drawing(xml: bytes, rid: str) -> bytes:
    root = re.search(rb"<worksheet\b[^>]*>", xml)
    if root is None:
        raise Unsupported("no worksheet root")
    tag = root.group(0)
    if b'xmlns:r="' + REL_NS.encode() + b'"' not in tag:
        if b"xmlns:r=" in tag:
            raise Unsupported("the prefix r is bound to something else")
        new_tag = tag[:-1] + b' xmlns:r="' + REL_NS.encode() + b'">'
        xml = xml[:root.start()] + new_tag + xml[root.end():]
    at = _child_position(xml, _AFTER_LEGACY)
    return xml[:at] + f'<legacyDrawing r:id="{rid}"/>'.encode() + xml[at:]


def _comment_parts(marks: Sequence[Mark], author: str) -> tuple[bytes, bytes]:
    from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
    from openpyxl.xml.functions import tostring

    records = []
    for m in marks:
        if m.comment is None:
            continue
        rec = CommentRecord(ref=f"{col_letters(m.col)}{m.row}", author=author, height=m.height, width=m.width)
        rec.text.t = m.comment
        records.append(rec)
    sheet = CommentSheet.from_comments(records)
    comments = tostring(sheet.to_tree())
    vml = sheet.write_shapes(None)
    return (comments if isinstance(comments, bytes) else comments.encode("utf-8"),
            vml if isinstance(vml, bytes) else vml.encode("utf-8"))


# -------------------------------------------------------------------------------------- issue list

def _list_sheet(lst: IssueList, styles: _Styles, fills: dict[Severity, str], fonts: dict[Severity, str],
                header_fill: str, lines: Callable[[str, float], int]) -> bytes:
    ncols = len(lst.headers)
    last_col = col_letters(ncols)
    title = styles.xf(font=styles.font(bold=True, size=14))
    intro = styles.xf(vertical="top", wrap=True)
    header = styles.xf(font=styles.font(bold=True, color="FFFFFF"), fill=styles.fill(header_fill),
                       border=styles.border_bottom("BFBFBF"), horizontal="center", vertical="center")
    plain = styles.xf(vertical="top")
    wrapped = styles.xf(vertical="top", wrap=True)
    link = styles.xf(font=styles.font(color="0563C1", underline=True), vertical="top")
    severity = {sev: styles.xf(font=styles.font(color=fonts[sev], bold=sev is Severity.ERROR),
                               fill=styles.fill(fills[sev]), horizontal="center", vertical="top")
                for sev in Severity}

    def cell(ref: str, value: object, s: int) -> str:
        if isinstance(value, str):
            space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
            return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
        if value is None:
            return f'<c r="{ref}" s="{s}"/>'
        return f'<c r="{ref}" s="{s}"><v>{value}</v></c>'

    rows = [f'<row r="1">{cell("A1", lst.title, title)}</row>',
            f'<row r="2" ht="48" customHeight="1">{cell("A2", lst.intro, intro)}'
            + "".join(cell(f"{col_letters(c)}2", None, intro) for c in range(2, ncols + 1)) + "</row>",
            '<row r="3">' + "".join(cell(f"{col_letters(c)}3", h, header) for c, h in enumerate(lst.headers, 1))
            + "</row>"]
    links = []
    for r, item in enumerate(lst.rows, 4):
        height = 1
        cells = []
        for c, value in enumerate(item.values, 1):
            ref = f"{col_letters(c)}{r}"
            wrap = c in lst.wrap_cols
            if c == 2:
                s = severity[item.severity]
            elif c == 4 and item.link:
                s = link
                links.append(f'<hyperlink ref="{ref}" location={_attr(item.link)}'
                             + (f" tooltip={_attr(item.tooltip)}" if item.tooltip else "") + "/>")
            else:
                s = wrapped if wrap else plain
            if wrap and isinstance(value, str):
                height = max(height, lines(value, lst.widths[c - 1]))
            cells.append(cell(ref, value, s))
        ht = f' ht="{16 * height}" customHeight="1"' if height > 1 else ""
        rows.append(f'<row r="{r}"{ht}>' + "".join(cells) + "</row>")
    last = max(3, 3 + len(lst.rows))
    cols = "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in enumerate(lst.widths, 1))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetPr><tabColor rgb="00C00000"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_col}{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A4" sqref="A4"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols>"
        f'<sheetData>{"".join(rows)}</sheetData>'
        f'<autoFilter ref="A3:{last_col}{last}"/>'
        f'<mergeCells count="1"><mergeCell ref="A2:{last_col}2"/></mergeCells>'
        + (f'<hyperlinks>{"".join(links)}</hyperlinks>' if links else "")
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        "</worksheet>"
    )
    return xml.encode("utf-8")


# ----------------------------------------------------------------------------------------- workbook

def _workbook_sheets(xml: bytes) -> list[tuple[int, int, str, str]]:
    """(start, end, name, r:id) of each <sheet/> element, in order."""
    from xml.sax.saxutils import unescape

    out = []
    for m in re.finditer(rb"<sheet\b([^>]*?)/>", xml):
        attrs = dict(re.findall(rb'([\w:]+)="([^"]*)"', m.group(1)))
        name = attrs.get(b"name")
        rid = attrs.get(b"r:id")
        if name is None or rid is None:
            raise Unsupported("a sheet without name or r:id")
        out.append((m.start(), m.end(), unescape(name.decode("utf-8"), {"&quot;": '"', "&apos;": "'"}),
                    rid.decode()))
    if not out:
        raise Unsupported("no sheets")
    return out


def _patch_workbook(xml: bytes, list_name: str, rid: str, show: set[str], last_row: int, ncols: int) -> bytes:
    root = re.search(rb"<workbook\b[^>]*>", xml)
    if root is None or b'xmlns:r="' + REL_NS.encode() + b'"' not in root.group(0):
        raise Unsupported("workbook root not understood")
    sheets = _workbook_sheets(xml)
    ids = [int(x) for x in re.findall(rb'<sheet\b[^>]*?\ssheetId="([0-9]+)"', xml)]
    sheet_id = max(ids, default=0) + 1
    # hidden sheets with marks become visible (from the last, so that offsets stay valid)
    for start, end, name, _rid in reversed(sheets):
        if name in show:
            tag = _drop_attr(xml[start:end], b"state")
            xml = xml[:start] + tag + xml[end:]
    new = f'<sheet name={_attr(list_name)} sheetId="{sheet_id}" r:id="{rid}"/>'.encode()
    m = re.search(rb"<sheets\s*>", xml)
    if m is None:
        raise Unsupported("no <sheets>")
    xml = xml[:m.end()] + new + xml[m.end():]
    # defined names local to a sheet follow it down one place
    xml = re.sub(rb'(<definedName\b[^>]*?\slocalSheetId=")([0-9]+)"',
                 lambda d: d.group(1) + str(int(d.group(2)) + 1).encode() + b'"', xml)
    quoted = "'" + list_name.replace("'", "''") + "'"
    last_col = col_letters(ncols)
    names = (f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
             f"{_text(quoted)}!$A$3:${last_col}${max(3, last_row)}</definedName>"
             f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{_text(quoted)}!$3:$3</definedName>').encode()
    m = re.search(rb"<definedNames\b[^>]*?(/?)>", xml)
    if m is not None and m.group(1):  # <definedNames/>
        xml = xml[:m.start()] + b"<definedNames>" + names + b"</definedNames>" + xml[m.end():]
    elif m is not None:
        xml = xml[:m.end()] + names + xml[m.end():]
    else:
        after = max(xml.find(b"</sheets>") + 9, xml.find(b"</externalReferences>") + 21 if b"</externalReferences>" in xml else 0)
        if b"<functionGroups" in xml[after:] or b"<externalReferences" in xml[after:]:
            raise Unsupported("defined names cannot be placed")
        xml = xml[:after] + b"<definedNames>" + names + b"</definedNames>" + xml[after:]
    # the issue list is the first sheet shown, and the active one
    view = re.search(rb"<workbookView\b[^>]*?/?>", xml)
    if view is not None:
        tag = _drop_attr(_drop_attr(view.group(0), b"firstSheet"), b"activeTab")
        xml = xml[:view.start()] + tag + xml[view.end():]
    return xml


def _custom_props(pkg: _Package, props: dict[str, str]) -> None:
    part = "docProps/custom.xml"
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    if pkg.exists(part):
        xml = pkg.read(part)
        if b"</Properties>" not in xml or b"xmlns:vt=" not in xml:
            raise Unsupported("custom properties not understood")
        pids = [int(p) for p in re.findall(rb'\spid="([0-9]+)"', xml)]
    else:
        xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
               b'openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="' + vt.encode()
               + b'"></Properties>')
        pids = []
        rels, _rid = _add_relationship(pkg.read("_rels/.rels"), T_CUSTOM, part)
        pkg.write("_rels/.rels", rels)
        pkg.write("[Content_Types].xml", _add_content_type(pkg.read("[Content_Types].xml"), part, CT_CUSTOM))
    pid = max(pids, default=1) + 1
    items = []
    for name, value in props.items():
        items.append(f'<property fmtid="{FMTID}" pid="{pid}" name={_attr(name)}><vt:lpwstr>{_text(value)}'
                     f"</vt:lpwstr></property>")
        pid += 1
    pkg.write(part, xml.replace(b"</Properties>", "".join(items).encode() + b"</Properties>", 1))


# ------------------------------------------------------------------------------------------ the copy

_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


class Patch:
    """One workbook package, opened for marking. Raises Unsupported (here or in write()) when it is not of
    the usual shape. `marker`: names of custom properties that make the file a feedback copy handed back
    (its old marks must go: openpyxl's job)."""

    def __init__(self, data: bytes, marker: Sequence[str]) -> None:
        pkg = self.pkg = _Package(data)
        office = [t for _i, typ, t in _relationships(pkg.read("_rels/.rels")) if typ.endswith("/officeDocument")]
        if len(office) != 1:
            raise Unsupported("no single workbook part")
        self.wb_part = posixpath.normpath(office[0].lstrip("/"))
        if pkg.exists("docProps/custom.xml"):
            custom = pkg.read("docProps/custom.xml")
            if any(name.encode("utf-8") in custom for name in marker):
                raise Unsupported("a feedback copy handed back")
        self.wb_xml = pkg.read(self.wb_part)
        self.wb_rels_part = _rels_of(self.wb_part)
        self.wb_rels = pkg.read(self.wb_rels_part)
        rels = _relationships(self.wb_rels)
        targets = {rid: (typ, _resolve(self.wb_part, t)) for rid, typ, t in rels}
        styles = [_resolve(self.wb_part, t) for _i, typ, t in rels if typ.endswith("/styles")]
        if len(styles) != 1:
            raise Unsupported("no single styles part")
        self.styles_part = styles[0]
        self.sheets = _workbook_sheets(self.wb_xml)
        self.sheet_names = [name for _s, _e, name, _r in self.sheets]
        self.part_of = {name: targets.get(rid, ("", ""))[1] for _s, _e, name, rid in self.sheets}
        self.kind_of = {name: targets.get(rid, ("", ""))[0] for _s, _e, name, rid in self.sheets}
        self._merges: dict[str, list[tuple[int, int, int, int]]] = {}

    def is_worksheet(self, sheet: str) -> bool:
        return self.kind_of.get(sheet) == T_WORKSHEET

    def top_left(self, sheet: str, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), else the cell itself (1-based)."""
        if sheet not in self._merges:
            xml = self.pkg.read(self.part_of[sheet])
            self._merges[sheet] = [(int(r1), _col_number(c1), int(r2), _col_number(c2))
                                   for c1, r1, c2, r2 in _MERGE.findall(xml)]
        for r1, c1, r2, c2 in self._merges[sheet]:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col

    def write(self, marks: Sequence[Mark], lst: IssueList, *, author: str, props: dict[str, str],
              fills: dict[Severity, str], fonts: dict[Severity, str], header_fill: str,
              lines: Callable[[str, float], int]) -> bytes:
        """The annotated copy: marks, the issue list first, custom properties."""
        pkg = self.pkg
        if lst.name in self.part_of:
            raise Unsupported("a sheet has the issue list's name")
        styles = _Styles(pkg.read(self.styles_part))
        by_sheet: dict[str, list[Mark]] = {}
        for m in marks:
            by_sheet.setdefault(m.sheet, []).append(m)
        ct = pkg.read("[Content_Types].xml")
        for sheet, items in by_sheet.items():
            part = self.part_of.get(sheet, "")
            if not self.is_worksheet(sheet) or not pkg.exists(part):
                raise Unsupported(f"no worksheet part for {sheet}")
            xml = pkg.read(part)
            if not re.search(rb"<worksheet\b", xml[:4096]) or _ODD_TAG.search(xml):
                raise Unsupported(f"sheet {sheet} is not of the usual shape")
            rels_part = _rels_of(part)
            rels = pkg.read(rels_part) if pkg.exists(rels_part) else None
            if b"<legacyDrawing" in xml or (rels is not None and any(
                    typ in (T_COMMENTS, T_VML) for _i, typ, _t in _relationships(rels))):
                raise Unsupported(f"sheet {sheet} has comments already")
            current = _cell_styles(xml, {(m.row, m.col) for m in items})
            formats = {(m.row, m.col): styles.marked(current.get((m.row, m.col), 0), fills[m.severity])
                       for m in items}
            xml = _mark_cells(xml, formats)
            if any(m.comment is not None for m in items):
                comments, vml = _comment_parts(items, author)
                comments_part = pkg.free("xl/comments/comment{}.xml")
                pkg.write(comments_part, comments)
                vml_part = pkg.free("xl/drawings/commentsDrawing{}.vml")
                pkg.write(vml_part, vml)
                rels, _c = _add_relationship(rels, T_COMMENTS, "/" + comments_part)
                rels, vml_rid = _add_relationship(rels, T_VML, "/" + vml_part)
                pkg.write(rels_part, rels)
                xml = _add_legacy_drawing(xml, vml_rid)
                ct = _add_content_type(ct, comments_part, CT_COMMENTS)
                ct = _add_content_type(ct, None, CT_VML, extension="vml")
            pkg.write(part, xml)
        # no sheet but the issue list is selected (Excel would group selected sheets)
        for name in self.sheet_names:
            part = self.part_of.get(name, "")
            if part and pkg.exists(part) and self.is_worksheet(name):
                xml = pkg.read(part)
                if b'tabSelected="1"' in xml:
                    pkg.write(part, re.sub(rb'(<sheetView\b[^>]*?)\stabSelected="1"', rb"\1", xml))
        list_part = pkg.free("xl/worksheets/sheet{}.xml")
        pkg.write(list_part, _list_sheet(lst, styles, fills, fonts, header_fill, lines))
        ct = _add_content_type(ct, list_part, CT_WORKSHEET)
        wb_rels, list_rid = _add_relationship(self.wb_rels, T_WORKSHEET, "/" + list_part)
        pkg.write(self.wb_rels_part, wb_rels)
        pkg.write(self.wb_part, _patch_workbook(self.wb_xml, lst.name, list_rid, set(by_sheet),
                                                3 + len(lst.rows), len(lst.headers)))
        pkg.write(self.styles_part, styles.result())
        pkg.write("[Content_Types].xml", ct)
        _custom_props(pkg, props)
        return pkg.to_bytes()
