"""The Content-Security-Policy of every page (a <meta> in base.html; `sitegen serve` also sends it as a header).

The strictest policy Chromium (and so Edge) honours both for pages opened from a folder (file://) and over
HTTP with the site still working; docs/security.md says why each directive is what it is, and
tests/browser/test_csp.py loads every page both ways and fails on any violation:

* nothing is allowed unless named (`default-src 'none'`): no fetch/XHR, no frames, no fonts, no media;
* scripts only from the site's own files (`script-src 'self'`): no inline script, no handler attribute, no
  eval (plotly.min.js needs none);
* style sheets from the site's own files, plus exactly the two <style> elements plotly.min.js inserts itself:
  an empty one it then fills through the CSSOM (hover labels, the mode bar) and MapLibre's CSS. They are allowed
  by their SHA-256, read from the plotly.min.js the site ships, never by 'unsafe-inline';
* images from the site's own files; no plugins, no <base>, no form submission.

`'self'` from file://: Chromium lets a page opened from a folder load file: URLs for 'self' (tested).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache

# the hash of an empty <style>: plotly inserts one and adds its rules with insertRule()
_EMPTY = "sha256-" + base64.b64encode(hashlib.sha256(b"").digest()).decode()


def style_hashes(plotly: bytes) -> tuple[str, ...]:
    """CSP hashes of the <style> contents plotly.min.js sets itself (`e.textContent='...'` right after
    `createElement("style")`)."""
    text = plotly.decode("utf-8", "replace")
    out = [_EMPTY]
    for m in re.finditer(r'createElement\("style"\)', text):
        lit = re.compile(r"""\.textContent=(["'])""").search(text, m.end(), m.end() + 400)
        if lit is None:
            continue
        quote, i = lit.group(1), lit.end()
        j = i
        while j < len(text) and text[j] != quote:
            j += 2 if text[j] == "\\" else 1
        body = text[i:j]
        if "\\" in body:  # an escape would change the text: leave that style blocked rather than guess
            continue
        h = "sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        if h not in out:
            out.append(h)
    return tuple(out)


def policy(plotly: bytes, *, connect: bool = False) -> str:
    """The policy of the site's pages; `connect`: also allow requests to the site itself (the live reload of
    `sitegen serve`, which polls the server)."""
    directives = [
        ("default-src", "'none'"),
        ("script-src", "'self'"),
        ("style-src", " ".join(["'self'", *(f"'{h}'" for h in style_hashes(plotly))])),
        ("img-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("form-action", "'none'"),
    ]
    if connect:
        directives.append(("connect-src", "'self'"))
    return "; ".join(f"{k} {v}" for k, v in directives)


@cache
def site_policy(connect: bool = False) -> str:
    from .render import plotly_js

    return policy(plotly_js(), connect=connect)
