"""`sitegen columns FILE`: how each sheet of one workbook is read — which form it was taken as and which
header went to which standard column, or stayed an extra column — so that an admin writes the `aliases`
of sitegen.yaml in minutes (issue 15). Nothing is read beyond the header rows."""

from __future__ import annotations

from pathlib import Path

from .cells import col_letter
from .config import Config
from .forms import Column, FormSpec, header_key, header_key_loose
from .read.extract import _matcher, _required_ok
from .read.layout import Matcher, detect_card, detect_table, fill_merged, near_miss
from .read.workbook import ReadFailure, read_workbook


def _how(col: Column, text: object, lang: str) -> str:
    """Why the header names this column: its own name, a sitegen.yaml alias or a built-in one."""
    en = lang == "en"
    k, kl = header_key(text), header_key_loose(text)

    def among(names: tuple[str, ...]) -> bool:
        return any(header_key(n) == k or header_key_loose(n) == kl for n in names if n)

    if among((col.label, col.key, col.en)):
        return "standard name" if en else "标准列名"
    if among(col.user_aliases):
        return "alias from sitegen.yaml" if en else "sitegen.yaml 中的别名"
    return "built-in alias" if en else "内置别名"


def explain(path: Path, cfg: Config) -> tuple[int, list[str]]:
    """(exit code, lines): 0 when the workbook could be opened, 1 when not."""
    lang = cfg.language
    en = lang == "en"
    try:
        wb = read_workbook(path)
    except (ReadFailure, OSError) as exc:
        reason = (exc.reason_en if en else exc.reason_zh) if isinstance(exc, ReadFailure) else str(exc)
        return 1, [f"{path.name}: cannot be read ({reason})" if en else f"{path.name}：无法读取（{reason}）"]
    matcher = _matcher(cfg)
    customer = next(f for f in matcher.forms if f.key == "customer")
    out = [f"{path.name}"]
    for sheet in wb.sheets:
        head = f"[{sheet.name}]"
        if sheet.chart or sheet.error or not sheet.rows:
            why = ("chart sheet" if sheet.chart else sheet.error or "empty") if en else \
                ("图表工作表" if sheet.chart else sheet.error or "空白工作表")
            out.append(f"{head} {'not read' if en else '未读取'}：{why}" if not en else f"{head} not read: {why}")
            continue
        grid = fill_merged(sheet)
        table = detect_table(grid, matcher, sheet.name, path.stem)
        card = detect_card(grid, matcher, customer)
        if card is not None and (table is None or len(card.fields) > len(table.columns)):
            out.append(f"{head} {_title(card.form, en)}{', ' if en else '，'}" + ("card layout (label | value)" if en else "卡片格式（标签 | 值）"))
            for _key, (col, r, c) in sorted(card.fields.items(), key=lambda kv: (kv[1][1], kv[1][2])):
                label = grid.value(r, c - 1)
                out.append(f"  {col_letter(c - 1)}{r + 1} {str(label).strip()} → {_named(col, label, lang)}")
            for label, r, c in card.extras:
                out.append(f"  {col_letter(c - 1)}{r + 1} {label} → " + ("extra field" if en else "额外字段"))
            continue
        if table is not None:
            rows = ("–" if en else "、").join(str(r + 1) for r in table.header_rows)
            out.append(f"{head} {_title(table.form, en)}{', ' if en else '，'}" + (f"header in row {rows}" if en else f"表头在第 {rows} 行"))
            labels = _labels(grid, table.header_rows)
            fed: dict[int, list[Column]] = {}
            for c, col in table.all_columns():
                fed.setdefault(c, []).append(col)
            for c in sorted(set(fed) | set(table.extras)):
                text = labels.get(c, "")
                if c in fed:
                    names = (", " if en else "、").join(_named(col, text, lang) for col in fed[c])
                    out.append(f"  {col_letter(c)} {text} → {names}")
                else:
                    out.append(f"  {col_letter(c)} {text} → " + ("extra column (shown on the account page)" if en
                                                                else "额外列（显示在客户页面）"))
            for label, first, dup in table.duplicates:
                out.append(f"  {col_letter(dup)} {label} → " + (f"ignored: {label} already in column {col_letter(first)}"
                                                              if en else f"忽略：“{label}”已在 {col_letter(first)} 列"))
            owner = table.owner or (path.parent.name if cfg.owner_from_folder else "") or cfg.default_owner
            missing = _required_ok(table.form, {col.key for _, col in table.all_columns()}, cfg, owner)
            if missing:
                names = ", ".join(c.name(lang) for c in missing) if en else "、".join(c.name(lang) for c in missing)
                out.append(f"  ! required but missing: {names}" if en else f"  ！缺少必填列：{names}")
            continue
        out.append(_not_recognised(head, grid, matcher, en, lang))
    return 0, out


def _named(col: Column, text: object, lang: str) -> str:
    how = _how(col, text, lang)
    return f"{col.name(lang)} ({how})" if lang == "en" else f"{col.label}（{how}）"


def _title(form: FormSpec, en: bool) -> str:
    return form.en if en else form.title


def _labels(grid: object, header_rows: tuple[int, ...]) -> dict[int, str]:
    out: dict[int, str] = {}
    for r in header_rows:
        for c, v in enumerate(grid.rows[r]):  # type: ignore[attr-defined]
            if isinstance(v, str) and v.strip():
                out[c] = v.strip()  # the lower header row wins, as the reader reads it
    return out


def _not_recognised(head: str, grid: object, matcher: Matcher, en: bool, lang: str) -> str:
    near = near_miss(grid, matcher)  # type: ignore[arg-type]
    if near is None:
        return f"{head} not recognised: no header row with standard column names" if en else \
            f"{head} 未识别：没有包含标准列名的表头行"
    form, found, missing = near
    sep = ", " if en else "、"
    found_s = sep.join(c.name(lang) for c in found)
    if en:
        return f"{head} not read: looks like a {form.en} (found: {found_s})" + (
            f" but lacks {sep.join(c.name(lang) for c in missing)}" if missing else ", too few columns to be sure")
    return f"{head} 未读取：像{form.title}（已识别：{found_s}）" + (
        f"，但缺少：{sep.join(c.name(lang) for c in missing)}" if missing else "，但标准列太少，无法确认")
