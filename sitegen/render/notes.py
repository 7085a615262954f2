"""Notes (备注) are Markdown typed by reps: rendered, then sanitised with nh3 (a maintained sanitiser).

Only text formatting, lists, tables, code and links survive; no images (they would make the browser
fetch from another host), no scripts, styles, frames or event attributes, and links only to http(s) and
mailto, opened with rel="noopener noreferrer".
"""

from __future__ import annotations

import re
from functools import cache
from html import escape

import markdown
import nh3

TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "a"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@cache
def _converter() -> markdown.Markdown:
    """One converter per process, reset before each note: building one costs more than converting a note."""
    return markdown.Markdown(extensions=["tables", "sane_lists", "nl2br"], output_format="html")


_MARKUP = re.compile(r"[*_#\[\]`|<>!~&\\]|^\s*(?:[-+=•●▪]|\d+[.)])|^ {4}|^\t", re.M)


def _plain(text: str) -> str:
    """Text without any Markdown syntax, as Markdown would render it: paragraphs, line breaks kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join("<p>" + escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs)


_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
_BULLET = re.compile(r"^(\s*)[•●▪]\s*", re.M)


def _as_typed(text: str) -> str:
    """The cell as a rep types it (Alt+Enter between lines, `- ` or `1. ` starting a list line, no blank line
    around the list), made into the Markdown that renders it that way: a blank line between a paragraph and
    a list, either way round. `•` bullets count as `- `. A `<` is text, never the start of a tag."""
    text = _BULLET.sub(r"\1- ", text.replace("\r\n", "\n").replace("<", "&lt;"))
    out: list[str] = []
    was_item = was_blank = True
    for line in text.split("\n"):
        blank = not line.strip()
        item = bool(_ITEM.match(line))
        continued = was_item and not item and line[:1] in (" ", "\t")  # an indented line goes on the item
        if not blank and not was_blank and item != was_item and not continued:
            out.append("")
        out.append(line)
        if not blank:
            was_item = item or continued
        was_blank = blank
    return "\n".join(out)


def render_notes(text: str) -> str:
    """Markdown -> safe HTML (a string to mark safe in templates). Plain text skips the (slow) converter."""
    if not text.strip():
        return ""
    if not _MARKUP.search(text):
        return _plain(text)
    html = _converter().reset().convert(_as_typed(text))
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
