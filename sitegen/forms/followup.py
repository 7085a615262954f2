"""客户跟进表 / 拜访记录表 — one row per contact."""

from .base import Column, FormSpec, Kind
from .customer import ACCOUNT_NAME

FORM = FormSpec(
    key="followup",
    title="客户跟进表",
    en="Follow-ups",
    sheet_names=("跟进", "拜访记录", "拜访", "日常联络", "项目跟踪", "follow", "visit"),
    columns=(
        Column("date", "日期", Kind.DATE, True, ("跟进日期", "拜访日期", "联系日期", "接触日期", "date"),
               help="跟进的日期", example="2026-11-18", en="Date"),
        Column("account_id", "客户编号", Kind.ID, True,
               ("客户代码", "客户id", "编号", "account id", "account_id", "customer id"),
               help="客户编号；也可只填客户名称（须只对应一个客户）", example="KA-001", en="Account ID"),
        ACCOUNT_NAME,
        Column("rep", "客户经理", Kind.TEXT, False, ("大客户经理", "销售代表", "业务经理", "拜访人", "跟进人"),
               help="不填则取文件的填表人", en="Rep"),
        Column("project", "项目名称", Kind.TEXT, False, ("项目",), help="跟进的项目（可不填）", en="Project"),
        Column("method", "跟进方式", Kind.ENUM, False, ("方式", "拜访方式", "跟进类型", "联系方式"), enum="method",
               help="拜访、电话、微信、邮件、演示、公司参观、客户参观、宴请、其他", example="拜访", en="Method"),
        Column("contact", "接触人", Kind.TEXT, False, ("拜访对象", "联系人", "客户联系人", "对接人"),
               help="应是该客户关键人表中的人", example="李建国", en="Contact"),
        Column("purpose", "目的", Kind.TEXT, False, ("拜访目的", "跟进目的"), help="本次跟进的目的", en="Purpose"),
        Column("content", "主要内容", Kind.TEXT, False, ("内容", "跟进内容", "拜访内容", "沟通内容"), help="主要内容", en="Content"),
        Column("feedback", "客户反馈", Kind.TEXT, False, ("反馈", "异议", "客户意见"), help="客户的反馈和异议", en="Feedback"),
        Column("effective", "有效面谈", Kind.YESNO, False, ("是否有效面谈", "有效", "有效拜访"), help="是/否", example="是",
               en="Effective meeting"),
        Column("stage", "阶段", Kind.STAGE, False, ("销售阶段", "项目阶段"), help="本次跟进后的阶段（可不填）", en="Stage"),
        Column("next_action", "下一步行动", Kind.TEXT, False, ("下一步", "下一步计划", "后续计划", "下步工作"),
               help="下一步要做什么", example="提交技术方案", en="Next action"),
        Column("next_date", "下次跟进日期", Kind.DATE, False, ("下次跟进", "计划日期", "下次拜访日期"), help="日期",
               example="2026-11-25", en="Next date"),
        Column("satisfaction", "满意度", Kind.SCORE, False, ("客户满意度", "满意程度", "satisfaction"),
               help="客户满意度 1–5（可不填；多用于赢单后的回访）", example="4", en="Satisfaction"),
        Column("expense", "费用(元)", Kind.YUAN, False, ("费用", "花费", "招待费"), help="单位元", example="300", en="Expense (CNY)"),
    ),
)
