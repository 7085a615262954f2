"""竞争能力与策略分析对比表 — one row per account × party (a competitor, or 我方)."""

from .base import Column, FormSpec, Kind
from .customer import ACCOUNT_ID, ACCOUNT_NAME

FORM = FormSpec(
    key="competition",
    title="竞争能力与策略分析对比表",
    en="Competition analysis",
    sheet_names=("竞争", "竞品", "对手", "competition", "competitor"),
    columns=(
        ACCOUNT_ID,
        ACCOUNT_NAME,
        Column("party", "竞争方", Kind.TEXT, True, ("竞争对手", "竞争厂商", "对手", "厂商", "竞品名称", "competitor", "party"),
               help="竞争对手名称；我方填“我方”", example="我方", en="Party"),
        Column("offering", "产品/方案", Kind.TEXT, False, ("产品", "方案", "产品方案", "解决方案"), help="对方的产品或方案", en="Offering"),
        Column("price", "报价(万元)", Kind.MONEY, False, ("报价", "价格"), help="单位万元", example="95", en="Price (10k CNY)"),
        Column("strengths", "优势", Kind.TEXT, False, ("主要优势",), help="优势", en="Strengths"),
        Column("weaknesses", "劣势", Kind.TEXT, False, ("主要劣势", "不足"), help="劣势", en="Weaknesses"),
        # score columns are added from the configured dimensions (config.score_dimensions)
        Column("threat", "威胁程度", Kind.ENUM, False, ("威胁", "威胁等级", "威胁度"), enum="threat",
               help="高 / 中 / 低（竞争对手行填写）", example="高", en="Threat"),
        Column("supporters", "支持者", Kind.TEXT, False, ("支持人", "倾向者"), help="倾向该方的关键人", en="Supporters"),
        Column("strategy", "应对策略", Kind.TEXT, False, ("策略", "对策"), help="我方的应对策略", en="Our strategy"),
    ),
)
