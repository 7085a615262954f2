"""Generate a demo department's input folder: the whole run in one screen.

    world (facts) -> per rep: follow-ups -> rows as the rep types them -> mistakes -> layout -> workbooks
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from pathlib import Path

from . import mistakes as blunders
from .accounts import make_accounts
from .activity import followups_of, last_contacts, overdue_accounts, targets
from .habits import Typist, habits_of
from .layouts import customer_file, rep_books, targets_book
from .people import make_reps
from .rows import build_tables
from .world import Account, World, rng_for
from .xlsx import WRITERS, write_book

DEFAULT_SEED = 20261120
DEFAULT_AS_OF = date(2026, 11, 20)
LAYOUTS = ("a", "b", "c")


@dataclass(frozen=True)
class Mistake:
    key: str
    file: str  # relative to the input folder
    sheet: str
    cell: str
    value: str  # the wrong value as typed ("" = left empty)
    code: str  # the issue code the validator should raise
    severity: str
    rep: str
    account: str
    what: str
    extra_row: bool  # an added row (the file holds one row more than the department's data)
    other: str = ""  # for a duplicate: where the first definition is


@dataclass(frozen=True)
class RepInfo:
    name: str
    team: str
    layout: str  # a | b | c
    writer: str  # openpyxl | xlsxwriter
    files: tuple[str, ...]
    accounts: int
    followups: int


@dataclass(frozen=True)
class Manifest:
    """What was generated. Counts are of the department's data, without the rows added as mistakes."""

    seed: int
    as_of: date
    teams: tuple[str, ...]
    reps: tuple[RepInfo, ...]
    accounts: int
    projects: int
    key_persons: int
    competition_rows: int
    followups_per_rep: dict[str, int]
    targets: int
    files: tuple[str, ...]
    mistakes: tuple[Mistake, ...] = ()
    stale_accounts: tuple[str, ...] = ()  # no contact for more than 30 days (on purpose)
    overdue_accounts: tuple[str, ...] = ()  # latest next-action date has passed (includes the stale ones)
    no_decision_maker: tuple[str, ...] = ()

    @property
    def followups(self) -> int:
        return sum(self.followups_per_rep.values())

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat()
        d["followups"] = self.followups
        return d


def build_world(*, teams: int, reps_per_team: int, accounts: int, followups_per_account: float,
                key_persons_per_account: int, seed: int, as_of: date, writers: Sequence[str] = WRITERS,
                layouts: Sequence[str] = LAYOUTS) -> World:
    taken: set[str] = set()
    team_names, reps = make_reps(seed, teams, reps_per_team, writers, layouts, taken)
    accs = make_accounts(seed, as_of, reps, accounts, key_persons_per_account, followups_per_account, set(taken))
    return World(seed, as_of, team_names, reps, accs, max(3, len(str(accounts + 1))), frozenset(taken))


def generate_department(
    out_dir: Path,
    *,
    teams: int = 3,
    reps_per_team: int = 3,
    accounts: int = 90,
    followups_per_account: float = 24,
    key_persons_per_account: int = 5,
    seed: int = DEFAULT_SEED,
    as_of: date = DEFAULT_AS_OF,
    mistakes: bool = True,
    writers: Sequence[str] = WRITERS,
    layouts: Sequence[str] = LAYOUTS,
    clean: bool = False,
    jobs: int = 1,
    write: bool = True,
) -> Manifest:
    """Write a realistic department's workbooks under `out_dir`; same arguments, same cell values.

    `writers` and `layouts` restrict which writers (openpyxl, xlsxwriter) and layouts (a, b, c) reps use.
    `clean` first deletes the .xlsx files already under `out_dir`. `jobs` > 1 writes the reps' workbooks
    in that many processes (the output does not depend on it). `write=False` only computes the manifest.
    """
    if teams < 1 or reps_per_team < 1 or accounts < 1 or key_persons_per_account < 2:
        raise ValueError("teams, reps_per_team and accounts must be >= 1, key_persons_per_account >= 2")
    if not writers or any(w not in WRITERS for w in writers) or not layouts or any(x not in LAYOUTS for x in layouts):
        raise ValueError(f"writers must be among {WRITERS}, layouts among {LAYOUTS}")
    out_dir = Path(out_dir)
    if clean and write:
        remove_workbooks(out_dir)
    world = build_world(teams=teams, reps_per_team=reps_per_team, accounts=accounts,
                        followups_per_account=followups_per_account, key_persons_per_account=key_persons_per_account,
                        seed=seed, as_of=as_of, writers=writers, layouts=layouts)
    files = {r.name: customer_file(r) for r in world.reps}
    plan = blunders.plan(world.reps, files, {r.name: world.accounts_of(r.name) for r in world.reps}) if mistakes else {}
    maker = next((r for r, bs in plan.items() if any(b.key == "duplicate-account" for b in bs)), None)
    dup = blunders.duplicate_source(world.reps, files, world, maker) if maker else None
    subtotal_rep = next((r.name for r in world.reps if r.layout == "b"), world.reps[0].name)

    job = _Job(world, out_dir, plan, dup, subtotal_rep, datetime.combine(as_of, time(9, 0)), write)
    indexes = list(range(len(world.reps)))
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = [r for chunk in pool.map(_write_reps, [job] * jobs, [indexes[k::jobs] for k in range(jobs)])
                       for r in chunk]
    else:
        results = _write_reps(job, indexes)
    results.sort(key=lambda r: r.index)
    applied = {key: (rep, account, value) for r in results for key, rep, account, value in r.applied}
    places = {key: (file, sheet, cell) for r in results for key, file, sheet, cell in r.places}
    per_rep = {r.info.name: r.info.followups for r in results}
    written = [f for r in results for f in r.info.files]
    created = job.created

    target_rows = targets(world, per_rep)
    tb = targets_book(target_rows)
    if write:
        write_book(out_dir / tb.path, tb.sheets, tb.writer, author=tb.author, created=created)
    written.append(tb.path)

    found = []
    for b in blunders.CATALOGUE:
        if b.key not in applied:
            continue
        rep_name, account, value = applied[b.key]
        file, sheet, cell = places[b.key]
        other = " / ".join(places[blunders.ORIGINAL]) if b.key == "duplicate-account" else ""
        found.append(Mistake(b.key, file, sheet, cell, value, b.code, b.severity, rep_name, account, b.what,
                             b.extra_row, other))
    return Manifest(
        seed=seed, as_of=as_of, teams=world.teams, reps=tuple(r.info for r in results), accounts=len(world.accounts),
        projects=sum(len(a.projects) for a in world.accounts),
        key_persons=sum(len(a.persons) for a in world.accounts),
        competition_rows=sum(len(a.parties) for a in world.accounts),
        followups_per_rep=per_rep, targets=len(target_rows), files=tuple(written), mistakes=tuple(found),
        stale_accounts=tuple(a.id for a in world.accounts if a.quiet_days > 30),
        overdue_accounts=tuple(sorted(a for r in results for a in r.overdue)),
        no_decision_maker=tuple(a.id for a in world.accounts if not a.has_decision_maker),
    )


def remove_workbooks(out_dir: Path) -> None:
    """Delete the .xlsx files under `out_dir` and the folders left empty (nothing else)."""
    if not out_dir.is_dir():
        return
    for path in sorted(out_dir.rglob("*.xlsx")):
        path.unlink()
    for folder in sorted((p for p in out_dir.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


@dataclass(frozen=True)
class _Job:
    """What every rep's part of the run needs (picklable, for worker processes)."""

    world: World
    out_dir: Path
    plan: dict[str, list[blunders.Blunder]]
    dup: Account | None
    subtotal_rep: str
    created: datetime
    write: bool


@dataclass(frozen=True)
class _RepResult:
    index: int
    info: RepInfo
    applied: list[tuple[str, str, str, str]]  # (mistake key, rep, account, value)
    places: list[tuple[str, str, str, str]]  # (mark key, file, sheet, cell)
    overdue: list[str]


def _write_reps(job: _Job, indexes: Sequence[int]) -> list[_RepResult]:
    """Follow-ups, rows, mistakes and workbooks of some reps (each rep's randomness is its own)."""
    world, seed, as_of = job.world, job.world.seed, job.world.as_of
    out = []
    for i in indexes:
        rep = world.reps[i]
        accs = world.accounts_of(rep.name)
        fus = followups_of(accs, seed, as_of)
        typist = Typist(habits_of(i), rng_for(seed, "typing", rep.name), as_of)
        tables = build_tables(rep, accs, fus, typist, last_contacts(fus), subtotal=rep.name == job.subtotal_rep)
        ctx = blunders.Context(rep, world, accs, typist, rng_for(seed, "mistakes", rep.name), job.dup)
        applied = [(b.key, rep.name, *blunders.apply(b, tables, ctx)) for b in job.plan.get(rep.name, [])]
        if job.dup is not None and job.dup.rep == rep.name:
            first = next(r for r in tables["customer"] if r.account == job.dup.id)
            first.marks.append((blunders.ORIGINAL, "account_id"))
        books, marks = rep_books(rep, tables, as_of)
        for book in books if job.write else ():
            write_book(job.out_dir / book.path, book.sheets, book.writer, author=book.author, created=job.created)
        info = RepInfo(rep.name, rep.team, rep.layout, rep.writer, tuple(b.path for b in books), len(accs), len(fus))
        out.append(_RepResult(i, info, applied, marks, overdue_accounts(fus, as_of)))
    return out
