"""The Excel download of the main tables (data/export.xlsx), for managers who work on in Excel.

Written directly as SpreadsheetML so that it is fast, byte-identical for the same input (fixed zip
timestamps, no creation date) and safe: every text is an inline string (never a formula), and a text that
starts with = + - @ (or a tab / carriage return) also gets the quotePrefix style, so that editing the cell in
Excel or WPS keeps it text. Private fields are never among the columns.

The zip is written by zipblocks.py: a sheet's rows are deflated in pieces of a few accounts each, and a warm
build re-uses the pieces of unchanged accounts from the state folder (exportcache.py). The bytes are the same
whichever pieces were re-used: a warm build's export is the cold build's.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from .config import Config
from .exportcache import Block, BlockCache
from .i18n import Translator
from .issues import Report
from .measures import Measures
from .measures.common import probability, weighted
from .model import CompetitionRow, FollowUp, KeyPerson
from .zipblocks import Piece, deflate, zip_file

Cell = str | int | float | bool | date | None

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_EPOCH = date(1899, 12, 30)
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
    w = SheetWriter(headers)
    return w.head() + w.rows_xml(rows) + w.tail()


TEXT_MEMO = 200_000  # distinct cell texts remembered while writing (names, methods, purposes repeat)


class SheetWriter:
    """A worksheet's XML in three parts: the head (through the header row), rows, and the tail (which needs
    the number of rows). A cell's XML depends only on its value: texts, dates, whole numbers and yes/no are
    written once per distinct value. Rows carry no `r` reference, so a run of rows is the same text wherever
    it lands in the sheet."""

    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = headers
        self.width = len(headers)
        self.rows = 1  # the header row
        self.texts: dict[str, str] = {}
        self.others: dict[tuple[type, object], str] = {}

    def head(self) -> str:
        parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                 'state="frozen"/></sheetView></sheetViews>'
                 '<cols>']
        for i in range(self.width):
            parts.append(f'<col min="{i + 1}" max="{i + 1}" width="16" customWidth="1"/>')
        parts.append("</cols><sheetData>")
        parts.append("<row>" + "".join(map(_header, self.headers)) + "</row>")
        return "".join(parts)

    def rows_xml(self, rows: Iterable[Sequence[Cell]]) -> str:
        return "".join(self.row_chunks(rows))

    def row_chunks(self, rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
        """The rows' XML in pieces of a few thousand rows (250,000 follow-ups never sit in memory whole)."""
        width = self.width
        texts, others = self.texts, self.others
        parts: list[str] = []
        for row in rows:
            self.rows += 1
            if len(row) != width:
                raise ValueError(f"row {self.rows} has {len(row)} cells, the header {width}")
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
        if parts:
            yield "".join(parts)

    def tail(self) -> str:
        auto = f'<autoFilter ref="A1:{_col(self.width - 1)}{self.rows}"/>' if self.headers else ""
        return "</sheetData>" + auto + "</worksheet>"


@dataclass(frozen=True)
class Segment:
    """A run of a sheet's rows, deflated as one piece. `key` (see exportcache.py) says what the rows are made
    of; None: never kept. `rows` makes them (called only when the cache does not hold the piece)."""

    key: bytes | None
    rows: Callable[[], Iterable[Sequence[Cell]]]


SheetSpec = tuple[str, Sequence[str], Sequence[Segment]]


def _piece(chunks: Iterable[str]) -> Piece:
    return deflate(c.encode("utf-8") for c in chunks)


def _sheet_pieces(headers: Sequence[str], segments: Iterable[Segment], cache: BlockCache | None) -> list[Piece]:
    w = SheetWriter(headers)
    pieces = [_piece([w.head()])]
    for seg in segments:
        block = cache.get(seg.key) if cache is not None else None
        if block is None:
            before = w.rows
            piece = _piece(w.row_chunks(seg.rows()))
            block = Block(piece, w.rows - before)
            if cache is not None:
                cache.put(seg.key, block)
        else:
            w.rows += block.rows
        pieces.append(block.piece)
    pieces.append(_piece([w.tail()]))
    return pieces


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    """[(sheet name, headers, rows)] -> the bytes of an .xlsx file. Rows may be generators."""
    return write_workbook([(name, headers, [Segment(None, partial(_same, rows))]) for name, headers, rows in sheets])


def _same(rows: Iterable[Sequence[Cell]]) -> Iterable[Sequence[Cell]]:
    return rows


def write_workbook(sheets: Sequence[SheetSpec], cache: BlockCache | None = None) -> bytes:
    """[(sheet name, headers, segments)] -> the bytes of an .xlsx file. Each segment is one deflated piece,
    kept in `cache` under its key: the bytes are the same with or without a cache, warm or cold."""
    names = [_esc(n)[:31] for n, _, _ in sheets]
    files: list[tuple[str, str]] = []
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
    entries: list[tuple[str, Sequence[Piece]]] = [(name, [_piece([text])]) for name, text in files]
    for i, (_, headers, segments) in enumerate(sheets):
        entries.append((f"xl/worksheets/sheet{i + 1}.xml", _sheet_pieces(headers, segments, cache)))
    return zip_file(entries)


def _yesno(v: bool | None) -> str:
    return "" if v is None else ("是" if v else "否")


def export_tables(m: Measures, report: Report, config: Config, cache: BlockCache | None = None) -> bytes:
    """The workbook: accounts and projects, key persons (public columns), competition, follow-ups, issues.
    The sheets are written in pieces of a few accounts each; the pieces `cache` holds are re-used and the
    cache is saved afterwards with this export's pieces (exportcache.py)."""
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
    dims = list(config.score_dimensions)

    def key(sheet: str, extra: Sequence[str], records: Sequence[Any], reps: bool = False) -> bytes | None:
        return cache.key(sheet, extra, records, reps) if cache is not None else None

    def by_value(sheet: str, rows: list[list[Any]]) -> Segment:
        return Segment(cache.content_key(sheet, rows) if cache is not None else None, lambda: rows)

    # the projects hold measures (stale, overdue, probabilities): their pieces are keyed by the rows' values
    project_groups: list[list[list[Any]]] = [[]]
    for row in projects:
        if project_groups[-1] and project_groups[-1][-1][0] != row[0] \
                and zlib.crc32(str(project_groups[-1][-1][0]).encode("utf-8", "surrogatepass")) % PROJECTS_GROUP == 0:
            project_groups.append([])
        project_groups[-1].append(row)

    persons = []
    for group in _groups(sorted(idx.persons), PERSONS_GROUP):
        # the last contact of a key person comes from the follow-ups too (issue 18): it is part of the key
        blocks = [(idx.persons[aid], idx.accounts[aid].name if aid in idx.accounts else "", _last_contacts(m, aid))
                  for aid in group]
        people = [k for b, _name, _dates in blocks for k in b]
        persons.append(Segment(key("persons", [name for _b, name, _d in blocks]
                                   + [d.isoformat() if d else "" for _b, _n, dates in blocks for d in dates], people),
                               partial(_person_rows, blocks)))
    competition = []
    for group in _groups(sorted(idx.competition), COMPETITION_GROUP):
        rows_of = [r for aid in group for r in idx.competition[aid]]
        competition.append(Segment(key("competition", (), rows_of), partial(_competition_rows, rows_of, dims)))
    followups = []
    for group in _groups(sorted(idx.followups), FOLLOWUPS_GROUP):
        contacts = [f for aid in group for f in idx.followups[aid]]
        followups.append(Segment(key("followups", (), contacts, reps=True), partial(_followup_rows, contacts)))
    issues = [[i.severity.value, i.code, i.message, i.file, i.sheet, i.cell, i.rep, i.account] for i in report.issues]
    h = t
    out = write_workbook([
        (h("x.sheet_projects"), [h("col.account_id"), h("col.account"), h("col.project"), h("col.rep"),
                                 h("col.team"), h("col.category"), h("col.grade"), h("col.industry"),
                                 h("col.region"), h("col.stage"), h("col.value"), h("col.probability"),
                                 h("col.weighted"), h("col.expected_close"), "M", "A", "N", h("col.win_loss_reason"),
                                 h("col.last_contact"), h("col.stale"), h("col.overdue_due")],
         [by_value("projects", rows) for rows in project_groups]),
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
                               h("col.rep"), h("col.account_id")], [by_value("issues", issues)]),
    ], cache)
    if cache is not None:
        cache.save()
    return out


# A piece of a big sheet holds a group of consecutive accounts: one account's rows alone deflate badly (a key
# person block is about 3 KB: the export would grow by half). A group ends after an account whose id hashes to
# 0 modulo the group size, so where groups end depends on the ids alone: a change in one account never moves
# another group's ends. Sizes chosen on the benchmark department: the export about 4% larger than deflating
# each sheet whole, and a changed rep's workbook (its ~30 accounts) re-writes about 5% of the follow-ups.
PERSONS_GROUP = 32
PROJECTS_GROUP = 32
COMPETITION_GROUP = 32
FOLLOWUPS_GROUP = 8


def _groups(ids: Sequence[str], every: int) -> list[list[str]]:
    groups: list[list[str]] = []
    group: list[str] = []
    for aid in ids:
        group.append(aid)
        if zlib.crc32(aid.encode("utf-8", "surrogatepass")) % every == 0:
            groups.append(group)
            group = []
    if group:
        groups.append(group)
    return groups


# The rows of a group's piece: made of its records alone (and what the piece's key names besides them).

def _last_contacts(m: Measures, account_id: str) -> tuple[date | None, ...]:
    """Each key person's last contact (follow-ups or 最近接触日期), in key-person order."""
    f = m.facts.get(account_id)
    persons = m.index.persons.get(account_id, ())
    if f is None or len(f.contacts.persons) != len(persons):
        return tuple(k.last_contact for k in persons)
    return tuple(c.last_contact for c in f.contacts.persons)


def _person_rows(blocks: Sequence[tuple[Sequence[KeyPerson], str, Sequence[date | None]]]) -> Iterator[list[Any]]:
    for records, account_name, dates in blocks:
        for k, last in zip(records, dates, strict=True):
            yield [k.account_id, account_name, k.name, k.dept, k.title, "、".join(k.roles), k.influence, k.attitude,
                   k.relationship, "、".join(k.personal_need), k.style, k.reports_to, last, k.strategy]


def _competition_rows(records: Sequence[CompetitionRow], dims: Sequence[str]) -> Iterator[list[Any]]:
    for r in records:
        scores = dict(r.scores)
        yield [r.account_id, r.party, r.offering, r.price, r.strengths, r.weaknesses, *[scores.get(d) for d in dims],
               r.threat, r.supporters, r.strategy]


def _followup_rows(records: Sequence[FollowUp]) -> Iterator[list[Any]]:
    for f in records:
        yield [f.date, f.account_id, f.rep, f.method, f.contact, f.purpose, f.content, f.feedback,
               _yesno(f.effective), f.next_action, f.next_date]
