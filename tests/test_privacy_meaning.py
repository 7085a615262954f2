"""Private by meaning, masked values, and team sites that hold only their team (issue 16).

Unit tests: every synonym of every private kind is recognised after normalising case, width, spaces and
punctuation, business columns are not (`电话拜访次数`, `公司地址`, `跟进方式`); phone numbers, landlines, e-mail
addresses, ID numbers and card numbers in free text are masked, amounts, dates and ids are not.

The corpus: a generated two-team department whose workbooks use every synonym as a header — in the key-person
table, the customer table, a customer card and the follow-up table — and carry phone numbers, e-mail
addresses, ID and card numbers in free text (备注, 应对策略, 主要内容, 客户反馈, an extra public column), in a sheet
name and in a file name. It is built with one site per team and one for everyone; then every published file
(pages, JSON, scripts, and the contents of zip and gzip files) is searched for every private value, in each
of the forms it could take. An account defined by both teams checks that each team site names nothing of the
other team (names, ids, reps, files, figures) and shows the other side of the problem withheld.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_privacy import Corpus

from sitegen.build import BuildOptions, build
from sitegen.config import Config, config_from_dict, load_config
from sitegen.issues import Report
from sitegen.privacy import builtin_kind, classifier, mask_text, normalise_header

AS_OF = date(2026, 11, 20)

SYNONYMS = {
    "phone": ["电话", "手机", "移动电话", "电话号码", "联系电话", "联系人手机", "个人电话", "私人手机", "座机", "Tel",
              "Phone", "Mobile", "Cell", "第二联系电话", "手机号码", "Mobile No.", "TEL.", "Cell Phone"],
    "email": ["邮箱", "电子邮箱", "电子邮件", "E-mail", "Email", "邮件地址", "个人邮箱"],
    "birthday": ["生日", "出生日期", "出生年月", "DOB", "Birthday", "Date of birth"],
    "id_number": ["身份证", "身份证号", "证件号", "证件号码", "ID card No.", "护照号"],
    "address": ["家庭住址", "住址", "家庭地址", "现住址", "Home address"],
    "wechat": ["微信", "微信号", "WeChat", "WeChat ID"],
    "qq": ["QQ", "QQ号", "qq号码"],
    "family": ["家庭情况", "家庭成员", "配偶", "子女情况", "婚姻状况", "Family"],
    "hobbies": ["爱好", "兴趣爱好", "喜好", "Hobbies"],
    "native_place": ["籍贯", "老家", "户籍所在地", "Hometown"],
}
BUSINESS = ["电话拜访次数", "电话拜访", "微信沟通次数", "地址", "公司地址", "客户地址", "跟进方式", "客户编号", "客户名称",
            "Phone calls", "销售阶段", "备注", "主要内容", "客户反馈", "应对策略", "个人需求", "组织需求", "网站",
            "决策人(A)", "手机行业客户数", "ID", "Customer ID", "Stage", "Interesting facts"]


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize("kind", sorted(SYNONYMS))
def test_every_synonym_is_private_by_meaning(kind: str) -> None:
    for label in SYNONYMS[kind]:
        for variant in (label, label.upper(), f" {label} ", f"{label}：", f"*{label}", _fullwidth(label),
                        f"{label}（个人）"):
            assert builtin_kind(variant) == kind, (variant, builtin_kind(variant))


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def test_business_columns_are_not_private() -> None:
    for label in BUSINESS:
        assert builtin_kind(label) == "", (label, builtin_kind(label))
    assert normalise_header(" Ｅ-Mail： ") == "email"


def test_the_standard_public_columns_stay_public() -> None:
    from sitegen.forms import BASE_FORMS

    private = {("customer", "phone"), *(("keyperson", k) for k in ("phone", "email", "birthday", "hometown",
                                                                   "hobbies", "family"))}
    for form in BASE_FORMS:
        for col in form.columns:
            assert bool(builtin_kind(col.label)) == ((form.key, col.key) in private), (form.key, col.label)


def test_private_fields_add_and_public_fields_publish() -> None:
    cfg = config_from_dict({"private_fields": ["个人需求", "内部评价"], "public_fields": ["电话", "Tel"]}, Path("/tmp"))
    cls = classifier(cfg)
    assert cls.kind("内部评价") == "configured" and cls.kind("个人需求") == "configured"
    assert cls.kind("电话") == "" and cls.kind("TEL") == ""  # published on purpose
    assert cls.kind("手机") == "phone"  # the built-in kinds stay whatever private_fields says
    assert cls.published_on_purpose("电话") and not cls.published_on_purpose("客户名称")


MASKED = {
    "请回电13812345678，谢谢": "请回电138****5678，谢谢",
    "手机 +86 139-1234-5678": "手机 +86 139-****-5678",
    "Tel: 010-62345678": "Tel: 010-****5678",
    "总机（0755）8765 4321": "总机（0755）**** 4321",
    "邮箱 li.ming@corp.cn；": "邮箱 l***@corp.cn；",
    "身份证 11010519900101123X": "身份证 110***********123X",
    "卡号6222021234567890123": "卡号6222***********0123",
    "全角１３８１２３４５６７８": "全角１３８****５６７８",
}
NOT_MASKED = ["预计金额 125000 元", "2026-11-03 拜访", "KA-000123", "12.5万", "订单号 20261103001", "0.35",
              "员工 12000 人", "项目编号 P-2026-0001", "营业额 3,500,000", "2026年11月3日", "1388 元", "V1.2.3"]


def test_values_are_masked_in_free_text() -> None:
    for raw, want in MASKED.items():
        assert mask_text(raw) == want, (raw, mask_text(raw))
    for raw in NOT_MASKED:
        assert mask_text(raw) == raw


# ---------------------------------------------------------------- the corpus


@dataclass
class Team:
    name: str
    rep: str
    file: str
    accounts: list[tuple[str, str]]  # (id, name)
    persons: list[str]
    amount: str  # a figure only this team has


@dataclass
class Corpus16:
    root: Path
    teams: list[Team]
    private: dict[str, str] = field(default_factory=dict)  # value -> where it was typed
    masked_texts: list[str] = field(default_factory=list)  # published text around masked values
    summary: list[str] = field(default_factory=list)


def _phone(n: int) -> str:
    return f"139{n:08d}"


def _write_department(root: Path) -> Corpus16:
    """Two teams, one workbook each, every layout and every synonym; see the module's docstring."""
    counter = iter(range(10_000, 99_999))
    c = Corpus16(root, [
        Team("华东一组", "郑晓岚", "华东一组/郑晓岚 13900011234.xlsx", [("KA-E01", "东海港机集团"), ("KA-E02", "钱塘云帆科技")],
             ["司马青松", "欧阳紫薇"], "777.7"),
        Team("华南二组", "龚铭哲", "华南二组/龚铭哲.xlsx", [("KA-S01", "珠江潮汐能源"), ("KA-S02", "南岭翠屏药业")],
             ["慕容北辰", "上官云裳"], "333.3"),
    ])

    def value(kind: str, where: str) -> Any:
        n = next(counter)
        v: Any = {
            "phone": _phone(n), "email": f"kp{n}.private@mail-example.cn", "birthday": f"1978年3月{n % 28 + 1}日·{n}",
            "id_number": f"3301061978{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}X",
            "address": f"杭州市西湖区文三路{n}号", "wechat": f"wx_secret_{n}", "qq": f"8{n:08d}",
            "family": f"妻子在第{n}医院工作", "hobbies": f"周末打高尔夫{n}", "native_place": f"浙江绍兴柯桥{n}",
        }[kind]
        c.private[str(v)] = where
        return v

    labels = [(kind, label) for kind, ls in SYNONYMS.items() for label in ls]
    for t_i, team in enumerate(c.teams):
        path = root / "input" / team.file
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = openpyxl.Workbook()
        # customer table: standard columns, then every synonym as an extra column, and free text with numbers
        ws = wb.active
        ws.title = "客户档案表"
        head = ["客户编号", "客户名称", "客户经理", "所属团队", "销售阶段", "预计金额(万元)", "地址", "备注", "付款信息"]
        ws.append(head + [label for _k, label in labels])
        for i, (aid, name) in enumerate(team.accounts):
            mobile, mail, card = value("phone", "备注"), value("email", "备注"), f"6222{next(counter) % 10000:04d}23456789012"
            c.private[card] = "付款信息"
            ident = value("id_number", "付款信息")
            note = f"客户采购负责人手机{mobile}，邮箱{mail}，下周回访"
            c.masked_texts += ["下周回访", "付款卡号 6222"]
            ws.append([aid, name, team.rep, team.name, "提案", float(team.amount) + i, "杭州市滨江区网商路599号",
                       note, f"付款卡号 {card}，经办人身份证 {ident}"]
                      + [value(kind, f"客户档案表/{label}") for kind, label in labels])
        # a customer card (one sheet per customer), with a synonym row of each kind
        card_ws = wb.create_sheet(f"客户卡片{t_i}")
        card_id, card_name = f"{team.accounts[0][0]}C", f"{team.accounts[0][1]}分公司"
        team.accounts.append((card_id, card_name))
        card_ws.append(["客户名称", card_name, "客户编号", card_id])
        card_ws.append(["客户经理", team.rep, "所属团队", team.name])
        card_ws.append(["销售阶段", "立项", "预计金额(万元)", float(team.amount) + 9])
        for kind, ls in SYNONYMS.items():
            label = ls[t_i % len(ls)] if t_i % 2 else ls[-1]
            card_ws.append([label, value(kind, f"卡片/{label}")])
        card_ws.append(["手机", value("phone", "卡片/手机")])
        # key persons: every synonym as a column, free text with numbers in 应对策略
        kp = wb.create_sheet("关键人分析")
        kp.append(["客户编号", "姓名", "职务", "购买角色", "应对策略"] + [label for _k, label in labels])
        for j, person in enumerate(team.persons):
            strategy = f"约见前先打 {value('phone', '应对策略')} 或 {value('email', '应对策略')} 确认"
            kp.append([team.accounts[j % 2][0], person, "总经理", "决策者", strategy]
                      + [value(kind, f"关键人/{label}") for kind, label in labels])
        # follow-ups in a sheet whose name holds a phone number; numbers in 主要内容 and 客户反馈
        fu_name = f"跟进表{_phone(next(counter))}"
        c.private[fu_name[3:]] = "sheet name"
        fu = wb.create_sheet(fu_name)
        fu.append(["日期", "客户编号", "客户经理", "跟进方式", "接触人", "主要内容", "客户反馈", "联系人手机", "Mobile"])
        for k in range(3):
            fu.append([date(2026, 11, 10 + k), team.accounts[k % 2][0], team.rep, "电话", team.persons[0],
                       f"电话沟通方案，对方留了座机 0571-8{next(counter):03d}6789 和 {value('email', '主要内容')}",
                       f"反馈：有问题找{value('phone', '客户反馈')}", value("phone", "跟进/联系人手机"),
                       value("phone", "跟进/Mobile")])
        wb.save(path)
    # the same account defined by both teams: an issue on each side, neither naming the other team
    east, south = c.teams
    wb = openpyxl.load_workbook(root / "input" / south.file)
    wb["客户档案表"].append([east.accounts[0][0], "东海港机（重复）", south.rep, south.name, "提案", 1.0])
    wb.save(root / "input" / south.file)
    # landlines typed into follow-ups: their digits must not be published as typed
    for f in (root / "input").rglob("*.xlsx"):
        for ws in openpyxl.load_workbook(f).worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, str):
                        for m in re.finditer(r"0571-8\d{3}6789", v):
                            c.private[m.group(0)] = "座机"
    return c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus16:
    root = tmp_path_factory.mktemp("privacy16")
    c = _write_department(root)
    (root / "sitegen.yaml").write_text(
        "title: 大客户部\naudiences:\n"
        "  - {name: east, title: 华东一组, teams: [华东一组]}\n"
        "  - {name: south, title: 华南二组, teams: [华南二组]}\n"
        "  - {name: all, title: 全部门}\n", encoding="utf-8")
    result = build(load_config(root / "sitegen.yaml"), BuildOptions(as_of=AS_OF), echo=c.summary.append)
    assert result.exit_code == 0, c.summary
    return c


def _needles(c: Corpus16) -> dict[str, str]:
    """Every private value in the forms it could be published in (as typed, digits only, with dashes)."""
    out: dict[str, str] = {}
    for v, where in c.private.items():
        out[v] = where
        digits = re.sub(r"\D", "", v)
        if len(digits) >= 11 and digits != v:
            out[digits] = where
        if re.fullmatch(r"1\d{10}", v):
            out[f"{v[:3]}-{v[3:7]}-{v[7:]}"] = where
            out[v[3:]] = where  # the last 8 digits: never the unmasked middle
    return out


def test_the_corpus_was_read(corpus: Corpus16) -> None:
    """The accounts, persons and texts around the private values are published: the build read them."""
    site = Corpus.of(corpus.root / "output" / "all")
    names = [n for t in corpus.teams for _i, n in t.accounts] + [p for t in corpus.teams for p in t.persons]
    assert set(site.find(names)) == set(names)
    assert set(site.find(corpus.masked_texts)) == set(corpus.masked_texts)
    assert site.find(["139****"])  # masked numbers are shown masked


def test_no_private_value_is_published_in_any_site(corpus: Corpus16) -> None:
    needles = _needles(corpus)
    assert len(needles) > 300
    hits = Corpus.of(corpus.root / "output").find(needles)
    assert not hits, {v: (needles[v], files[:3]) for v, files in list(hits.items())[:10]}


def test_the_search_sees_into_zip_and_gzip(tmp_path: Path, corpus: Corpus16) -> None:
    value = next(iter(corpus.private))
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(json.dumps({"x": value}).encode()))
    with zipfile.ZipFile(tmp_path / "b.xlsx", "w") as z:
        z.writestr("xl/sharedStrings.xml", f"<t>{value}</t>")
    assert set(Corpus.of(tmp_path).find([value])[value]) == {"a.json.gz!gunzip", "b.xlsx!xl/sharedStrings.xml"}


def test_feedback_keeps_the_original(corpus: Corpus16) -> None:
    """The feedback workbooks (for the rep, outside the site) are copies of the originals: nothing masked."""
    feedback = corpus.root / "feedback"
    copies = list(feedback.rglob("*.xlsx"))
    assert copies
    found = Corpus.of(feedback).find(list(corpus.private))
    assert found  # the private values are still in the reps' copies


def test_summary_and_quality_page_name_columns_and_counts_never_values(corpus: Corpus16) -> None:
    text = "\n".join(corpus.summary)
    assert "个人信息" in text and "联系人手机" in text and "已遮盖" in text, text
    quality = (corpus.root / "output" / "all" / "quality.html").read_text(encoding="utf-8")
    section = quality[quality.index('id="privacy"'):]
    for label in ("联系人手机", "出生年月", "微信号", "家庭住址", "Mobile", "备注", "主要内容"):
        assert label in section, label
    assert not Corpus.of(corpus.root / "output").find(_needles(corpus))


# ---------------------------------------------------------------- audiences


def _foreign(c: Corpus16, mine: Team) -> list[str]:
    out = []
    for t in c.teams:
        if t is mine:
            continue
        out += [t.name, t.rep, t.file, t.file.split("/")[-1], *t.persons]
        out += [x for pair in t.accounts for x in pair]
    return out


@pytest.mark.parametrize("index", [0, 1])
def test_a_team_site_names_nothing_of_another_team(corpus: Corpus16, index: int) -> None:
    team = corpus.teams[index]
    site = corpus.root / "output" / ("east", "south")[index]
    foreign = _foreign(corpus, team)
    hits = Corpus.of(site).find([f for f in foreign if len(f) >= 4])
    assert not hits, hits
    # short names (2–3 characters) are searched as whole words of the page texts
    texts = "\0".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*")
                      if p.is_file() and p.suffix in (".html", ".json", ".js"))
    for name in (f for f in foreign if len(f) < 4):
        assert name not in texts, name
    other = corpus.teams[1 - index]
    assert other.amount not in texts  # a figure only the other team has


@pytest.mark.parametrize("index", [0, 1])
def test_a_cross_team_problem_shows_in_both_sites_with_the_other_side_withheld(corpus: Corpus16, index: int) -> None:
    site = corpus.root / "output" / ("east", "south")[index]
    issues = json.loads((site / "data" / "issues.json").read_text(encoding="utf-8"))
    dup = [i for i in issues if i["code"] == "account-duplicate"]
    assert dup, [i["code"] for i in issues]
    assert any("另一处在其他团队的文件中" in i["message"] for i in dup), dup
    if index == 0:  # the east team's account, the south team's row: east sees the problem without its place
        assert all(not i["file"] and not i["rep"] for i in dup)
    else:  # the south team's own row: its cell is shown, the account (east's) is not named
        assert all(i["file"] == corpus.teams[1].file and not i["account"] for i in dup)


def test_config_defaults() -> None:
    cfg = Config(root=Path("/tmp"))
    assert cfg.mask_values and cfg.public_fields == () and cfg.unmasked_fields == ()


def test_masking_happens_once_and_can_be_turned_off_per_column() -> None:
    from sitegen.issues import Issue, Report, Severity, SheetCount
    from sitegen.model import Account, Dataset, FollowUp, KeyPerson, Source
    from sitegen.privacy import mask_dataset

    src = Source("华东一组/张三 13912345678.xlsx", "跟进13800001111", 2)
    ds = Dataset(
        accounts=(Account("KA-13912345678", "某集团", "张三", "华东一组", notes="电话 13912345678",
                          website="mail to a@b.cn", extra=(("付款信息", "卡 6222021234567890123"),), src=src),),
        key_persons=(KeyPerson("KA-13912345678", "李四", strategy="先打 010-62345678", src=src),),
        followups=(FollowUp(AS_OF, "KA-13912345678", "张三", content="回电 13912345678", src=src),),
    )
    report = Report((Issue(Severity.WARNING, "x", "值“13912345678”不对", src.file, src.sheet, "A2", "张三"),),
                    (SheetCount(src.file, src.sheet, "followup", "张三", 1, 1, 0, 0),))
    root = Path("/tmp")
    shown, rep = mask_dataset(ds, report, Config(root=root))
    a, p, f = shown.accounts[0], shown.key_persons[0], shown.followups[0]
    assert a.id == "KA-13912345678" and f.account_id == a.id  # identifiers are never changed
    assert a.notes == "电话 139****5678" and a.website == "mail to a***@b.cn"
    assert a.extra == (("付款信息", "卡 6222***********0123"),)
    assert p.strategy == "先打 010-****5678" and f.content == "回电 139****5678"
    assert a.src is not None and a.src.file == "华东一组/张三 139****5678.xlsx" and a.src.sheet == "跟进138****1111"
    assert rep.issues[0].message == "值“139****5678”不对" and rep.issues[0].file == a.src.file
    assert rep.sheets[0].sheet == "跟进138****1111"
    assert dict(((label, n) for _f, _s, label, n in rep.masked)) == {"备注": 1, "网站": 1, "付款信息": 1, "应对策略": 1,
                                                                     "主要内容": 1}
    # the originals are untouched (the feedback workbooks are written from them)
    assert ds.accounts[0].notes == "电话 13912345678" and report.issues[0].file == src.file
    # per column, and altogether
    shown, _ = mask_dataset(ds, report, Config(root=root, unmasked_fields=("备注", "网站")))
    assert shown.accounts[0].notes == "电话 13912345678" and shown.accounts[0].website == "mail to a@b.cn"
    assert shown.followups[0].content == "回电 139****5678"
    shown, rep = mask_dataset(ds, report, Config(root=root, mask_values=False))
    assert shown == ds and rep.issues == report.issues and rep.masked == ()


def test_a_column_published_on_purpose_is_not_masked() -> None:
    from sitegen.model import Account, Dataset
    from sitegen.privacy import mask_dataset

    ds = Dataset(accounts=(Account("KA-1", "某集团", "张三", "华东一组", extra=(("总机", "0571-88886666"),
                                                                          ("付款信息", "0571-88886666")),),))
    shown, _ = mask_dataset(ds, Report(), Config(root=Path("/tmp"), public_fields=("总机",)))
    assert shown.accounts[0].extra == (("总机", "0571-88886666"), ("付款信息", "0571-****6666"))
