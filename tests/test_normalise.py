"""Every value format of domain.md ("Values as reps type them"), parser by parser.

Each parser returns the typed value or raises `Invalid(code)`; the code is what the rep is told.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.config import DEFAULT_STAGE_ALIASES, DEFAULT_STAGES
from sitegen.forms.values import ATTITUDES, ENUM_ALIASES, ENUMS
from sitegen.normalise import (
    AS_OF_KEYS,
    Invalid,
    ident,
    is_blank,
    parse_date,
    parse_enum,
    parse_influence,
    parse_int,
    parse_money,
    parse_month,
    parse_multi,
    parse_percent,
    parse_relationship,
    parse_scale,
    parse_stage,
    parse_yesno,
    parse_yuan,
    same_reading,
    text,
)

REF = date(2026, 11, 20)
STAGES = tuple(s.name for s in DEFAULT_STAGES)


def invalid(fn, *args, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as exc:
        fn(*args, **kwargs)
    return exc.value


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("value", [
    datetime(2026, 11, 3, 0, 0),  # an Excel date cell, as the reader gives it
    datetime(2026, 11, 3, 14, 30),  # a date-time cell
    date(2026, 11, 3),
    46329, 46329.0, 46329.75, "46329",  # the serial number of 2026-11-03
    "2026-11-03", "2026-11-3", "2026/11/3", "2026/11/03", "2026.11.3", "2026年11月3日", "2026年11月3号",
    "2026 年 11 月 3 日", "20261103", 20261103, "2026-11-03 14:30", "2026-11-03T14:30:00",
    "２０２６－１１－０３", "２０２６年１１月３日",  # full-width digits
    " 2026/11/3 ", "2026-11-03\u3000",  # trailing spaces, half- and full-width
    "11月3日", "11月3号", "１１月３日", "11/3",  # no year: the as-of year
])
def test_date_forms(value: object) -> None:
    assert parse_date(value, ref=REF) == date(2026, 11, 3)


def test_date_without_year_takes_the_year_from_the_as_of_date() -> None:
    assert parse_date("3月5日", ref=REF) == date(2026, 3, 5)
    assert parse_date("12月25日", ref=REF) == date(2026, 12, 25)  # within 60 days ahead: this year
    assert parse_date("12月28日", ref=date(2027, 1, 5)) == date(2026, 12, 28)  # otherwise the year before
    assert parse_date("1月2日", ref=date(2027, 1, 5)) == date(2027, 1, 2)


def test_serial_number_epoch() -> None:
    assert parse_date(1, ref=REF) == date(1899, 12, 31)
    assert parse_date(45658, ref=REF) == date(2025, 1, 1)


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "13月3日", "3日", "下周一", "2026-11", "abc", "",
                                   0, -5, True, 3e9])
def test_bad_dates(value: object) -> None:
    assert invalid(parse_date, value, ref=REF).code == "value-date"


def test_date_with_a_note_after_it() -> None:
    # seen in a real visit form: 2019/11/16（吕晗、王建兵陪同拜访)
    assert parse_date("2019/11/16（吕晗、王建兵陪同拜访)", ref=REF) == date(2019, 11, 16)


def test_month() -> None:
    for v in ("2026-11", "2026/11", "2026年11月", "２０２６年１１月", datetime(2026, 11, 30), "2026-11-05", "11月"):
        assert parse_month(v, ref=REF) == "2026-11", v
    assert invalid(parse_month, "2026-13", ref=REF).code == "value-date"


# ---------------------------------------------------------------- money (万元)

@pytest.mark.parametrize(("value", "expected"), [
    (12.5, 12.5), (120, 120.0), ("120", 120.0), ("12.5", 12.5),
    ("12.5万", 12.5), ("12.5万元", 12.5), ("12.5 万", 12.5),
    ("125,000元", 12.5), ("125000元", 12.5), ("1,250,000元", 125.0),
    ("¥12.5万", 12.5), ("￥12.5万", 12.5), ("RMB 12万", 12.0),
    ("1.2亿", 12000.0), ("1.2亿元", 12000.0),
    ("１２．５万", 12.5), ("１２５，０００元", 12.5), ("￥１２．５万", 12.5),  # full-width
    (" 12.5万 ", 12.5), ("12.5万\u3000", 12.5),  # trailing spaces
    ("1,200", 1200.0),
])
def test_money_forms(value: object, expected: float) -> None:
    assert parse_money(value) == pytest.approx(expected)


def test_plain_numbers_are_scaled_units_are_not() -> None:
    # money_scale: numbers typed in 元 (0.0001) or in USD (the maven example) become 万元
    assert parse_money(125000, scale=0.0001) == pytest.approx(12.5)
    assert parse_money("125,000", scale=0.0001) == pytest.approx(12.5)
    assert parse_money("12.5万", scale=0.0001) == pytest.approx(12.5)  # an explicit unit wins


@pytest.mark.parametrize("value", ["约12万", "12万5千", "十万", "12,5", "1,2", "abc", "", "inf", "nan", True,
                                   float("nan"), float("inf"), "12.5.3万"])
def test_bad_money(value: object) -> None:
    assert invalid(parse_money, value).code == "value-money"


def test_negative_money_parses_and_is_rejected_by_the_reader() -> None:
    assert parse_money("-5") == -5.0  # the column check turns it into value-negative (test_validation)


def test_yuan() -> None:
    assert parse_yuan(300) == 300
    assert parse_yuan("1,200元") == 1200
    assert parse_yuan("¥300") == 300
    assert parse_yuan("0.5万") == 5000
    assert parse_yuan("３００元") == 300
    assert invalid(parse_yuan, "三百").code == "value-money"


def test_int_with_unit() -> None:
    assert parse_int("80人") == 80
    assert parse_int("1,200 人") == 1200
    assert parse_int(3200.0) == 3200
    assert parse_int("３２００") == 3200
    assert invalid(parse_int, "12.5").code == "value-number"
    assert invalid(parse_int, "很多").code == "value-number"


# ---------------------------------------------------------------- percent (0..1)

@pytest.mark.parametrize(("value", "expected"), [
    ("40%", 0.4), (0.4, 0.4), (40, 0.4), ("40", 0.4), ("0.4", 0.4), ("40 %", 0.4), ("４０％", 0.4),
    ("100%", 1.0), (0, 0.0), ("0%", 0.0), ("0.5%", 0.005), (" 40% ", 0.4), (100, 1.0),
])
def test_percent_forms(value: object, expected: float) -> None:
    assert parse_percent(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["150%", 150, "101%", "-10%", -0.2, 250])
def test_percent_out_of_range(value: object) -> None:
    exc = invalid(parse_percent, value)
    assert exc.code == "value-range"
    assert exc.fields == {"low": "0%", "high": "100%"}


@pytest.mark.parametrize("value", ["很高", "四成", "", "40%%x", True, float("nan")])
def test_bad_percent(value: object) -> None:
    assert invalid(parse_percent, value).code == "value-percent"


# ---------------------------------------------------------------- yes / no

@pytest.mark.parametrize("value", ["是", "Y", "y", "YES", "yes", "√", "✓", "是 ", " Y\u3000", "Ｙ", 1, True, 1.0])
def test_yes(value: object) -> None:
    assert parse_yesno(value) is True


@pytest.mark.parametrize("value", ["否", "N", "n", "no", "×", "✗", "否 ", "Ｎ", 0, False, 0.0])
def test_no(value: object) -> None:
    assert parse_yesno(value) is False


@pytest.mark.parametrize("value", ["也许", "x", "?", 2, "是否", ""])
def test_bad_yesno(value: object) -> None:
    assert invalid(parse_yesno, value).code == "value-yesno"


# ---------------------------------------------------------------- text, ids, blanks

def test_trailing_spaces_and_blanks() -> None:
    assert text("  某某集团  ") == "某某集团"
    assert text("第一行\r\n第二行") == "第一行\n第二行"
    assert text(120.0) == "120" and text(12.5) == "12.5"
    assert ident(" KA-001\u3000") == "KA-001"
    assert ident("ＫＡ－００１") == "KA-001"  # full-width id
    assert ident(1001.0) == "1001"
    assert ident("华东  电力") == "华东 电力"
    for blank in (None, "", "   ", "\u3000", float("nan")):
        assert is_blank(blank)
    for value in (0, "0", "-", False):
        assert not is_blank(value)


# ---------------------------------------------------------------- stages

@pytest.mark.parametrize(("value", "expected"), [
    # Ricoh letters (seed 001) map onto stages 1,2,2,3,5,6
    ("S", "客户开发"), ("P", "立项"), ("A", "立项"), ("D", "提案"), ("C", "商务谈判"), ("O", "工程实施"),
    ("s", "客户开发"), ("ｄ", "提案"),
    # numbers of the six stages, as text or as number cells
    ("1", "客户开发"), ("2", "立项"), (3, "提案"), (3.0, "提案"), ("4", "招投标"), ("5", "商务谈判"), ("6", "工程实施"),
    # number and name
    ("3-提案", "提案"), ("3 提案", "提案"), ("3提案", "提案"), ("3.提案", "提案"), ("5-谈判", "商务谈判"),
    ("阶段3", "提案"), ("第3阶段", "提案"), ("提案阶段", "提案"),
    # names and common words
    ("客户开发", "客户开发"), ("招投标", "招投标"), ("投标", "招投标"), ("赢单", "赢单"), ("签约", "赢单"),
    ("丢单", "丢单"), ("暂停", "暂停"), (" 提案 ", "提案"), ("won", "赢单"), ("Lost", "丢单"),
    # CRM stages and end states (issue 15); a CRM's list number before an end state is only its position
    ("Prospecting", "客户开发"), ("Qualification", "立项"), ("Proposal", "提案"), ("Negotiation", "商务谈判"),
    ("Closed Won", "赢单"), ("closed lost", "丢单"), ("已签约", "赢单"), ("已丢单", "丢单"),
    ("5 Closed Won", "赢单"), ("6 Closed Lost", "丢单"), ("1 Prospecting", "客户开发"), ("3 Proposal", "提案"),
    ("Proposal/Price Quote", "提案"), ("Negotiation/Review", "商务谈判"), ("On Hold", "暂停"),
])
def test_stage_aliases(value: object, expected: str) -> None:
    assert parse_stage(value, STAGES, DEFAULT_STAGE_ALIASES) == expected


@pytest.mark.parametrize("value", ["7", "0", "3.5", 3.5, "34", "快成了", "", "9 Closed Pending"])
def test_bad_stage(value: object) -> None:
    assert invalid(parse_stage, value, STAGES, DEFAULT_STAGE_ALIASES).code == "value-enum"


@pytest.mark.parametrize(("value", "fields"), [
    ("3-投标", {"number": "3", "by_number": "提案", "words": "投标", "named": "招投标"}),
    ("4 Negotiation", {"number": "4", "by_number": "招投标", "words": "Negotiation", "named": "商务谈判"}),
])
def test_stage_number_and_words_that_disagree(value: str, fields: dict[str, str]) -> None:
    exc = invalid(parse_stage, value, STAGES, DEFAULT_STAGE_ALIASES)
    assert (exc.code, exc.fields) == ("value-stage-conflict", fields)


@pytest.mark.parametrize(("value", "rest"), [("5 快成了", "快成了"), ("3 Proposal Sent Twice", "Proposal Sent Twice")])
def test_stage_only_partly_understood(value: str, rest: str) -> None:
    exc = invalid(parse_stage, value, STAGES, DEFAULT_STAGE_ALIASES)
    assert exc.code == "value-stage-partial" and exc.fields["rest"] == rest
    assert exc.fields["stage"] == STAGES[int(value[0]) - 1]


def test_user_stage_aliases_win_over_built_in_ones() -> None:
    aliases = {**DEFAULT_STAGE_ALIASES, "Won": "工程实施", "4 Negotiation": "商务谈判"}
    assert parse_stage("won", STAGES, aliases) == "工程实施"
    assert parse_stage("4 negotiation", STAGES, aliases) == "商务谈判"
    assert parse_stage("Engaging", STAGES, DEFAULT_STAGE_ALIASES) == "立项"
    assert parse_stage("Engaging", STAGES, {**DEFAULT_STAGE_ALIASES, "Engaging": "提案"}) == "提案"


def test_configured_stage_aliases() -> None:
    aliases = {**DEFAULT_STAGE_ALIASES, "Prospecting": "客户开发", "Engaging": "提案"}
    assert parse_stage("Engaging", STAGES, aliases) == "提案"
    assert parse_stage("prospecting", STAGES, aliases) == "客户开发"


# ---------------------------------------------------------------- enumerations

def _enum(name: str, value: object) -> str:
    return parse_enum(value, ENUMS[name], ENUM_ALIASES[name])


@pytest.mark.parametrize(("value", "expected"), [
    ("支持", "接受"), ("中立", "怀疑"), ("反对", "抵触"), ("拆台", "恶意拆台"),
    ("接受", "接受"), ("怀疑", "怀疑"), ("冷淡", "冷淡"), ("抵触", "抵触"), ("恶意拆台", "恶意拆台"), ("支持 ", "接受"),
])
def test_attitude_aliases(value: str, expected: str) -> None:
    assert _enum("attitude", value) == expected


def test_every_attitude_is_accepted_and_others_are_not() -> None:
    for a in ATTITUDES:
        assert _enum("attitude", a) == a
    assert invalid(_enum, "attitude", "很好").code == "value-enum"


def test_other_enumerations() -> None:
    assert _enum("threat", "高") == "高" and _enum("threat", "H") == "高" and _enum("threat", "一般") == "中"
    assert _enum("grade", "a") == "A" and _enum("grade", "A类") == "A" and _enum("grade", "vip") == "VIP"
    assert _enum("category", "重点客户") == "重要客户"
    assert _enum("nature", "国有企业") == "国企"
    assert _enum("method", "上门拜访") == "拜访" and _enum("method", "Email") == "邮件"
    assert _enum("style", "分析") == "分析型"
    assert _enum("win_loss_reason", "未接触决策人") == "决策人未接触"
    assert invalid(_enum, "grade", "D").code == "value-enum"


def test_roles_are_a_list() -> None:
    roles = parse_multi("决策人、内线", ENUMS["role"], ENUM_ALIASES["role"])
    assert roles == ("决策者", "内线")
    assert parse_multi("推荐者,影响者/使用者；采购者", ENUMS["role"], ENUM_ALIASES["role"]) == ("推荐者", "影响者", "使用者", "采购者")
    assert parse_multi("内线 内线", ENUMS["role"], ENUM_ALIASES["role"]) == ("内线",)
    assert invalid(parse_multi, "决策者、老板", ENUMS["role"], ENUM_ALIASES["role"]).code == "value-enum"


# ---------------------------------------------------------------- scales

@pytest.mark.parametrize(("value", "expected"), [("高", 5), ("中", 3), ("低", 1), (4, 4), ("4", 4), ("５", 5), (1.0, 1), (" 高 ", 5)])
def test_influence(value: object, expected: int) -> None:
    assert parse_influence(value) == expected


@pytest.mark.parametrize("value", [0, 6, "6", 4.5, -1, "10"])
def test_influence_out_of_range(value: object) -> None:
    exc = invalid(parse_influence, value)
    assert exc.code == "value-range" and exc.fields == {"low": 1, "high": 5}


def test_influence_not_a_number() -> None:
    assert invalid(parse_influence, "很大").code == "value-number"


def test_scores() -> None:
    assert parse_scale(3) == 3
    assert invalid(parse_scale, 7).code == "value-range"
    assert invalid(parse_scale, "优").code == "value-number"


@pytest.mark.parametrize(("value", "expected"), [
    ("认识", 1), ("约会", 2), ("认同", 3), ("信赖", 4), ("同盟", 5), ("3-认同", 3), ("4信赖", 4), (2, 2), ("５", 5), ("同盟 ", 5),
])
def test_relationship_names(value: object, expected: int) -> None:
    assert parse_relationship(value) == expected


def test_bad_relationship() -> None:
    assert invalid(parse_relationship, "朋友").code == "value-enum"
    assert invalid(parse_relationship, 6).code == "value-range"


# ---- dates without their year, and the read cache (normalise.same_reading)



def _read_md(month: int, day: int, ref: date) -> date | None:
    try:
        return parse_date(f"{month}月{day}日", ref=ref)
    except Invalid:
        return None


@given(st.integers(1, 12), st.integers(1, 31), st.dates(date(2020, 1, 1), date(2032, 12, 31)),
       st.dates(date(2020, 1, 1), date(2032, 12, 31)))
def test_same_reading_says_whether_a_date_without_year_reads_the_same(month: int, day: int, a: date, b: date) -> None:
    del AS_OF_KEYS[:]
    before = _read_md(month, day, a)
    keys = list(AS_OF_KEYS)
    del AS_OF_KEYS[:]
    assert keys == [("d", month, day)]  # recorded, valid or not (2月29日 is valid only in leap years)
    assert same_reading(keys, a, b) == (before == _read_md(month, day, b))


@given(st.integers(1, 12), st.dates(date(2020, 1, 1), date(2032, 12, 31)), st.dates(date(2020, 1, 1), date(2032, 12, 31)))
def test_same_reading_of_a_month_without_year(month: int, a: date, b: date) -> None:
    del AS_OF_KEYS[:]
    before = parse_month(f"{month}月", ref=a)
    keys = list(AS_OF_KEYS)
    del AS_OF_KEYS[:]
    assert same_reading(keys, a, b) == (before == parse_month(f"{month}月", ref=b))


def test_a_full_date_records_nothing() -> None:
    del AS_OF_KEYS[:]
    parse_date("2026-11-03", ref=date(2026, 11, 20))
    parse_month("2026年11月", ref=date(2026, 11, 20))
    assert AS_OF_KEYS == []
