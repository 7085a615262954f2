"""Notes (备注) are Markdown typed by reps: rendered, then sanitised with nh3 (a maintained sanitiser).

Only text formatting, lists, tables, code and links survive; no images (they would make the browser
fetch from another host), no scripts, styles, frames or event attributes, and links only to http(s) and
mailto, opened with rel="noopener noreferrer".
"""

from __future__ import annotations

import markdown
import nh3

TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "a"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_notes(text: str) -> str:
    """Markdown -> safe HTML (a string to mark safe in templates)."""
    if not text.strip():
        return ""
    html = markdown.markdown(text, extensions=["tables", "sane_lists", "nl2br"], output_format="html")
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
