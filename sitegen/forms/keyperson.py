"""大客户关键人决策影响力分析表 — one row per key person of an account."""

from .base import Column, FormSpec, Kind
from .customer import ACCOUNT_ID, ACCOUNT_NAME

FORM = FormSpec(
    key="keyperson",
    title="大客户关键人决策影响力分析表",
    en="Key persons",
    sheet_names=("关键人", "决策影响", "决策链", "干系人", "key person", "stakeholder"),
    columns=(
        ACCOUNT_ID,
        ACCOUNT_NAME,
        Column("name", "姓名", Kind.TEXT, True, ("关键人", "关键人姓名", "联系人", "联系人姓名", "name"), help="关键人姓名",
               example="李建国", en="Name"),
        Column("dept", "部门", Kind.TEXT, False, ("所在部门", "department"), help="部门", example="信息中心", en="Department"),
        Column("title", "职务", Kind.TEXT, False, ("职位", "岗位", "title"), help="职务", example="主任", en="Title"),
        Column("roles", "购买角色", Kind.MULTI, False, ("角色", "采购角色", "决策角色", "role"), enum="role",
               help="可填多个，用顿号分隔，如 决策者、内线", example="决策者", en="Buying roles"),
        Column("influence", "影响力", Kind.INFLUENCE, False, ("影响", "影响程度", "influence"),
               help="1–5，或 高/中/低", example="5", en="Influence"),
        Column("attitude", "态度", Kind.ENUM, False, ("支持程度", "对我方态度", "attitude"), enum="attitude",
               help="接受、怀疑、冷淡、抵触、恶意拆台（也可写 支持/中立/反对）", example="接受", en="Attitude"),
        Column("relationship", "关系阶段", Kind.RELATIONSHIP, False, ("关系", "关系程度", "关系状态"),
               help="认识、约会、认同、信赖、同盟（或 1–5）", example="认同", en="Relationship"),
        Column("personal_need", "个人需求", Kind.MULTI, False, ("个人诉求",), enum="personal_need",
               help="权力、成就、赏识、接纳、安全", example="成就", en="Personal need"),
        Column("org_need", "组织需求", Kind.TEXT, False, ("组织诉求",), help="组织希望从采购中得到什么", en="Organisational need"),
        Column("style", "行为风格", Kind.ENUM, False, ("风格", "性格类型"), enum="style",
               help="控制型、倡导型、分析型、平易型", example="分析型", en="Behaviour style"),
        Column("reports_to", "汇报对象", Kind.TEXT, False, ("上级", "直接上级", "汇报给"), help="同一客户中另一位关键人的姓名",
               example="王总", en="Reports to"),
        Column("last_contact", "最近接触日期", Kind.DATE, False, ("最近接触", "最后接触日期", "最近联系日期"), help="日期",
               example="2026-11-10", en="Last contact"),
        Column("phone", "电话", Kind.TEXT, False, ("手机", "手机号", "手机号码", "联系电话", "联系方式"), help="（个人信息，不在网站上公开）", en="Phone"),
        Column("email", "邮箱", Kind.TEXT, False, ("电子邮件", "邮件地址", "email"), help="（个人信息，不在网站上公开）", en="E-mail"),
        Column("birthday", "生日", Kind.TEXT, False, ("出生日期", "生日日期"), help="（个人信息，不在网站上公开）", en="Birthday"),
        Column("hometown", "籍贯", Kind.TEXT, False, ("老家",), help="（个人信息，不在网站上公开）", en="Hometown"),
        Column("hobbies", "爱好", Kind.TEXT, False, ("兴趣爱好", "兴趣"), help="（个人信息，不在网站上公开）", en="Hobbies"),
        Column("family", "家庭情况", Kind.TEXT, False, ("家庭", "家庭成员"), help="（个人信息，不在网站上公开）", en="Family"),
        Column("strategy", "应对策略", Kind.TEXT, False, ("策略", "对策"), help="如何与此人合作", en="Strategy"),
    ),
)
