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


_MARKUP = re.compile(r"[*_#\[\]`|<>!~&\\]|^\s*(?:[-+=]|\d+[.)])|^ {4}|^\t", re.M)


def _plain(text: str) -> str:
    """Text without any Markdown syntax, as Markdown would render it: paragraphs, line breaks kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join("<p>" + escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs)


def render_notes(text: str) -> str:
    """Markdown -> safe HTML (a string to mark safe in templates). Plain text skips the (slow) converter."""
    if not text.strip():
        return ""
    if not _MARKUP.search(text):
        return _plain(text)
    html = _converter().reset().convert(text)
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
