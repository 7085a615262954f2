"""People of the demo: the reps, and the key persons of an account as an org chart (decision maker on top)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from ..forms.values import PERSONAL_NEEDS, STYLES
from . import pools
from .world import LAYOUT_CYCLE, Person, Rep, cn_number, pick, rng_for


def new_name(rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
    """A realistic, unused Chinese name -> (name, surname, pinyin for e-mail)."""
    for _ in range(200):
        i = min(int(rng.expovariate(1 / 18)), len(pools.SURNAMES) - 1)
        surname, s_py = pools.SURNAMES[i]
        given_pool = pools.GIVEN_M if rng.random() < 0.55 else pools.GIVEN_F
        chars = rng.sample(given_pool, 1 if rng.random() < 0.35 else 2)
        name = surname + "".join(c for c, _ in chars)
        if name not in taken:
            taken.add(name)
            return name, surname, s_py + "".join(p for _, p in chars)
    raise RuntimeError("ran out of names")


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = rng.choice(pools.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


# ---------------------------------------------------------------- reps


def make_reps(seed: int, teams: int, reps_per_team: int, writers: Sequence[str], layouts: Sequence[str],
              taken: set[str]) -> tuple[tuple[str, ...], tuple[Rep, ...]]:
    rng = rng_for(seed, "reps")
    cycle = [lw for lw in LAYOUT_CYCLE if lw[0] in layouts] or [(layouts[0], writers[0])]
    team_names: list[str] = []
    reps: list[Rep] = []
    surnames: set[str] = set()
    for t in range(teams):
        region = pools.REGIONS[t % len(pools.REGIONS)][0]
        team = f"{region}{cn_number(t + 1)}组"
        team_names.append(team)
        for _ in range(reps_per_team):
            layout, writer = cycle[len(reps) % len(cycle)]
            if writer not in writers:
                writer = writers[0]
            for _ in range(30):  # prefer surnames no other rep has, as long as there are enough
                name, surname, _ = new_name(rng, taken)
                if surname not in surnames or len(reps) > 40:
                    break
                taken.discard(name)
            taken.add(name)
            surnames.add(surname)
            reps.append(Rep(name, team, layout, writer, region))
    return tuple(team_names), tuple(reps)


def _roles_for(dept: str, rng: random.Random) -> tuple[str, ...]:
    if "信息" in dept or "网络" in dept:
        return (rng.choice(("推荐者", "守门人", "影响者")),)
    if "采购" in dept or "资产" in dept or "设备" in dept:
        return ("采购者",)
    if "办" in dept:
        return ("守门人",)
    if "技术" in dept:
        return (rng.choice(("守门人", "影响者")),) if rng.random() < 0.7 else ("推荐者", "影响者")
    return ("影响者",)


def _attitude(rng: random.Random, mood: str) -> str:
    weights = {"won": (60, 25, 8, 5, 2), "lost": (10, 25, 30, 25, 10)}.get(mood, (35, 35, 15, 11, 4))
    return pick(rng, ("接受", "怀疑", "冷淡", "抵触", "恶意拆台"), weights)


def make_persons(rng: random.Random, k: int, flavour: str, has_dm: bool, mood: str, domain: str,
             reserved: set[str], phones: set[str]) -> tuple[Person, ...]:
    dm_titles, lead_dept, mids, staff = pools.ORGS[flavour]
    taken = set(reserved)
    n_mid = min(len(mids), max(1, (k - 1) // 2))
    n_staff = k - n_mid - (1 if has_dm else 0)
    specs: list[tuple[str, str, tuple[str, ...], int, int, str]] = []  # dept, title, roles, influence, level, boss
    if has_dm:
        specs.append((lead_dept, rng.choice(dm_titles), ("决策者",), 5, 0, ""))
    for dept, title in rng.sample(mids, n_mid):
        specs.append((dept, title, _roles_for(dept, rng), rng.randint(3, 4), 1, ""))
    for _ in range(n_staff):
        dept, title = rng.choice(staff)
        roles: tuple[str, ...] = ("采购者",) if "采购" in title else ("使用者",)
        specs.append((dept, title, roles, rng.randint(1, 2), 2, ""))
    insider = rng.randrange(1 if has_dm else 0, len(specs)) if rng.random() < 0.75 else -1
    names = [new_name(rng, taken) for _ in specs]
    top = names[0][0] if has_dm else ""
    mid_names = [n for (n, _, _), s in zip(names, specs, strict=True) if s[4] == 1]
    out = []
    for i, ((dept, title, roles, influence, level, _), (name, surname, py)) in enumerate(zip(specs, names, strict=True)):
        boss = top if level == 1 else (rng.choice(mid_names) if level == 2 else "")
        relationship = rng.randint(1, 4) if level < 2 else rng.randint(1, 3)
        attitude = _attitude(rng, mood)
        if i == insider:
            roles = roles + ("内线",)
            relationship, attitude, influence = rng.randint(4, 5), "接受", max(influence, rng.randint(2, 3))
        needs = rng.sample(("权力", "成就") if level == 0 else PERSONAL_NEEDS, rng.choice((1, 1, 2)))
        born = date(rng.randint(1966, 1995), rng.randint(1, 12), rng.randint(1, 28))
        birthday = born.isoformat() if rng.random() < 0.6 else f"{born.month}月{born.day}日"
        out.append(Person(
            name=name, surname=surname,
            dept=dept, title=title, roles=roles, influence=influence, attitude=attitude,
            relationship=relationship, personal_need=tuple(needs), org_need=rng.choice(pools.ORG_NEEDS),
            style=rng.choice(STYLES), reports_to=boss, phone=_phone(rng, phones),
            email=f"{py}{rng.randint(1, 99) if rng.random() < 0.3 else ''}@{domain}",
            birthday=birthday, hometown=rng.choice(pools.HOMETOWNS),
            hobbies="、".join(rng.sample(pools.HOBBIES, rng.choice((1, 2)))), family=rng.choice(pools.FAMILIES),
            strategy=rng.choice(pools.PERSON_STRATEGIES),
        ))
    return tuple(out)
