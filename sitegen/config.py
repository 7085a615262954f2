"""sitegen.yaml -> a frozen Config. Every key is declared once in SETTINGS with its default and help.

Unknown keys and wrong types are errors that name the key. Paths resolve against the config file's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
}

DEFAULT_PRIVATE = ("电话", "邮箱", "生日", "籍贯", "爱好", "家庭情况")
DEFAULT_SCORES = ("品牌", "产品技术", "商务价格", "服务", "客户关系")


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
    Setting("private_fields", "list[str]", list(DEFAULT_PRIVATE), "不在网站上公开的列（按标准列名）"),
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
    if "value_aliases" in kwargs:
        for enum, mapping in kwargs["value_aliases"].items():
            if not isinstance(mapping, dict):
                raise ConfigError(f"sitegen.yaml 中“value_aliases.{enum}”应为 别名: 标准值")
        kwargs["value_aliases"] = {str(e): {str(k): str(v) for k, v in m.items()} for e, m in kwargs["value_aliases"].items()}
    if "rep_teams" in kwargs:
        kwargs["rep_teams"] = {str(k): str(v) for k, v in kwargs["rep_teams"].items()}
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
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise ConfigError(f"配置文件 {path.name} {where}格式错误（YAML）：{getattr(exc, 'problem', exc)}") from None
    return config_from_dict(data, path.resolve().parent)
