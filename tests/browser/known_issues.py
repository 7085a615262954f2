"""Known violations of the pages' Content-Security-Policy that another branch fixes (one, marked ISSUE20)."""

from __future__ import annotations


# ISSUE20: templates/accounts.html still has an inline onsubmit handler, which the pages' Content-Security-Policy
# blocks (Chromium logs it as a console error). Issue 20 rewrites that page without it; after merging it, delete
# this function and its uses (tests/browser/test_site.py, test_hostile_pages.py) and the xfail in test_csp.py.
def known_issue20_violation(text: str, url: str) -> bool:
    return "inline event handler" in text and url.split("?")[0].endswith("/accounts.html")
