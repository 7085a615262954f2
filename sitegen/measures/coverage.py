"""Key-person coverage of an account: decision maker, their attitude, an insider, weighted support, opponents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..config import Config
from ..model import KeyPerson

DECISION_MAKER = "决策者"
INSIDER = "内线"
TRUSTED = 4  # 关系阶段 信赖 (4) or 同盟 (5)
HIGH_INFLUENCE = 4


@dataclass(frozen=True, slots=True)
class Coverage:
    persons: int
    decision_makers: tuple[str, ...]  # names
    decision_maker_supportive: bool  # some decision maker's attitude scores above 0
    trusted_insider: bool  # a 内线 at 信赖 or better
    support: float | None  # Σ(influence × attitude score) / Σ influence, None when nobody has both
    opponents: tuple[str, ...]  # influence ≥ 4 and a negative attitude score

    @property
    def flags(self) -> tuple[str, ...]:
        """Codes of the coverage problems, in a fixed order (interface strings in locale: flag.<code>)."""
        out = []
        if not self.decision_makers:
            out.append("no_decision_maker")
        elif not self.decision_maker_supportive:
            out.append("decision_maker_not_supportive")
        if not self.trusted_insider:
            out.append("no_trusted_insider")
        if self.opponents:
            out.append("high_influence_opponents")
        return tuple(out)


def attitude_score(k: KeyPerson, config: Config) -> int | None:
    return config.attitude_scores.get(k.attitude) if k.attitude else None


def support(persons: Sequence[KeyPerson], config: Config) -> float | None:
    num = 0.0
    den = 0
    for k in persons:
        score = attitude_score(k, config)
        if k.influence is None or score is None:
            continue
        num += k.influence * score
        den += k.influence
    return round(num / den, 2) if den else None


def coverage(persons: Sequence[KeyPerson], config: Config) -> Coverage:
    dms = [k for k in persons if DECISION_MAKER in k.roles]
    return Coverage(
        persons=len(persons),
        decision_makers=tuple(k.name for k in dms),
        decision_maker_supportive=any((attitude_score(k, config) or 0) > 0 for k in dms),
        trusted_insider=any(INSIDER in k.roles and (k.relationship or 0) >= TRUSTED for k in persons),
        support=support(persons, config),
        opponents=tuple(k.name for k in persons
                        if (k.influence or 0) >= HIGH_INFLUENCE and (attitude_score(k, config) or 0) < 0),
    )
