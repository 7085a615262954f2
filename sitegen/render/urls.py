"""Stable, ASCII, collision-free page paths for accounts, reps, teams and competitors.

A name that is already a short, safe ASCII word keeps it (lower case: `KA-001` -> `accounts/ka-001.html`);
anything else — Chinese, punctuation, a Windows reserved name, a very long id — becomes a prefix and 8 hex
digits of its SHA-1 (`reps/r-1a2b3c4d.html`). Names that would share a file on a case-insensitive disk get
the hash as a suffix. Paths are built only from these slugs, so no name can point outside the output.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
_RESERVED = {"con", "prn", "aux", "nul", "clock$", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def base_slug(name: str, prefix: str) -> str:
    if _SAFE.fullmatch(name) and name.lower() not in _RESERVED:
        return name.lower()
    return f"{prefix}-{short_hash(name)}"


def slugs(names: Iterable[str], prefix: str) -> dict[str, str]:
    """name -> slug, unique ignoring case, for a set of names."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(names)):
        groups[base_slug(name, prefix)].append(name)
    out: dict[str, str] = {}
    for slug, members in groups.items():
        if len(members) == 1:
            out[members[0]] = slug
        else:
            for name in members:
                out[name] = f"{slug}-{short_hash(name, 10)}"
    return out


class Urls:
    """Paths of the pages, relative to the output folder, with forward slashes."""

    INDEX = "index.html"
    ACCOUNTS = "accounts.html"
    TEAMS = "teams.html"
    COMPETITORS = "competitors.html"
    QUALITY = "quality.html"
    CHANGES = "changes.html"
    RESOURCES = "resources.html"  # issue 18: resource-support requests

    def __init__(self, accounts: Iterable[str], reps: Iterable[str], teams: Iterable[str],
                 competitors: Iterable[str]) -> None:
        self._accounts = slugs(accounts, "a")
        self._reps = slugs(reps, "r")
        self._teams = slugs(teams, "t")
        self._competitors = slugs(competitors, "c")

    def account(self, account_id: str) -> str | None:
        slug = self._accounts.get(account_id)
        return f"accounts/{slug}.html" if slug else None

    def plan(self, account_id: str, project: str) -> str | None:
        """The one-page account plan of a project (issue 18): its account's slug and a hash of its name."""
        slug = self._accounts.get(account_id)
        return f"plans/{slug}-{short_hash(project, 8)}.html" if slug else None

    def rep(self, name: str) -> str | None:
        slug = self._reps.get(name)
        return f"reps/{slug}.html" if slug else None

    def team(self, name: str) -> str | None:
        slug = self._teams.get(name)
        return f"teams/{slug}.html" if slug else None

    def competitor_anchor(self, name: str) -> str:
        return f"c-{short_hash(name)}"

    def competitor(self, name: str) -> str | None:
        return f"{self.COMPETITORS}#{self.competitor_anchor(name)}" if name in self._competitors else None

    def account_map(self) -> dict[str, str]:
        return {aid: f"accounts/{slug}.html" for aid, slug in sorted(self._accounts.items())}
