"""fastinit.maker: the records it makes are the very objects the dataclass's own constructor makes."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass
from datetime import date

import pytest

from sitegen.fastinit import maker
from sitegen.model import Account, CompetitionRow, FollowUp, KeyPerson, Project, Rep, Source, Target

RECORDS = (Source, Project, Account, KeyPerson, CompetitionRow, FollowUp, Target, Rep)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_maker_equals_the_constructor(cls: type) -> None:
    make = maker(cls)
    assert make is not cls  # every record of the model is made the fast way
    values = [f"v{i}" for i, _ in enumerate(dataclasses.fields(cls))]
    names = [f.name for f in dataclasses.fields(cls)]
    for made in (make(*values), make(**dict(zip(names, values, strict=True)))):
        plain = cls(*values)
        assert type(made) is cls
        assert made == plain and repr(made) == repr(plain) and hash(made) == hash(plain)
        assert pickle.loads(pickle.dumps(made)) == plain
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.__setattr__(names[0], "changed")  # still frozen
        assert not hasattr(made, "__dict__")


def test_maker_of_a_real_followup() -> None:
    src = Source("a.xlsx", "跟进", 3, (), (("date", "A"),))
    args = (date(2026, 11, 2), "K001", "张三", "拜访", "李四", "", "", "", True, "", "", None, 12.5, "", (), src, 4)
    assert maker(FollowUp)(*args) == FollowUp(*args)
    assert maker(Source)("a.xlsx", "跟进", 3, (), (("date", "A"),)).cell("date") == "A3"


def test_every_field_is_required() -> None:
    with pytest.raises(TypeError):
        maker(Rep)("only a name")


@dataclass(frozen=True)
class _NoSlots:
    a: int


@dataclass(frozen=True, slots=True)
class _PostInit:
    a: int

    def __post_init__(self) -> None:
        pass


def test_classes_it_cannot_make_keep_their_constructor() -> None:
    assert maker(_NoSlots) is _NoSlots
    assert maker(_PostInit) is _PostInit
