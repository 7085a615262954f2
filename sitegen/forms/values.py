"""The enumerations reps choose from, with the aliases they type (domain.md, seeds 001–004)."""

from __future__ import annotations

CATEGORIES = ("重要客户", "高价值客户", "团购客户", "战略客户", "潜在大客户")
GRADES = ("A", "B", "C", "VIP", "MGC", "BZ")
NATURES = ("外企", "国企", "民企", "政府机关", "事业单位")
WIN_LOSS_REASONS = ("价格", "产品", "服务", "关系", "决策人未接触", "建议书晚于对手", "其他")
THREATS = ("高", "中", "低")
ROLES = ("决策者", "推荐者", "影响者", "采购者", "使用者", "守门人", "内线")
ATTITUDES = ("接受", "怀疑", "冷淡", "抵触", "恶意拆台")
RELATIONSHIPS = ("认识", "约会", "认同", "信赖", "同盟")
PERSONAL_NEEDS = ("权力", "成就", "赏识", "接纳", "安全")
STYLES = ("控制型", "倡导型", "分析型", "平易型")
METHODS = ("拜访", "电话", "微信", "邮件", "演示", "公司参观", "客户参观", "宴请", "其他")

ENUMS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "grade": GRADES,
    "nature": NATURES,
    "win_loss_reason": WIN_LOSS_REASONS,
    "threat": THREATS,
    "role": ROLES,
    "attitude": ATTITUDES,
    "personal_need": PERSONAL_NEEDS,
    "style": STYLES,
    "method": METHODS,
}

# alias -> canonical value, per enumeration (keys are compared after NFKC, without spaces, lower case)
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "category": {"重点客户": "重要客户", "战略": "战略客户", "重要": "重要客户", "潜在客户": "潜在大客户"},
    "grade": {"a类": "A", "b类": "B", "c类": "C", "a级": "A", "b级": "B", "c级": "C"},
    "nature": {
        "外资": "外企", "外资企业": "外企", "国有企业": "国企", "央企": "国企", "民营企业": "民企",
        "民营": "民企", "私企": "民企", "政府": "政府机关", "机关": "政府机关", "事业": "事业单位",
    },
    "win_loss_reason": {"价格高": "价格", "价格因素": "价格", "未接触决策人": "决策人未接触", "决策人没接触": "决策人未接触"},
    "threat": {"高威胁": "高", "中等": "中", "一般": "中", "低威胁": "低", "h": "高", "m": "中", "l": "低"},
    "role": {"决策人": "决策者", "拍板人": "决策者", "使用人": "使用者", "采购": "采购者", "技术把关": "守门人", "教练": "内线"},
    "attitude": {"支持": "接受", "中立": "怀疑", "反对": "抵触", "拆台": "恶意拆台"},
    "personal_need": {},
    "style": {"控制": "控制型", "倡导": "倡导型", "分析": "分析型", "平易": "平易型", "友善型": "平易型"},
    "method": {
        "上门拜访": "拜访", "面访": "拜访", "见面": "拜访", "电话沟通": "电话", "来电": "电话",
        "微信沟通": "微信", "email": "邮件", "电子邮件": "邮件", "产品演示": "演示", "参观": "公司参观",
        "请客": "宴请", "吃饭": "宴请",
    },
}

# Default scores of attitudes (config may change them)
ATTITUDE_SCORES: dict[str, int] = {"接受": 2, "怀疑": 0, "冷淡": -1, "抵触": -2, "恶意拆台": -3}

INFLUENCE_WORDS = {"高": 5, "中": 3, "低": 1}

YES_WORDS = ("是", "y", "yes", "√", "✓", "✔", "有", "true", "对", "已")
NO_WORDS = ("否", "n", "no", "×", "✗", "✘", "无", "false", "未", "没有")

# Words that make a row a subtotal row, skipped (never an error)
SUBTOTAL_WORDS = ("合计", "小计", "总计", "汇总", "total", "subtotal")

# The party that is us in the competition form
US_WORDS = ("我方", "本公司", "我司", "我们")
