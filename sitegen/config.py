"""sitegen.yaml -> a frozen Config. Every key is declared once in SETTINGS with its default and help.

Unknown keys and wrong types are errors that name the key. Paths resolve against the config file's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .forms.values import ATTITUDE_SCORES


class ConfigError(Exception):
    """A problem with sitegen.yaml, in plain words, naming the key."""


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    probability: float  # 0..1
    open: bool
    won: bool
    lost: bool
    en: str


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("客户开发", 0.10, True, False, False, "Development"),
    Stage("立项", 0.20, True, False, False, "Qualified"),
    Stage("提案", 0.40, True, False, False, "Proposal"),
    Stage("招投标", 0.60, True, False, False, "Bidding"),
    Stage("商务谈判", 0.80, True, False, False, "Negotiation"),
    Stage("工程实施", 1.00, False, True, False, "Implementation"),
    Stage("赢单", 1.00, False, True, False, "Won"),
    Stage("丢单", 0.00, False, False, True, "Lost"),
    Stage("暂停", 0.00, False, False, False, "On hold"),
)

DEFAULT_STAGE_ALIASES: dict[str, str] = {
    # Ricoh letters (seed 001)
    "S": "客户开发", "P": "立项", "A": "立项", "D": "提案", "C": "商务谈判", "O": "工程实施",
    # numbers of the six stages
    "1": "客户开发", "2": "立项", "3": "提案", "4": "招投标", "5": "商务谈判", "6": "工程实施",
    # common words
    "开发": "客户开发", "线索": "客户开发", "立项阶段": "立项", "方案": "提案", "提案阶段": "提案",
    "投标": "招投标", "招标": "招投标", "谈判": "商务谈判", "商务": "商务谈判", "实施": "工程实施",
    "签约": "赢单", "成交": "赢单", "已签约": "赢单", "赢": "赢单", "输单": "丢单", "丢": "丢单", "失败": "丢单",
    "搁置": "暂停", "挂起": "暂停",
    "won": "赢单", "lost": "丢单",
    # CRM stages and end states (Salesforce's defaults, HubSpot, Dynamics, Chinese CRMs), issue 15
    "已成交": "赢单", "已赢单": "赢单", "赢得": "赢单", "已丢单": "丢单", "丢失": "丢单", "已丢失": "丢单", "已输单": "丢单",
    "已暂停": "暂停", "已搁置": "暂停", "实施中": "工程实施", "交付": "工程实施", "交付中": "工程实施",
    "初步接洽": "客户开发", "潜在": "客户开发", "需求确认": "立项", "需求分析": "立项", "方案报价": "提案",
    "closed won": "赢单", "closed-won": "赢单", "closedwon": "赢单", "win": "赢单",
    "closed lost": "丢单", "closed-lost": "丢单", "closedlost": "丢单", "loss": "丢单",
    "prospecting": "客户开发", "prospect": "客户开发", "lead": "客户开发",
    "qualification": "立项", "qualify": "立项", "qualified": "立项", "needs analysis": "立项", "discovery": "立项",
    "engaging": "立项",
    "value proposition": "提案", "id. decision makers": "提案", "perception analysis": "提案", "proposal": "提案",
    "proposal/price quote": "提案", "demo": "提案", "solution": "提案",
    "bidding": "招投标", "tender": "招投标", "rfp": "招投标",
    "negotiation": "商务谈判", "negotiation/review": "商务谈判", "contract": "商务谈判", "commit": "商务谈判",
    "implementation": "工程实施", "delivery": "工程实施",
    "on hold": "暂停", "on-hold": "暂停", "paused": "暂停", "hold": "暂停",
}

DEFAULT_PRIVATE = ("电话", "邮箱", "生日", "籍贯", "爱好", "家庭情况")
DEFAULT_SCORES = ("品牌", "产品技术", "商务价格", "服务", "客户关系")
DEFAULT_STUCK_WEEKS = {"客户开发": 8, "立项": 6, "提案": 6, "招投标": 4, "商务谈判": 4}  # issue 17


@dataclass(frozen=True, slots=True)
class Audience:
    name: str  # ASCII slug used as the folder name
    title: str
    teams: tuple[str, ...]  # empty = every team


@dataclass(frozen=True)
class Config:
    root: Path  # folder of sitegen.yaml (or the working folder)
    title: str = "大客户管理"
    language: str = "zh"
    input: Path = Path("input")
    output: Path = Path("output")
    state: Path = Path(".sitegen")
    feedback: Path = Path("feedback")
    layouts: Path = Path("layouts")
    publish: Path | None = None
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    stage_aliases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STAGE_ALIASES))
    stale_days: int = 30
    stale_days_strict: int = 14
    strict_categories: tuple[str, ...] = ("战略客户", "重要客户")
    private_fields: tuple[str, ...] = DEFAULT_PRIVATE
    public_fields: tuple[str, ...] = ()  # published on purpose although private by meaning (privacy.py)
    mask_values: bool = True  # mask phone numbers, e-mail addresses, ID and card numbers in published text
    unmasked_fields: tuple[str, ...] = ()  # columns whose text is published unmasked
    attitude_scores: dict[str, int] = field(default_factory=lambda: dict(ATTITUDE_SCORES))
    score_dimensions: tuple[str, ...] = DEFAULT_SCORES
    aliases: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    value_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    default_owner: str = ""
    owner_from_folder: bool = True
    default_team: str = ""
    rep_teams: dict[str, str] = field(default_factory=dict)
    account_id_from_name: bool = False
    money_scale: float = 1.0
    weekly_contact_target: int = 5
    audiences: tuple[Audience, ...] = ()
    max_text_length: int = 2000
    # issue 17: deal inspection and the forecast categories
    pushed_min: int = 2
    stuck_weeks: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_STUCK_WEEKS))
    qualified_from_stage: str = "提案"
    qualified_blank_from_stage: str = "招投标"
    commit_stages: tuple[str, ...] = ("商务谈判",)
    commit_probability: float = 0.8
    best_case_stages: tuple[str, ...] = ("招投标",)
    as_of: date | None = None  # the statistics date when the command line gives none; None = today
    history_baseline: Path | None = None  # read-only weekly snapshots shipped with the project (the demo's)

    def statistics_date(self, given: date | None = None) -> date:
        """The as-of date of a run: the one given (--as-of), else sitegen.yaml's as_of, else today."""
        return given or self.as_of or date.today()
    # issue 18: contact coverage and care after the sale
    contact_window_days: int = 90
    contact_fade_days: int = 90
    care_days: int = 90

    def path(self, p: Path) -> Path:
        return p if p.is_absolute() else (self.root / p)

    @property
    def input_dir(self) -> Path:
        return self.path(self.input)

    @property
    def output_dir(self) -> Path:
        return self.path(self.output)

    @property
    def state_dir(self) -> Path:
        return self.path(self.state)

    @property
    def feedback_dir(self) -> Path:
        return self.path(self.feedback)

    @property
    def layouts_dir(self) -> Path:
        return self.path(self.layouts)

    def stage(self, name: str) -> Stage | None:
        for s in self.stages:
            if s.name == name:
                return s
        return None

    @property
    def open_stages(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages if s.open)


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    type: str  # str, bool, int, float, path, list[str], dict, stages, audiences
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("title", "str", "大客户管理", "网站标题 / site title"),
    Setting("language", "str", "zh", "界面语言：zh（中文）或 en（English）"),
    Setting("input", "path", "input", "工作簿所在文件夹（相对于 sitegen.yaml）"),
    Setting("output", "path", "output", "网站输出文件夹"),
    Setting("state", "path", ".sitegen", "历史快照和缓存所在文件夹（不要放在 output 里）"),
    Setting("feedback", "path", "feedback", "标注了问题的反馈工作簿输出文件夹（含个人信息，不要放在网站里）"),
    Setting("layouts", "path", "layouts", "自定义模板文件夹，优先于内置模板"),
    Setting("publish", "path", None, "构建完成后复制网站到此文件夹（如网络共享盘），可不填"),
    Setting("stages", "stages", None,
            "销售阶段列表：每项 name、probability（0–1）、open（是否在进行中）、won、lost、en；不填则用默认九个阶段"),
    Setting("stage_aliases", "dict", {}, "阶段别名 -> 阶段名，追加到默认别名（S/P/A/D/C/O、1–6 等）"),
    Setting("stale_days", "int", 30, "超过多少天未接触算“停滞客户”"),
    Setting("stale_days_strict", "int", 14, "重点类别客户的停滞天数"),
    Setting("strict_categories", "list[str]", ["战略客户", "重要客户"], "使用较严停滞天数的客户类别"),
    Setting("private_fields", "list[str]", list(DEFAULT_PRIVATE),
            "不在网站上公开的列（按列名；电话、邮箱、生日、身份证、住址、微信、QQ、家庭、爱好、籍贯等个人信息列无论叫什么都不公开）"),
    Setting("public_fields", "list[str]", [], "按列名有意公开的列（即使它看起来是个人信息，如客户的总机“电话”），其中的号码也不遮盖；构建摘要会列出"),
    Setting("mask_values", "bool", True, "在公开的文字中遮盖手机号、座机号、邮箱、身份证号和银行卡号（如 138****5678）"),
    Setting("unmasked_fields", "list[str]", [], "不遮盖号码和邮箱的列（按列名，如 网站）"),
    Setting("attitude_scores", "dict", dict(ATTITUDE_SCORES), "态度的分值，用于加权支持度"),
    Setting("score_dimensions", "list[str]", list(DEFAULT_SCORES), "竞争分析的评分维度（每个维度一列，1–5 分）"),
    Setting("aliases", "dict", {}, "列名别名：表单（customer/competition/keyperson/followup/targets）-> 标准列名 -> 别名列表"),
    Setting("value_aliases", "dict", {}, "取值别名：枚举名（category、role、attitude、method…）-> 别名 -> 标准值"),
    Setting("default_owner", "str", "", "无法从表格或文件夹确定客户经理时使用的姓名"),
    Setting("owner_from_folder", "bool", True, "是否用文件夹名作为客户经理（input/张三/跟进表.xlsx）"),
    Setting("default_team", "str", "", "没有“所属团队”时使用的团队名"),
    Setting("rep_teams", "dict", {}, "客户经理 -> 团队，补充或覆盖表格中的所属团队"),
    Setting("account_id_from_name", "bool", False, "没有客户编号列时，用客户名称作为编号"),
    Setting("money_scale", "float", 1.0, "金额列中纯数字乘以此系数得到万元（如金额以元填写则为 0.0001）"),
    Setting("weekly_contact_target", "int", 5, "每位客户经理每周的跟进次数目标（销售目标表没有时使用）"),
    Setting("audiences", "audiences", [], "按受众分别生成网站：每项 name（英文文件夹名）、title、teams（不填为全部）"),
    Setting("max_text_length", "int", 2000, "网站上每个文字单元格最多显示的字符数"),
    # issue 17: deal inspection (flag codes in docs/admin.md) and the forecast categories
    Setting("pushed_min", "int", 2, "预计成交日期被推迟至少多少次，项目标记为“多次推迟”（pushed）"),
    Setting("stuck_weeks", "dict", dict(DEFAULT_STUCK_WEEKS),
            "阶段 -> 周数：项目停留在该阶段超过这么多周，标记为“阶段停滞”（stuck）；未列出的阶段不检查"),
    Setting("qualified_from_stage", "str", "提案", "从这个阶段起，预算(M)/决策人(A)/需求(N) 任一为“否”即标记“阶段超前于资格”"),
    Setting("qualified_blank_from_stage", "str", "招投标", "从这个阶段起，MAN 任一未填也标记“阶段超前于资格”"),
    Setting("commit_stages", "list[str]", ["商务谈判"], "预测分类：这些阶段的项目算“承诺”（commit）"),
    Setting("commit_probability", "float", 0.8, "预测分类：成交概率不低于此值（0–1）的项目也算“承诺”"),
    Setting("best_case_stages", "list[str]", ["招投标"], "预测分类：这些阶段的项目算“最佳情况”（best case），其余为“管道”"),
    Setting("as_of", "date", None,
            "统计日期（如 2026-11-20）：命令行没有 --as-of 时使用；不填则为运行当天。示例部门用它固定日期，任何一天构建都一样"),
    Setting("history_baseline", "path", None,
            "随项目提供的历史快照文件夹（只读，如示例部门的上一周），与 state 中的历史合并；可不填"),
    Setting("contact_window_days", "int", 90, "关键人“近期接触次数”和“已覆盖部门”统计最近多少天的跟进"),
    Setting("contact_fade_days", "int", 90, "关键人超过多少天未接触，在关键人表和组织结构图中淡色显示"),
    Setting("care_days", "int", 90, "已赢单客户（赢单、工程实施）超过多少天未接触，列入客户经理的待办（售后关怀）"),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def _check_type(key: str, value: Any, kind: str) -> Any:
    def fail(expected: str) -> ConfigError:
        return ConfigError(f"sitegen.yaml 中“{key}”的类型不对：应为{expected}，实际是 {value!r}")

    if kind == "str":
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise fail("文字")
        return str(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail("true 或 false")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail("非负整数")
        return value
    if kind == "float":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise fail("正数")
        return float(value)
    if kind == "path":
        if not isinstance(value, str) or not value.strip():
            raise fail("文件夹路径")
        return Path(value)
    if kind == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise fail("日期，例如 2026-11-20") from None
    if kind == "list[str]":
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise fail("文字列表")
        return tuple(str(v) for v in value)
    if kind == "dict":
        if not isinstance(value, dict):
            raise fail("键值对")
        return value
    return value


def _stages(value: Any) -> tuple[Stage, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError("sitegen.yaml 中“stages”应为阶段列表，每项含 name 和 probability")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"sitegen.yaml 中“stages”第 {i} 项应含 name")
        unknown = set(item) - {"name", "probability", "open", "won", "lost", "en"}
        if unknown:
            raise ConfigError(f"sitegen.yaml 中“stages”第 {i} 项有未知的键：{', '.join(sorted(unknown))}")
        p = item.get("probability", 0)
        if not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ConfigError(f"sitegen.yaml 中“stages”第 {i} 项的 probability 应在 0 到 1 之间")
        out.append(Stage(str(item["name"]), float(p), bool(item.get("open", False)), bool(item.get("won", False)),
                         bool(item.get("lost", False)), str(item.get("en", item["name"]))))
    return tuple(out)


def _audiences(value: Any) -> tuple[Audience, ...]:
    import re

    if not isinstance(value, list):
        raise ConfigError("sitegen.yaml 中“audiences”应为列表")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"sitegen.yaml 中“audiences”第 {i} 项应含 name")
        unknown = set(item) - {"name", "title", "teams"}
        if unknown:
            raise ConfigError(f"sitegen.yaml 中“audiences”第 {i} 项有未知的键：{', '.join(sorted(unknown))}")
        name = str(item["name"])
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", name):
            raise ConfigError(f"sitegen.yaml 中“audiences”第 {i} 项的 name 只能用小写英文字母、数字、- 和 _：{name!r}")
        teams = item.get("teams") or []
        if not isinstance(teams, list):
            raise ConfigError(f"sitegen.yaml 中“audiences”第 {i} 项的 teams 应为列表")
        out.append(Audience(name, str(item.get("title", name)), tuple(str(t) for t in teams)))
    return tuple(out)


def config_from_dict(data: dict[str, Any], root: Path) -> Config:
    if not isinstance(data, dict):
        raise ConfigError("sitegen.yaml 的内容应为“键: 值”形式")
    kwargs: dict[str, Any] = {"root": root}
    for key, value in data.items():
        setting = _BY_KEY.get(str(key))
        if setting is None:
            raise ConfigError(f"sitegen.yaml 中有未知的键“{key}”。可用的键：{', '.join(s.key for s in SETTINGS)}")
        if value is None:
            continue
        if setting.type == "stages":
            kwargs["stages"] = _stages(value)
        elif setting.type == "audiences":
            kwargs["audiences"] = _audiences(value)
        else:
            kwargs[setting.key] = _check_type(setting.key, value, setting.type)
    if "language" in kwargs and kwargs["language"] not in ("zh", "en"):
        raise ConfigError(f"sitegen.yaml 中“language”只能是 zh 或 en，实际是 {kwargs['language']!r}")
    stages = kwargs.get("stages", DEFAULT_STAGES)
    names = {s.name for s in stages}
    # default aliases apply only to stages that exist; the user's own must all point at a stage
    merged = {k: v for k, v in DEFAULT_STAGE_ALIASES.items() if v in names}
    for alias, target in kwargs.get("stage_aliases", {}).items():
        if str(target) not in names:
            raise ConfigError(f"sitegen.yaml 中“stage_aliases”把“{alias}”指向了不存在的阶段“{target}”")
        merged[str(alias)] = str(target)
    kwargs["stage_aliases"] = merged
    if "attitude_scores" in kwargs:
        scores = {**ATTITUDE_SCORES}
        for k, v in kwargs["attitude_scores"].items():
            if k not in ATTITUDE_SCORES or not isinstance(v, int):
                raise ConfigError(f"sitegen.yaml 中“attitude_scores”的“{k}”无效：态度应为 {'、'.join(ATTITUDE_SCORES)}，分值为整数")
            scores[k] = v
        kwargs["attitude_scores"] = scores
    if "aliases" in kwargs:
        forms = {"customer", "competition", "keyperson", "followup", "targets"}
        for form, cols in kwargs["aliases"].items():
            if form not in forms or not isinstance(cols, dict):
                raise ConfigError(f"sitegen.yaml 中“aliases”的“{form}”无效：应为 {', '.join(sorted(forms))} 之一，其下为 列名: [别名]")
            for col, names_ in cols.items():
                if not isinstance(names_, list):
                    raise ConfigError(f"sitegen.yaml 中“aliases.{form}.{col}”应为列表")
        kwargs["aliases"] = {f: {str(c): [str(n) for n in ns] for c, ns in cols.items()} for f, cols in kwargs["aliases"].items()}
        from .forms import check_aliases

        problems = check_aliases(kwargs.get("score_dimensions", DEFAULT_SCORES), kwargs["aliases"],
                                 str(kwargs.get("language", "zh")))
        if problems:
            en = kwargs.get("language") == "en"
            raise ConfigError(("sitegen.yaml: " if en else "sitegen.yaml：") + ("; " if en else "；").join(problems))
    if "value_aliases" in kwargs:
        for enum, mapping in kwargs["value_aliases"].items():
            if not isinstance(mapping, dict):
                raise ConfigError(f"sitegen.yaml 中“value_aliases.{enum}”应为 别名: 标准值")
        kwargs["value_aliases"] = {str(e): {str(k): str(v) for k, v in m.items()} for e, m in kwargs["value_aliases"].items()}
    if "rep_teams" in kwargs:
        kwargs["rep_teams"] = {str(k): str(v) for k, v in kwargs["rep_teams"].items()}
    if "stuck_weeks" in kwargs:
        for k, v in kwargs["stuck_weeks"].items():
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"sitegen.yaml 中“stuck_weeks”的“{k}”应为正整数（周数），实际是 {v!r}")
        kwargs["stuck_weeks"] = {str(k): int(v) for k, v in kwargs["stuck_weeks"].items()}
    config = Config(**kwargs)
    check_folders(config)
    return config


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


def check_folders(config: Config, *, input_dir: Path | None = None, output_dir: Path | None = None) -> None:
    """The folders sitegen writes (output, state, feedback) must not lie inside the input folder: whatever is
    written there would change the input and be read back as input by the next build."""
    inp = input_dir or config.input_dir
    for key, folder in (("output", output_dir or config.output_dir), ("state", config.state_dir),
                        ("feedback", config.feedback_dir)):
        if _inside(folder, inp):
            raise ConfigError(f"sitegen.yaml 中“{key}”（{folder}）位于输入文件夹 {inp} 之内；"
                              f"sitegen 写出的文件会改变输入。请把它放在输入文件夹之外")


def config_text(raw: bytes) -> str:
    """sitegen.yaml as Notepad saves it: UTF-8 with or without BOM, or "ANSI" (GBK on a Chinese Windows PC),
    with CRLF or LF line ends."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # GBK's superset; raises for bytes that are neither
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_config(path: Path | None, *, cwd: Path | None = None) -> Config:
    """Load sitegen.yaml. With no path, use ./sitegen.yaml when it exists, else the defaults."""
    cwd = cwd or Path.cwd()
    if path is None:
        candidate = cwd / "sitegen.yaml"
        if not candidate.exists():
            return Config(root=cwd.resolve())
        path = candidate
    if not path.exists():
        raise ConfigError(f"找不到配置文件 {path}")
    try:
        text = config_text(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"配置文件 {path} 既不是 UTF-8 也不是 GBK 编码；请用记事本打开，“另存为”时编码选 UTF-8") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise ConfigError(f"配置文件 {path.name} {where}格式错误（YAML）：{getattr(exc, 'problem', exc)}") from None
    return config_from_dict(data, path.resolve().parent)
