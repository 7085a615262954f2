"""File and folder names in any encoding, shown as text.

A zip made on a Chinese Windows PC and unpacked elsewhere gives names that are GBK bytes, not UTF-8: Python
holds them with surrogate escapes, which no UTF-8 file (build record, feedback folder, issue list, pages)
can hold. Such a name is shown decoded as GBK where that works, else with its undecodable bytes escaped
(\\xNN). The file itself is always opened by its real name.
"""

from __future__ import annotations

import os


def shown(name: str) -> str:
    """`name` (a path: each of its parts on its own) as text that any UTF-8 file can hold (unchanged when
    it already is)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    return "/".join(_part(p) for p in name.split("/"))


def _part(name: str) -> str:
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")
