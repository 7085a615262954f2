"""Personal data: which columns are private (by meaning, not by spelling) and masking of personal numbers and
addresses typed into published text.

Two rules, both applied before anything is published:

* **Columns.** Every column of every form and layout (table, card, extra columns) is classified by its header:
  `private_kind(label)` compares the header, after normalising case, full/half width, spaces and punctuation,
  with built-in synonym sets per kind (phone, e-mail, birthday, ID number, home address, WeChat, QQ, family,
  hobbies, native place), then applies "contains" rules (`联系人手机`, `私人手机号码`, `Mobile No.`), with
  business words that make a header public again (`电话拜访次数`, `Phone calls`). `private_fields` adds headers;
  `public_fields` publishes a header on purpose. Private columns are set apart while reading
  (read/extract.py) and never reach the dataset the site is built from.
* **Values.** `mask_loaded()` is the one place where every text that reaches the site (names, notes, follow-up
  content, strategies, extra columns, file and sheet names, problem messages) has mainland mobile numbers,
  landlines with an area code, e-mail addresses, 18-digit ID numbers and bank-card-like numbers masked
  (`138****5678`, `l***@corp.cn`). The build calls it right after reading, so pages, JSON, the search index,
  the Excel export and chart data all get the masked value; feedback workbooks (for the rep, from the original
  workbooks) keep the original. `unmasked_fields` turns masking off per column.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from .issues import Issue, Report, SheetCount
from .model import Account, CompetitionRow, Dataset, FollowUp, KeyPerson, Project, Source

if TYPE_CHECKING:
    from .config import Config

# ---------------------------------------------------------------------------------------------- columns

KINDS = ("phone", "email", "birthday", "id_number", "address", "wechat", "qq", "family", "hobbies",
         "native_place", "personal")

# kind -> (whole headers, Chinese words a header may contain, English words)
_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "phone": (("电话", "手机", "移动电话", "电话号码", "联系电话", "联系人手机", "个人电话", "私人手机", "座机",
               "手机号", "手机号码", "第二联系电话", "固话", "固定电话", "联系方式", "办公电话", "分机", "传真",
               "tel", "telephone", "phone", "mobile", "cell", "cellphone", "mob", "fax", "telno", "phoneno",
               "mobileno", "contactnumber", "phonenumber", "mobilephone"),
              ("电话", "手机", "座机", "固话", "联系方式", "分机", "传真"),
              ("tel", "telephone", "phone", "phones", "mobile", "cell", "cellphone", "mob", "fax", "tel.")),
    "email": (("邮箱", "电子邮箱", "电子邮件", "邮件地址", "电邮", "邮件", "email", "mail", "emailaddress"),
              ("邮箱", "电子邮件", "邮件地址", "电邮"),
              ("email", "mail", "emails")),
    "birthday": (("生日", "出生日期", "出生年月", "出生年月日", "生日日期", "年龄", "dob", "birthday", "dateofbirth",
                  "birthdate", "age"),
                 ("生日", "出生", "年龄", "生辰"),
                 ("dob", "birthday", "birthdate", "birth", "age")),
    "id_number": (("身份证", "身份证号", "身份证号码", "证件号", "证件号码", "护照号", "idcard", "idno", "idnumber",
                   "idcardno", "passport", "passportno"),
                  ("身份证", "证件", "护照", "社保号"),
                  ("passport", "idcard")),
    "address": (("家庭住址", "住址", "家庭地址", "住所", "居住地", "居住地址", "现住址", "家住", "个人地址", "私人地址",
                 "通讯地址", "homeaddress"),
                ("住址", "住所", "居住", "家庭地址", "家住", "个人地址", "私人地址"),
                ()),
    "wechat": (("微信", "微信号", "微信id", "wechat", "weixin", "wx", "wxid", "wechatid"),
               ("微信",),
               ("wechat", "weixin", "wxid")),
    "qq": (("qq", "qq号", "qq号码"), ("qq",), ("qq",)),
    "family": (("家庭", "家庭情况", "家庭成员", "家人", "配偶", "子女", "婚姻状况", "婚否", "family", "spouse",
                "children", "maritalstatus"),
               ("家庭", "家人", "配偶", "爱人", "子女", "孩子", "婚姻", "婚否", "妻子", "丈夫", "父母"),
               ("family", "spouse", "children", "kids", "marital", "wife", "husband")),
    "hobbies": (("爱好", "兴趣", "兴趣爱好", "喜好", "嗜好", "特长", "hobby", "hobbies", "interests"),
                ("爱好", "兴趣", "喜好", "嗜好", "特长"),
                ("hobby", "hobbies", "interests")),
    "native_place": (("籍贯", "老家", "户籍", "出生地", "家乡", "祖籍", "hometown", "nativeplace", "birthplace"),
                     ("籍贯", "老家", "户籍", "家乡", "祖籍"),
                     ("hometown", "native", "birthplace")),
    "personal": (("隐私", "个人信息", "私人信息", "privacy", "private"),
                 ("隐私", "个人信息", "私人信息"),
                 ("private", "privacy")),
}

# words that make a header about the business, not about a person: 电话拜访次数, 微信沟通, 手机行业, Phone calls
_BUSINESS_ZH = ("拜访", "次数", "数量", "沟通", "会议", "回访", "营销", "费用", "话费", "时长", "行业", "产品", "品牌",
                "销售", "公众号", "客服", "商城", "总数", "金额", "频次")
_BUSINESS_EN = ("visit", "visits", "call", "calls", "count", "times", "meeting", "meetings", "cost", "costs", "fee",
                "fees", "industry", "product", "products", "sales", "brand", "campaign")

_SEPARATORS = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")


def normalise_header(label: object) -> str:
    """Case, full/half width, spaces and punctuation folded away: `Ｅ-Mail：` -> `email`, `电话 (手机)` -> `电话手机`."""
    s = unicodedata.normalize("NFKC", str(label or "")).casefold()
    return _SEPARATORS.sub("", s.replace("*", ""))


def _words(label: object) -> set[str]:
    s = unicodedata.normalize("NFKC", str(label or ""))
    split = re.sub(r"([a-z])([A-Z])", r"\1 \2", s).casefold()  # MobilePhone -> mobile phone (and WeChat too)
    return set(re.findall(r"[a-z]+", split)) | set(re.findall(r"[a-z]+", s.casefold()))


_EXACT: dict[str, str] = {}
for _kind, (_whole, _contains, _en) in _RULES.items():
    for _w in _whole:
        _EXACT.setdefault(normalise_header(_w), _kind)


def builtin_kind(label: object) -> str:
    """The private kind the header names by meaning, or "" (a public column)."""
    n = normalise_header(label)
    if not n:
        return ""
    kind = _EXACT.get(n)
    if kind:
        return kind
    words = _words(label)
    if any(b in n for b in _BUSINESS_ZH) or words & set(_BUSINESS_EN):
        return ""
    for kind, (_whole, contains, en) in _RULES.items():
        if any(c in n for c in contains) or words & set(en):
            return kind
    if "id" in words and words & {"card", "number", "no"} and len(words) <= 3:  # ID card, ID no.
        return "id_number"
    if "address" in words and words & {"home", "private", "personal", "residential", "residence"}:
        return "address"
    return ""


@dataclass(frozen=True)
class Classifier:
    """The department's rule: built-in kinds, plus `private_fields`, minus `public_fields`."""

    private: frozenset[str]
    public: frozenset[str]

    @classmethod
    def of(cls, config: Config) -> Classifier:
        return cls(frozenset(normalise_header(p) for p in config.private_fields),
                   frozenset(normalise_header(p) for p in getattr(config, "public_fields", ())))

    def kind(self, *labels: str) -> str:
        """The private kind of a column known by these headers (its header as typed, its standard name);
        "configured" for a header of `private_fields`; "" when it is published."""
        keys = [normalise_header(label) for label in labels if label]
        if any(k in self.public for k in keys):
            return ""
        for label in labels:
            kind = builtin_kind(label) if label else ""
            if kind:
                return kind
        return "configured" if any(k in self.private for k in keys) else ""

    def is_private(self, *labels: str) -> bool:
        return bool(self.kind(*labels))

    def published_on_purpose(self, label: str) -> bool:
        """A header that would be private but is published because `public_fields` names it."""
        k = normalise_header(label)
        return k in self.public and (bool(builtin_kind(label)) or k in self.private)


_CLASSIFIERS: dict[tuple[tuple[str, ...], tuple[str, ...]], Classifier] = {}


def classifier(config: Config) -> Classifier:
    key = (tuple(config.private_fields), tuple(getattr(config, "public_fields", ())))
    c = _CLASSIFIERS.get(key)
    if c is None:
        c = _CLASSIFIERS[key] = Classifier.of(config)
    return c


# ----------------------------------------------------------------------------------------------- values

# full-width digits, letters and signs folded to ASCII one character for one (positions stay the same)
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_D = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    ("id", re.compile(_D + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + _E)),
    ("card", re.compile(_D + r"[1-9]\d{3}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{1,3})?" + _E)),
    ("mobile", re.compile(r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}" + _E)),
    ("landline", re.compile(_D + r"(?:[(（]0\d{2,3}[)）][ \-]?|0\d{2,3}[ \-])\d{3,4}[ \-]?\d{4}(?:[ \-]?(?:转|ext\.?|-)\s?\d{1,6})?" + _E
                            + r"|" + _D + r"0[1-9]\d{9,10}" + _E)),
)
_HINT = re.compile(r"[@＠]|\d{4}|\d[ \-－]\d")  # \d: full-width digits too


def _digits_masked(s: str, keep_head: int, keep_tail: int) -> str:
    """Digits beyond the first `keep_head` and the last `keep_tail` become `*`; separators stay."""
    positions = [i for i, ch in enumerate(s) if ch.isdigit()]
    hide = set(positions[keep_head:len(positions) - keep_tail]) if len(positions) > keep_head + keep_tail else set()
    return "".join("*" if i in hide else ch for i, ch in enumerate(s))


def _mask_match(kind: str, s: str) -> str:
    if kind == "email":
        local, _, domain = s.partition("@")
        return f"{local[0]}***@{domain}"
    if kind == "mobile":
        digits = [ch for ch in s if ch.isdigit()]
        head = len(digits) - 8  # +86 and 138 stay, 5678 stays
        return _digits_masked(s, head, 4)
    if kind == "landline":
        area = re.match(r"[(（]?(0\d{2,3})[)）\s\-]", s)
        return _digits_masked(s, len(area.group(1)) if area else 3, 4)
    if kind == "id":
        return _digits_masked(s[:-1], 3, 3) + s[-1] if not s[-1].isdigit() else _digits_masked(s, 3, 4)
    return _digits_masked(s, 4, 4)  # card


_MEMO: dict[str, str] = {}


def mask_text(text: str) -> str:
    """`text` with personal numbers and e-mail addresses masked (the same text when there are none)."""
    if not text:
        return text
    done = _MEMO.get(text)
    if done is not None:
        return done
    if not _HINT.search(text):
        return text
    folded = text.translate(_FOLD)
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            a, b = m.span()
            if any(a < y and x < b for x, y, _k in spans):
                continue
            spans.append((a, b, kind))
    if not spans:
        out = text
    else:
        parts, at = [], 0
        for a, b, kind in sorted(spans):
            parts.append(text[at:a])
            masked = _mask_match(kind, folded[a:b])
            # keep the original characters (full-width digits) where nothing is hidden
            parts.append("".join(o if m != "*" and m == f else m for o, m, f in zip(text[a:b], masked, folded[a:b],
                                                                                    strict=False))
                         if len(masked) == b - a else masked)
            at = b
        parts.append(text[at:])
        out = "".join(parts)
    if len(_MEMO) > 200_000:
        _MEMO.clear()
    _MEMO[text] = out
    return out


# the standard column each masked attribute is filled from (its name in `unmasked_fields` and in the summary)
_LABELS: dict[str, dict[str, str]] = {}
_LABELS_OF = _LABELS
_QUICK = re.compile(r"[\d@＠]")


def _labels() -> dict[str, dict[str, str]]:
    if not _LABELS:
        from .forms import BASE_FORMS

        for form in BASE_FORMS:
            _LABELS[form.key] = {c.key: c.label for c in form.columns}
        _LABELS["customer"].update({"name": "客户名称", "id": "客户编号"})
        _LABELS["competition"].update({"party": "竞争方"})
    return _LABELS


# attributes never masked: identifiers and values the reader has already parsed into a fixed vocabulary
_KEEP = frozenset({"id", "account_id", "rep", "team", "stage", "attitude", "threat", "category", "grade", "nature",
                   "month", "method", "effective"})


@dataclass
class Masking:
    """How many values were masked, per (file, sheet, column): the admin is told the counts, never the values."""

    config: Config
    counts: Counter[tuple[str, str, str]]

    def __post_init__(self) -> None:
        # a column published on purpose (public_fields) is published as typed, too
        unmasked = frozenset(normalise_header(f) for f in (*getattr(self.config, "unmasked_fields", ()),
                                                             *getattr(self.config, "public_fields", ())))
        self.off = not getattr(self.config, "mask_values", True)
        self._skip: dict[str, bool] = {}
        self._unmasked = unmasked
        self._places: dict[tuple[str, str], tuple[str, str]] = {}

    def text(self, value: str, label: str, src: Source | None) -> str:
        if self.off or not value:
            return value
        skip = self._skip.get(label)
        if skip is None:
            skip = self._skip[label] = normalise_header(label) in self._unmasked
        if skip:
            return value
        out = mask_text(value)
        if out is not value and out != value:
            self.counts[(src.file if src else "", src.sheet if src else "", label)] += 1
        return out

    def pairs(self, pairs: tuple[tuple[str, str], ...], src: Source | None) -> tuple[tuple[str, str], ...]:
        out = tuple((self.text(k, "", src) if k else k, self.text(v, k, src)) for k, v in pairs)
        return pairs if out == pairs else out

    def record(self, rec: Any, form: str, names: tuple[str, ...]) -> Any:
        src = getattr(rec, "src", None)
        changes: dict[str, Any] = {}
        if not self.off:
            labels = _LABELS_OF[form] if _LABELS_OF else _labels()[form]
            quick = _QUICK.search
            for name in names:
                v = getattr(rec, name)
                if not v:
                    continue
                new: Any
                if v.__class__ is str:  # most texts hold no digit and no @: one quick look
                    if not quick(v):
                        continue
                    new = self.text(v, labels.get(name, name), src)
                elif name == "extra":
                    new = self.pairs(v, src)
                else:
                    new = tuple(self.text(x, labels.get(name, name), src) for x in v)
                if new is not v and new != v:
                    changes[name] = new
        src_new = self.source(src)
        if src_new is not src:
            changes["src"] = src_new
        return replace(rec, **changes) if changes else rec

    def source(self, src: Source | None) -> Source | None:
        if src is None or self.off:
            return src
        key = (src.file, src.sheet)
        shown = self._places.get(key)
        if shown is None:
            shown = self._places[key] = self.place(src.file, src.sheet)
        if shown == key:
            return src
        return replace(src, file=shown[0], sheet=shown[1])

    def place(self, file: str, sheet: str) -> tuple[str, str]:
        """File and sheet names as shown on the site (never counted: they are not column values)."""
        if self.off:
            return file, sheet
        f, s = mask_text(file), mask_text(sheet)
        return (file if f == file else f), (sheet if s == sheet else s)


def masked_file_names(config: Config) -> Callable[[str], str]:
    """A workbook's path as the site names it (the same masking as the records' sources)."""
    m = Masking(config, Counter())
    return lambda rel: m.place(rel, "")[0]


_TEXT_TYPES = ("str", "tuple[str, ...]", "tuple[tuple[str, str], ...]")


def _text_fields(cls: type) -> tuple[str, ...]:
    """The attributes of a record that hold text (str, tuples of str, the extra columns' pairs)."""
    return tuple(f.name for f in fields(cls) if f.name not in _KEEP and f.name not in ("src", "private", "projects")
                 and str(f.type) in _TEXT_TYPES)


def mask_dataset(dataset: Dataset, report: Report, config: Config) -> tuple[Dataset, Report]:
    """The one place where published text is masked (see the module's docstring). Records without anything to
    mask are kept as they are (the same objects)."""
    m = Masking(config, Counter())
    acc_f, proj_f = _text_fields(Account), _text_fields(Project)
    kp_f, comp_f, fu_f = _text_fields(KeyPerson), _text_fields(CompetitionRow), _text_fields(FollowUp)

    def account(a: Account) -> Account:
        projects = tuple(m.record(p, "customer", proj_f) for p in a.projects)
        out = m.record(a, "customer", acc_f)
        if any(p is not q for p, q in zip(projects, a.projects, strict=True)):
            out = replace(out, projects=projects)
        return out  # type: ignore[no-any-return]

    def each(items: tuple[Any, ...], fn: Callable[[Any], Any]) -> tuple[Any, ...]:
        out = tuple(fn(x) for x in items)
        return items if all(x is y for x, y in zip(out, items, strict=True)) else out

    ds = replace(
        dataset,
        accounts=each(dataset.accounts, account),
        key_persons=each(dataset.key_persons, lambda p: m.record(p, "keyperson", kp_f)),
        competition=each(dataset.competition, lambda c: m.record(c, "competition", comp_f)),
        followups=each(dataset.followups, lambda f: m.record(f, "followup", fu_f)),
        targets=each(dataset.targets, lambda t: m.record(t, "targets", ()) if t.src else t),
    )
    issues = tuple(_issue(i, m) for i in report.issues)
    sheets = tuple(_sheet(s, m) for s in report.sheets)
    masked = tuple(sorted((*m.place(f, s), label, n) for (f, s, label), n in m.counts.items()))
    withheld = tuple((*m.place(f, s), label, kind, n) for f, s, label, kind, n in report.withheld)
    return ds, replace(report, issues=issues, sheets=sheets, masked=masked, withheld=withheld)


def _issue(i: Issue, m: Masking) -> Issue:
    if m.off:
        return i
    file, sheet = m.place(i.file, i.sheet)
    message = mask_text(i.message)
    if file is i.file and sheet is i.sheet and message == i.message:
        return i
    return replace(i, file=file, sheet=sheet, message=message)


def _sheet(s: SheetCount, m: Masking) -> SheetCount:
    file, sheet = m.place(s.file, s.sheet)
    return s if file is s.file and sheet is s.sheet else replace(s, file=file, sheet=sheet)




RULES_DIGEST = hashlib.sha256(repr((_RULES, _BUSINESS_ZH, _BUSINESS_EN)).encode()).hexdigest()[:16]


def withheld_columns(results: Iterable[Any], config: Config) -> tuple[tuple[str, str, str, str, int], ...]:
    """(file, sheet, column, kind, values) of the values set apart as private while reading (counts only)."""
    cls = classifier(config)
    counts: Counter[tuple[str, str, str]] = Counter()
    for r in results:
        for row in r.rows:
            for label, _v in row.private:
                counts[(row.src.file, row.src.sheet, label)] += 1
        for _form, file, sheet, _columns, _keys, records in r.blocks or ():
            for record in records:
                for label, _v in record[3]:
                    counts[(file, sheet, label)] += 1
    return tuple(sorted((f, s, label, cls.kind(label) or "configured", n) for (f, s, label), n in counts.items()))


def privacy_summary(report: Report, config: Config) -> dict[str, Any]:
    """For the build summary and the quality page: columns withheld as private and values masked, per column
    (the kinds and counts, never the values), and the columns published on purpose (`public_fields`)."""
    withheld: Counter[tuple[str, str]] = Counter()
    sheets: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for f, s, label, kind, n in report.withheld:
        withheld[(label, kind)] += n
        sheets.setdefault((label, kind), set()).add((f, s))
    masked: Counter[str] = Counter()
    for _f, _s, label, n in report.masked:
        masked[label] += n
    return {
        "withheld": [[label, kind, n, len(sheets[(label, kind)])] for (label, kind), n in sorted(withheld.items())],
        "masked": [[label, n] for label, n in sorted(masked.items())],
        "masked_total": sum(masked.values()),
        "public": list(config.public_fields),
        "unmasked": list(config.unmasked_fields) if config.mask_values else ["*"],
    }


def summary_lines(info: dict[str, Any] | None, zh: bool) -> list[str]:
    """The build summary's lines about personal data (column names and counts only)."""
    from .i18n import Translator

    if not info:
        return []
    t = Translator("zh" if zh else "en")
    sep = "、" if zh else ", "
    if zh:
        def name(label: str) -> str:
            return label
    else:
        from .forms import BASE_FORMS

        english = {c.label: c.en for f in BASE_FORMS for c in f.columns if c.en}

        def name(label: str) -> str:  # a standard column by its English name; a header as typed
            return english.get(label, label)
    out = []
    if info.get("withheld"):
        by_kind: dict[str, list[str]] = {}
        for label, kind, _n, _s in info["withheld"]:
            by_kind.setdefault(kind, []).append(name(label))
        cols = ("；" if zh else "; ").join(f"{t('privacy.kind.' + kind)}{'：' if zh else ': '}{sep.join(labels)}"
                                          for kind, labels in by_kind.items())
        out.append(t("privacy.summary_withheld", n=len(info["withheld"]), cols=cols))
    if info.get("masked_total"):
        cols = sep.join(f"{name(label) or '—'} {n}" for label, n in info["masked"][:8])
        out.append(t("privacy.summary_masked", n=info["masked_total"], cols=cols))
    if info.get("public"):
        out.append(t("privacy.summary_public", cols=sep.join(info["public"])))
    return out
