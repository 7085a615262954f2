"""Small view models the templates need and that are awkward in jinja: org charts, stage progress, groupings."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..config import Config
from ..issues import Issue, Severity
from ..model import KeyPerson, Project


@dataclass
class OrgNode:
    person: KeyPerson
    children: list[OrgNode] = field(default_factory=list)


def org_chart(persons: Sequence[KeyPerson]) -> list[OrgNode]:
    """Trees from 汇报对象. A person whose manager is unknown (or who is in a reporting loop) is a root."""
    by_name = {p.name: OrgNode(p) for p in persons}
    roots: list[OrgNode] = []
    for p in persons:
        node = by_name[p.name]
        boss = by_name.get(p.reports_to) if p.reports_to and p.reports_to != p.name else None
        # a loop (A reports to B reports to A) would never reach a root: break it here
        seen: set[str] = set()
        b = boss
        while b is not None and b.person.name != p.name and b.person.name not in seen:
            seen.add(b.person.name)
            nxt = b.person.reports_to
            b = by_name.get(nxt) if nxt and nxt != b.person.name else None
        if boss is None or (b is not None and b.person.name == p.name):
            roots.append(node)
        else:
            boss.children.append(node)
    return roots


def has_hierarchy(persons: Sequence[KeyPerson]) -> bool:
    names = {p.name for p in persons}
    return any(p.reports_to in names and p.reports_to != p.name for p in persons)


@dataclass(frozen=True, slots=True)
class StageStep:
    name: str
    state: str  # done, current, todo


def stage_progress(p: Project, config: Config) -> tuple[list[StageStep], str]:
    """The open stages plus a final 'won' step; and an end-state label ('' while the project runs)."""
    names = [s.name for s in config.stages if s.open]
    st = config.stage(p.stage)
    if st is not None and st.open:
        k = names.index(p.stage)
        steps = [StageStep(n, "done" if i < k else "current" if i == k else "todo") for i, n in enumerate(names)]
        return steps, ""
    if st is not None and st.won:
        return [StageStep(n, "done") for n in names], p.stage
    return [StageStep(n, "todo") for n in names], p.stage


@dataclass(frozen=True)
class IssueGroup:
    rep: str
    files: tuple[tuple[str, tuple[Issue, ...]], ...]
    errors: int
    warnings: int
    infos: int


def group_issues(issues: Sequence[Issue]) -> list[IssueGroup]:
    """Issues grouped by rep, then file, in the report's stable order (reps without a name last)."""
    by_rep: dict[str, dict[str, list[Issue]]] = defaultdict(lambda: defaultdict(list))
    for i in issues:
        by_rep[i.rep][i.file].append(i)
    out = []
    for rep in sorted(by_rep, key=lambda r: (r == "", r)):
        files = tuple((f, tuple(v)) for f, v in sorted(by_rep[rep].items()))
        flat = [i for _, v in files for i in v]
        out.append(IssueGroup(rep, files, sum(i.severity is Severity.ERROR for i in flat),
                              sum(i.severity is Severity.WARNING for i in flat),
                              sum(i.severity is Severity.INFO for i in flat)))
    return out


def issue_kinds(issues: Sequence[Issue]) -> list[tuple[str, str, int]]:
    """(code, severity, count), most frequent first."""
    counts = Counter((i.code, i.severity.value) for i in issues)
    return sorted(((c, s, n) for (c, s), n in counts.items()), key=lambda t: (-t[2], t[0]))
