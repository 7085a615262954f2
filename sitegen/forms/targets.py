"""销售目标表 — optional: each rep's monthly targets, for plan versus actual."""

from .base import Column, FormSpec, Kind

FORM = FormSpec(
    key="targets",
    title="销售目标表",
    en="Targets",
    sheet_names=("销售目标", "目标", "target"),
    columns=(
        Column("rep", "客户经理", Kind.TEXT, True, ("大客户经理", "销售代表", "姓名"), help="客户经理姓名", example="张伟", en="Rep"),
        Column("month", "月份", Kind.MONTH, True, ("月", "month"), help="2026-11 或 2026年11月", example="2026-11", en="Month"),
        Column("visit_target", "拜访目标", Kind.INT, False, ("拜访次数目标", "跟进目标"), help="本月拜访（跟进）次数目标",
               example="40", en="Contacts target"),
        Column("sign_target", "签约目标(万元)", Kind.MONEY, False, ("签约目标", "销售目标"), help="单位万元", example="300",
               en="Signing target (10k CNY)"),
    ),
)
