"""The accounts of the demo: company, projects and their stages, key persons, competition, activity level."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from ..forms.values import CATEGORIES
from . import pools
from .people import make_persons
from .world import (
    DEFAULT_PROBABILITY,
    LOST,
    OPEN,
    PAUSED,
    SCORE_DIMENSIONS,
    STAGES,
    WON,
    Account,
    Party,
    Person,
    Project,
    Rep,
    cn_number,
    pick,
    rng_for,
)

_STAGE_WEIGHTS = (14, 12, 16, 12, 10, 8, 12, 10, 6)
_CATEGORY_WEIGHTS = (25, 20, 10, 15, 30)  # order of CATEGORIES


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split `total` into `parts` uneven positive counts (largest remainder)."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(r)) for r in raw]
    order = sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % parts]] += 1
        i += 1
    while sum(counts) > total:
        j = max(range(parts), key=lambda k: counts[k])
        counts[j] -= 1
    return counts


def _company(rng: random.Random, industry: str, nature: str, region: str, taken: set[str]) -> tuple[str, tuple[str, str, str], str]:
    cities = dict(pools.REGIONS)[region]
    templates = pools.INDUSTRIES[industry][2][nature]
    for attempt in range(300):
        city = rng.choice(cities)
        brand, b_py = rng.choice(pools.BRANDS)
        name = rng.choice(templates).format(city=city[0], brand=brand)
        if attempt > 200:
            name += f"（{cn_number(attempt % 90 + 2)}分公司）"
        if name not in taken:
            taken.add(name)
            return name, city, b_py
    raise RuntimeError("ran out of company names")


def _project(rng: random.Random, name: str, stage: str, category: str, as_of: date, year_start: date,
             new_account: bool, has_dm: bool) -> Project:
    k = STAGES.index(stage)
    lo, hi = {"战略客户": (150, 900), "重要客户": (80, 500), "高价值客户": (100, 600), "团购客户": (20, 150)}.get(
        category, (30, 300))
    value = rng.uniform(lo, hi)
    value = round(value, 1) if value < 100 else float(round(value))
    switch = None
    if stage in OPEN:
        peak = k
        start = 0 if new_account else rng.randint(max(0, k - 3), k)
        days = {0: (90, 360), 1: (60, 300), 2: (40, 200), 3: (20, 120), 4: (10, 60), 5: (20, 150)}[k]
        close: date | None = as_of + timedelta(days=rng.randint(*days))
        prob = None
        if k < 5 and rng.random() < 0.6:
            prob = min(0.95, max(0.05, DEFAULT_PROBABILITY[stage] + rng.choice((-0.1, -0.05, 0, 0, 0.05, 0.1))))
            prob = round(prob, 2)
    else:
        peak = rng.randint(3, 4) if stage != PAUSED else rng.randint(1, 3)
        start = rng.randint(0, peak)
        if stage == PAUSED:
            switch = as_of - timedelta(days=rng.randint(20, 150))
            close = as_of + timedelta(days=rng.randint(120, 360))
        else:
            switch = max(as_of - timedelta(days=rng.randint(15, 300)), year_start + timedelta(days=30))
            close = switch
        prob = None
    reason = ""
    if stage == WON:
        reason = pick(rng, ("产品", "服务", "关系", "价格"), (4, 3, 3, 2))
    elif stage == LOST:
        reason = "决策人未接触" if not has_dm else pick(
            rng, ("价格", "决策人未接触", "建议书晚于对手", "关系", "产品", "服务", "其他"), (35, 12, 10, 15, 10, 5, 5))
    reached = max(k if stage in OPEN else peak, 0)
    return Project(
        name=name, stage=stage, value=value, probability=prob, expected_close=close,
        budget=reached >= 1 and rng.random() < 0.85 or rng.random() < 0.2,
        decision_maker=has_dm and reached >= 2 and rng.random() < 0.8 and reason != "决策人未接触",
        need=reached >= 2 and rng.random() < 0.9 or rng.random() < 0.4,
        need_desc=rng.choice(pools.NEED_DESCS), resource_needs=rng.choice(pools.RESOURCE_NEEDS),
        win_loss_reason=reason, start_stage=start, peak_stage=peak, switch=switch,
    )


def _parties(rng: random.Random, persons: Sequence[Person], value: float, stage: str) -> tuple[Party, ...]:
    us_scores = tuple(rng.randint(2, 5) for _ in SCORE_DIMENSIONS)
    friends = [p.name for p in persons if p.attitude == "接受"][:3]
    foes = [p.name for p in persons if p.attitude in ("抵触", "恶意拆台", "冷淡")]
    priced = stage != "客户开发"
    parties = [Party("", rng.choice(pools.OUR_OFFERINGS), value if priced else None,
                     rng.choice(pools.STRENGTHS), rng.choice(pools.WEAKNESSES), us_scores, "",
                     "、".join(friends), rng.choice(pools.COMPETITION_STRATEGIES))]
    m = pick(rng, ("1", "2", "3"), (35, 45, 20))
    names = [c for c, _ in pools.COMPETITORS]
    weights = [10, 8, 7, 5, 4, 3, 3, 2, 2, 1][: len(names)]
    chosen: list[int] = []
    while len(chosen) < int(m):
        i = rng.choices(range(len(names)), weights)[0]
        if i not in chosen:
            chosen.append(i)
    for j, i in enumerate(chosen):
        scores = tuple(rng.randint(2, 5) for _ in SCORE_DIMENSIONS)
        if stage == LOST and j == 0:
            scores = tuple(min(5, s + 1) for s in scores)
        diff = sum(scores) - sum(us_scores)
        threat = "高" if diff >= 2 else ("中" if diff >= -2 else "低")
        price = round(value * rng.uniform(0.8, 1.1), 1) if priced else None
        supporters = "、".join(foes[j::len(chosen)][:2]) if foes else ""
        parties.append(Party(names[i], pools.COMPETITORS[i][1], price, rng.choice(pools.STRENGTHS),
                             rng.choice(pools.WEAKNESSES), scores, threat, supporters,
                             rng.choice(pools.COMPETITION_STRATEGIES)))
    return tuple(parties)


def make_accounts(seed: int, as_of: date, reps: Sequence[Rep], n: int, persons_per_account: int,
                  followups_per_account: float, reserved_names: set[str]) -> tuple[Account, ...]:
    rng = rng_for(seed, "accounts")
    width = max(3, len(str(n + 1)))
    counts = _split(n, len(reps), rng) if reps else []
    owners = [rep for rep, c in zip(reps, counts, strict=True) for _ in range(c)]
    rng.shuffle(owners)
    no_dm = set(rng.sample(range(n), max(1, round(n * 0.05)))) if n else set()
    year_start = as_of - timedelta(days=364)
    names: set[str] = set()
    phones: set[str] = set()
    drafts = []
    industries = list(pools.INDUSTRIES)
    for i, rep in enumerate(owners):
        arng = rng_for(seed, "account", i)
        acc_id = f"KA-{i + 1:0{width}d}"
        industry = pick(arng, industries, [pools.INDUSTRIES[k][0] for k in industries])
        _, natures, _, topics, flavour, suffix = pools.INDUSTRIES[industry]
        nature = pick(arng, [a for a, _ in natures], [w for _, w in natures])
        name, city, b_py = _company(arng, industry, nature, rep.region, names)
        category = pick(arng, CATEGORIES, _CATEGORY_WEIGHTS)
        stage = pick(arng, STAGES, _STAGE_WEIGHTS)
        new_account = stage in STAGES[:3] and arng.random() < 0.4
        if new_account:
            first = year_start + timedelta(days=arng.randint(10, 300))
        else:
            first = date(arng.randint(2018, as_of.year - 1), arng.randint(1, 12), arng.randint(1, 28))
            first = min(first, year_start - timedelta(days=30))
        has_dm = i not in no_dm
        n_projects = 1 if rep.layout == "c" else pick(arng, (1, 2, 3), (78, 15, 7))
        project_names = arng.sample(topics, min(n_projects, len(topics)))
        projects = [_project(arng, project_names[0], stage, category, as_of, year_start, new_account, has_dm)]
        for extra in project_names[1:]:
            extra_stage = pick(arng, STAGES[:6], (3, 3, 3, 2, 1, 1)) if new_account else pick(arng, STAGES, _STAGE_WEIGHTS)
            projects.append(_project(arng, extra, extra_stage, category, as_of, year_start, new_account, has_dm))
        mood = "won" if stage == WON else ("lost" if stage == LOST else "")
        domain = f"{city[1]}{b_py}.{suffix}"
        k = max(2, arng.randint(persons_per_account - 1, persons_per_account + 2))
        persons = make_persons(arng, k, flavour, has_dm, mood, domain, reserved_names, phones)
        employees = int(round(arng.lognormvariate(7.5, 1.0), -1)) + 50
        revenue = None if nature in ("政府机关",) else float(round(employees * arng.uniform(30, 150), -2))
        grade = "A" if category in ("战略客户", "重要客户") and arng.random() < 0.8 else pick(arng, ("A", "B", "C"), (2, 5, 3))
        drafts.append(dict(
            id=acc_id, name=name, rep=rep.name, team=rep.team, category=category, grade=grade,
            industry=industry, region=city[0], nature=nature, employees=employees, revenue=revenue,
            first_contact=first, address=f"{city[0]}市{arng.choice(pools.ROADS)}{arng.randint(1, 999)}号",
            phone=f"{city[2]}-{arng.randint(2, 8)}{arng.randrange(10**6, 10**7)}",
            website=f"www.{domain}", notes=arng.choice(pools.NOTES) if arng.random() < 0.3 else "",
            source=arng.choice(pools.SOURCES), projects=tuple(projects), persons=persons,
            parties=_parties(arng, persons, projects[0].value, stage),
        ))
    return _activity(rng, drafts, n, followups_per_account, year_start, as_of)


def _activity(rng: random.Random, drafts: list[dict], n: int, per_account: float, year_start: date,
              as_of: date) -> tuple[Account, ...]:
    """Share the department's follow-ups among accounts; pick the stale and the overdue ones."""
    weight_of = {"提案": 1.6, "招投标": 1.6, "商务谈判": 1.6, "立项": 1.1, "工程实施": 1.0, "客户开发": 0.8,
                 WON: 0.7, LOST: 0.4, PAUSED: 0.4}
    weights = []
    for d in drafts:
        start = max(year_start, d["first_contact"])
        window = max(0.1, (as_of - start).days / 364)
        w = weight_of[d["projects"][0].stage] * (1.3 if d["category"] == "战略客户" else 1.0)
        weights.append(w * window * rng.uniform(0.75, 1.25))
    total = n * per_account
    open_ids = [i for i, d in enumerate(drafts) if d["projects"][0].stage in OPEN[:5]]
    # stale accounts are old ones (their quiet spell starts after the first contact)
    old_ids = [i for i in open_ids if drafts[i]["first_contact"] <= as_of - timedelta(days=150)] or open_ids
    stale = set(rng.sample(old_ids, min(len(old_ids), max(1, round(n * 0.05)))))
    rest = [i for i in open_ids if i not in stale]
    overdue = set(rng.sample(rest, min(len(rest), max(1, round(n * 0.08)))))
    out, weight_sum = [], sum(weights)
    for i, d in enumerate(drafts):
        count = max(2, round(total * weights[i] / weight_sum))
        quiet = rng.randint(35, 120) if i in stale else 0
        out.append(Account(**d, followups=count, quiet_days=quiet, overdue=i in overdue))
    return tuple(out)
