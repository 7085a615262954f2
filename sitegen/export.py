"""The Excel download of the main tables (data/export.xlsx), for managers who work on in Excel.

Written directly as SpreadsheetML so that it is fast, byte-identical for the same input (fixed zip
timestamps, no creation date) and safe: every text is an inline string (never a formula), and a text that
starts with = + - @ (or a tab / carriage return) also gets the quotePrefix style, so that editing the cell in
Excel or WPS keeps it text. Private fields are never among the columns.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from .config import Config
from .i18n import Translator
from .issues import Report
from .measures import Measures
from .measures.common import probability, weighted

Cell = str | int | float | bool | date | None

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_EPOCH = date(1899, 12, 30)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_TEXT = 32767

# cellXfs: 0 normal, 1 text with quotePrefix, 2 header, 3 date
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Microsoft YaHei"/></font>'
    '<font><b/><sz val="11"/><name val="Microsoft YaHei"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE2E8F0"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# Cells are written without their optional `r` reference (position follows order; an empty cell is <c/>),
# one small function per value type: the follow-up sheet alone may hold millions of cells.

def _text(v: str) -> str:
    if not v:
        return "<c/>"
    style = ' s="1"' if v.startswith(_RISKY) else ""
    space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
    return f'<c t="inlineStr"{style}><is><t{space}>{_esc(v)}</t></is></c>'


def _number(v: float) -> str:
    return f"<c><v>{v!r}</v></c>" if math.isfinite(v) else "<c/>"


def _day(v: date) -> str:
    return f'<c s="3"><v>{(v - _EPOCH).days}</v></c>'


def _yes_no(v: bool) -> str:
    return _text("是" if v else "否")


_WRITERS: dict[type, Callable[[Any], str]] = {str: _text, int: _number, float: _number, date: _day, bool: _yes_no,
                                              type(None): lambda _v: "<c/>"}


def _cell(v: Cell) -> str:
    writer = _WRITERS.get(type(v))
    return writer(v) if writer else _text(str(v))


def _header(v: str) -> str:
    return f'<c t="inlineStr" s="2"><is><t>{_esc(v)}</t></is></c>'


def sheet_xml(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    return "".join(sheet_chunks(headers, rows))


TEXT_MEMO = 200_000  # distinct cell texts remembered while writing (names, methods, purposes repeat)


def sheet_chunks(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The worksheet XML in pieces of a few thousand rows (a sheet of 250,000 follow-ups never sits in
    memory whole). A cell's XML depends only on its value: texts, dates, whole numbers and yes/no are
    written once per distinct value."""
    width = len(headers)
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
             'state="frozen"/></sheetView></sheetViews>'
             '<cols>']
    for i in range(width):
        parts.append(f'<col min="{i + 1}" max="{i + 1}" width="16" customWidth="1"/>')
    parts.append("</cols><sheetData>")
    parts.append("<row>" + "".join(map(_header, headers)) + "</row>")
    texts: dict[str, str] = {}
    others: dict[tuple[type, object], str] = {}
    n = 1
    for row in rows:
        n += 1
        if len(row) != width:
            raise ValueError(f"row {n} has {len(row)} cells, the header {width}")
        cells = []
        for v in row:
            cls = v.__class__
            if cls is str:
                x = texts.get(v)  # type: ignore[arg-type]
                if x is None:
                    x = _text(v)  # type: ignore[arg-type]
                    if len(texts) < TEXT_MEMO:
                        texts[v] = x  # type: ignore[index]
            elif v is None:
                x = "<c/>"
            elif cls is float:
                x = _number(v)  # type: ignore[arg-type]  # not remembered: 0.0 and -0.0 are equal keys
            else:
                key = (cls, v)
                x = others.get(key)  # type: ignore[assignment]
                if x is None:
                    x = others[key] = _cell(v)
            cells.append(x)
        parts.append("<row>" + "".join(cells) + "</row>")
        if len(parts) >= 2000:
            yield "".join(parts)
            parts = []
    parts.append("</sheetData>")
    if headers:
        parts.append(f'<autoFilter ref="A1:{_col(width - 1)}{max(n, 1)}"/>')
    parts.append("</worksheet>")
    yield "".join(parts)


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    """[(sheet name, headers, rows)] -> the bytes of an .xlsx file. Rows may be generators."""
    names = [_esc(n)[:31] for n, _, _ in sheets]
    files: list[tuple[str, str | Iterable[str]]] = []
    files.append(("[Content_Types].xml",
                  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  '<Default Extension="xml" ContentType="application/xml"/>'
                  '<Override PartName="/xl/workbook.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                  '<Override PartName="/xl/styles.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                  + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(len(sheets)))
                  + "</Types>"))
    files.append(("_rels/.rels",
                  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                  'Target="xl/workbook.xml"/></Relationships>'))
    files.append(("xl/workbook.xml",
                  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                  + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
                  + "</sheets></workbook>"))
    files.append(("xl/_rels/workbook.xml.rels",
                  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  + "".join(f'<Relationship Id="rId{i + 1}" '
                            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                            f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
                  + f'<Relationship Id="rId{len(sheets) + 1}" '
                    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
                    'Target="styles.xml"/></Relationships>'))
    files.append(("xl/styles.xml", _STYLES))
    for i, (_, headers, rows) in enumerate(sheets):
        files.append((f"xl/worksheets/sheet{i + 1}.xml", sheet_chunks(headers, rows)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            _fast(info)
            with z.open(info, "w") as fh:
                for chunk in ([text] if isinstance(text, str) else text):
                    fh.write(chunk.encode("utf-8"))
    return buf.getvalue()


def _fast(info: zipfile.ZipInfo) -> None:
    """Compression level 1: fast (the file is rebuilt every week). The attribute's name changed in 3.13."""
    for name in ("compress_level", "_compresslevel"):
        try:
            setattr(info, name, 1)
            return
        except AttributeError:
            continue


def _yesno(v: bool | None) -> str:
    return "" if v is None else ("是" if v else "否")


def export_tables(m: Measures, report: Report, config: Config) -> bytes:
    """The workbook: accounts and projects, key persons (public columns), competition, follow-ups, issues."""
    t = Translator(config.language)
    idx = m.index
    projects: list[list[Any]] = []
    for f in m.facts.values():
        a = f.account
        for p in a.projects:
            projects.append([a.id, a.name, p.name, a.rep, f.team, a.category, a.grade, a.industry, a.region, p.stage,
                             p.value, round(probability(p, config), 4), round(weighted(p, config), 2),
                             p.expected_close, _yesno(p.budget), _yesno(p.decision_maker), _yesno(p.need),
                             p.win_loss_reason, f.last_contact, "是" if f.stale else "",
                             f.overdue.due if f.overdue else None])
    persons = ([k.account_id, idx.accounts[k.account_id].name if k.account_id in idx.accounts else "", k.name,
                k.dept, k.title, "、".join(k.roles), k.influence, k.attitude, k.relationship, "、".join(k.personal_need),
                k.style, k.reports_to, k.last_contact, k.strategy]
               for aid in sorted(idx.persons) for k in idx.persons[aid])
    dims = list(config.score_dimensions)
    competition = ([r.account_id, r.party, r.offering, r.price, r.strengths, r.weaknesses,
                    *[dict(r.scores).get(d) for d in dims], r.threat, r.supporters, r.strategy]
                   for aid in sorted(idx.competition) for r in idx.competition[aid])
    followups = ([f.date, f.account_id, f.rep, f.method, f.contact, f.purpose, f.content, f.feedback,
                  _yesno(f.effective), f.next_action, f.next_date]
                 for aid in sorted(idx.followups) for f in idx.followups[aid])
    issues = [[i.severity.value, i.code, i.message, i.file, i.sheet, i.cell, i.rep, i.account] for i in report.issues]
    h = t
    return write_xlsx([
        (h("x.sheet_projects"), [h("col.account_id"), h("col.account"), h("col.project"), h("col.rep"),
                                 h("col.team"), h("col.category"), h("col.grade"), h("col.industry"),
                                 h("col.region"), h("col.stage"), h("col.value"), h("col.probability"),
                                 h("col.weighted"), h("col.expected_close"), "M", "A", "N", h("col.win_loss_reason"),
                                 h("col.last_contact"), h("col.stale"), h("col.overdue_due")], projects),
        (h("x.sheet_persons"), [h("col.account_id"), h("col.account"), h("kp.name"), h("kp.dept"), h("kp.title"),
                                h("kp.roles"), h("kp.influence"), h("kp.attitude"), h("kp.relationship"),
                                h("kp.personal_need"), h("kp.style"), h("kp.reports_to"), h("col.last_contact"),
                                h("kp.strategy")], persons),
        (h("x.sheet_competition"), [h("col.account_id"), h("comp.party"), h("comp.offering"), h("comp.price"),
                                    h("comp.strengths"), h("comp.weaknesses"), *dims, h("comp.threat"),
                                    h("comp.supporters"), h("comp.strategy")], competition),
        (h("x.sheet_followups"), [h("fu.date"), h("col.account_id"), h("col.rep"), h("fu.method"), h("fu.contact"),
                                  h("fu.purpose"), h("fu.content"), h("fu.feedback"), h("fu.effective"),
                                  h("fu.next_action"), h("fu.next_date")], followups),
        (h("x.sheet_issues"), [h("q.severity"), h("q.code"), h("q.message"), h("q.file"), h("q.sheet"), h("q.cell"),
                               h("col.rep"), h("col.account_id")], issues),
    ])
