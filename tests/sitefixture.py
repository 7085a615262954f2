"""A small, fixed sales department written as real workbooks with openpyxl (canonical headers).

Used by the measure, render, golden and browser tests. Everything is deterministic: the same call writes
the same cells. The as-of date the numbers are designed around is AS_OF.

Two teams, three reps, seven accounts (one with two projects, one won, one lost, one with no contact,
one strategic account that is stale under the strict threshold), key persons with an org chart and private
fields, competition rows, follow-ups with overdue next actions, a targets sheet, a few deliberate data errors,
and hostile text (HTML, `</script>`, formulas) that must come out as plain text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

AS_OF = date(2026, 11, 20)

# values that must never reach the output
PRIVATE_VALUES = ("13800138000", "wang@example.invalid", "1970-05-01", "钓鱼和高尔夫", "女儿在读大学", "湖南长沙")

CUSTOMER_HEADERS = ["客户编号", "项目名称", "客户名称", "客户经理", "所属团队", "客户类别", "客户等级", "行业", "地区",
                    "企业性质", "员工人数", "年营业额(万元)", "销售阶段", "预计金额(万元)", "成交概率", "预计成交日期",
                    "预算(M)", "决策人(A)", "需求(N)", "需求描述", "赢丢原因", "首次接触日期", "电话", "备注", "合作年限"]

KEYPERSON_HEADERS = ["客户编号", "姓名", "部门", "职务", "购买角色", "影响力", "态度", "关系阶段", "个人需求", "行为风格",
                     "汇报对象", "最近接触日期", "电话", "邮箱", "生日", "籍贯", "爱好", "家庭情况", "应对策略"]

COMPETITION_HEADERS = ["客户编号", "竞争方", "产品/方案", "报价(万元)", "优势", "劣势", "品牌", "产品技术", "商务价格",
                       "服务", "客户关系", "威胁程度", "支持者", "应对策略"]

FOLLOWUP_HEADERS = ["日期", "客户编号", "客户经理", "跟进方式", "接触人", "目的", "主要内容", "客户反馈", "有效面谈",
                    "下一步行动", "下次跟进日期"]

TARGET_HEADERS = ["客户经理", "月份", "拜访目标", "签约目标(万元)"]

D = date


def customers_zhang() -> list[list[object]]:
    return [
        ["KA-001", "智慧园区一期", "华东电力集团", "张三", "华东团队", "战略客户", "A", "电力", "上海", "国企", 5200, 880000,
         "商务谈判", 320, "", D(2026, 12, 15), "是", "是", "是", "园区安防与能耗管理", "", D(2025, 3, 2), "021-555",
         "## 背景\n\n客户**重视**本地服务。<script>alert('x')</script> [链接](javascript:alert(1))", "5"],
        ["KA-001", "数据中心扩容", "华东电力集团", "张三", "华东团队", "战略客户", "A", "电力", "上海", "国企", 5200, 880000,
         "提案", 150, "50%", D(2027, 2, 10), "是", "否", "是", "机房扩容", "", D(2025, 3, 2), "021-555", "", "5"],
        ["KA-002", "", "申城地铁运营", "张三", "华东团队", "重要客户", "A", "交通", "上海", "国企", 12000, 450000,
         "招投标", 210, "", D(2027, 1, 20), "是", "是", "否", "", "", D(2026, 1, 5), "", "", ""],
        ["KA-003", "", "=HYPERLINK(\"http://evil.invalid\",\"点我\")", "张三", "华东团队", "潜在大客户", "C", "制造", "苏州",
         "民企", 300, 20000, "客户开发", 30, "", D(2027, 3, 1), "否", "否", "否", "", "", "", "", "", ""],
        ["KA-004", "", "江南银行", "张三", "华东团队", "高价值客户", "B", "金融", "杭州", "国企", 8000, 1200000,
         "赢单", 500, "", D(2026, 9, 30), "是", "是", "是", "", "关系", D(2025, 6, 1), "", "", ""],
    ]


def customers_li() -> list[list[object]]:
    return [
        ["KA-101", "", "北方重工<b>股份</b>", "李四", "华北团队", "战略客户", "A", "制造", "北京", "国企", 15000, 2300000,
         "立项", 400, "", D(2027, 4, 30), "是", "否", "是", "</script><script>alert(1)</script>", "", D(2026, 2, 1),
         "", "", ""],
        ["KA-102", "", "京津物流", "李四", "华北团队", "团购客户", "B", "物流", "天津", "民企", 2000, 90000,
         "丢单", 80, "", D(2026, 10, 15), "否", "否", "是", "", "决策人未接触", D(2026, 3, 1), "", "", ""],
        ["KA-103", "", "燕山化工", "李四", "华北团队", "重要客户", "B", "化工", "河北", "国企", 4000, 300000,
         "提案", 120, "30%", D(2026, 12, 31), "是", "是", "是", "", "", D(2026, 4, 1), "", "", ""],
        ["KA-104", "", "坏日期客户", "李四", "华北团队", "潜在大客户", "C", "零售", "北京", "民企", 100, 5000,
         "客户开发", "很多", "", "下个月", "", "", "", "", "", "", "", "", ""],
    ]


def keypersons() -> list[list[object]]:
    return [
        ["KA-001", "王总", "总经理办公室", "总经理", "决策者", 5, "接受", "信赖", "成就", "控制型", "", D(2026, 11, 10),
         "13800138000", "wang@example.invalid", "1970-05-01", "湖南长沙", "钓鱼和高尔夫", "女儿在读大学", "高层拜访"],
        ["KA-001", "刘工", "信息中心", "主任", "推荐者,内线", 4, "接受", "同盟", "赏识", "分析型", "王总", D(2026, 11, 12),
         "", "", "", "", "", "", "技术交流"],
        ["KA-001", "赵经理", "采购部", "经理", "采购者", 3, "抵触", "认识", "安全", "平易型", "王总", "", "", "", "", "", "", "",
         ""],
        ["KA-001", "孙主管", "运维部", "主管", "使用者", 2, "怀疑", "约会", "接纳", "倡导型", "刘工", "", "", "", "", "", "", "",
         ""],
        ["KA-002", "陈总", "运营公司", "副总经理", "影响者", 5, "恶意拆台", "认识", "权力", "控制型", "", "", "", "", "", "", "",
         "", "<img src=x onerror=alert(1)>"],
        ["KA-002", "周工", "技术部", "总工", "推荐者", 3, "接受", "认同", "成就", "分析型", "陈总", "", "", "", "", "", "", "", ""],
        ["KA-101", "吴总", "集团", "董事长", "决策者", "高", "冷淡", "认识", "权力", "控制型", "", "", "", "", "", "", "", "", ""],
        ["KA-103", "郑处长", "设备处", "处长", "决策者", 4, "接受", "认同", "成就", "分析型", "", "", "", "", "", "", "", "", ""],
    ]


def competition() -> list[list[object]]:
    return [
        ["KA-001", "我方", "智慧园区方案", 310, "本地服务", "价格偏高", 4, 4, 3, 5, 4, "", "王总,刘工", ""],
        ["KA-001", "海康", "园区一体化", 280, "品牌", "服务慢", 5, 4, 4, 3, 3, "高", "赵经理", "强调服务"],
        ["KA-001", "大华", "安防方案", 260, "价格", "集成弱", 4, 3, 5, 3, 2, "中", "", "突出集成"],
        ["KA-002", "我方", "信号系统", 200, "", "", 3, 4, 3, 4, 2, "", "周工", ""],
        ["KA-002", "海康", "信号系统", 190, "", "", 4, 4, 4, 3, 4, "高", "陈总", "争取陈总"],
        ["KA-101", "西门子", "工业软件", 450, "技术", "价格", 5, 5, 2, 4, 3, "中", "", ""],
    ]


def followups_zhang() -> list[list[object]]:
    return [
        [D(2026, 11, 17), "KA-001", "张三", "拜访", "王总", "推进商务", "讨论合同条款", "价格需再降", "是", "提交报价", D(2026, 11, 19)],
        [D(2026, 11, 12), "KA-001", "张三", "电话", "刘工", "技术交流", "确认方案", "认可", "否", "", ""],
        [D(2026, 11, 18), "KA-001", "张三", "演示", "刘工", "演示", "数据中心演示", "", "是", "", ""],
        [D(2026, 11, 3), "KA-002", "张三", "拜访", "周工", "了解招标", "标书要求", "", "是", "准备投标文件", D(2026, 11, 25)],
        [D(2026, 9, 20), "KA-004", "张三", "宴请", "", "答谢", "=1+1", "", "否", "", ""],
        [D(2026, 11, 19), "KA-003", "张三", "电话", "不存在的人", "初次联系", "@SUM(A1)", "", "否", "上门拜访",
         D(2026, 11, 19)],
    ]


def followups_li() -> list[list[object]]:
    return [
        [D(2026, 10, 1), "KA-101", "李四", "拜访", "吴总", "初访", "介绍公司", "冷淡", "是", "再约时间", D(2026, 10, 15)],
        [D(2026, 11, 16), "KA-103", "李四", "拜访", "郑处长", "方案", "讲方案", "", "是", "发送方案", D(2026, 11, 18)],
        [D(2026, 11, 17), "KA-999", "李四", "电话", "", "", "", "", "否", "", ""],
        ["昨天", "KA-103", "李四", "电话", "", "", "", "", "否", "", ""],
    ]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[object]], banner: str = "") -> None:
    ws = wb.create_sheet(title)
    if banner:
        ws.append([banner])
    ws.append(headers)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a rep would type it with a quote


def make_department(root: Path) -> Path:
    """Write the department's workbooks under root/input and return that folder."""
    inp = root / "input"
    (inp / "张三").mkdir(parents=True, exist_ok=True)
    (inp / "李四").mkdir(parents=True, exist_ok=True)

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "客户档案表", CUSTOMER_HEADERS, customers_zhang(), banner="客户档案表")
    _sheet(wb, "关键人分析", KEYPERSON_HEADERS, [r for r in keypersons() if r[0].startswith("KA-0")])
    _sheet(wb, "竞争分析", COMPETITION_HEADERS, [r for r in competition() if r[0].startswith("KA-0")])
    _sheet(wb, "跟进表", FOLLOWUP_HEADERS, followups_zhang())
    wb.save(inp / "张三" / "张三.xlsx")

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "客户档案表", CUSTOMER_HEADERS, customers_li())
    _sheet(wb, "关键人分析", KEYPERSON_HEADERS, [r for r in keypersons() if r[0].startswith("KA-1")])
    _sheet(wb, "竞争分析", COMPETITION_HEADERS, [r for r in competition() if r[0].startswith("KA-1")])
    wb.save(inp / "李四" / "李四客户.xlsx")

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "跟进表", FOLLOWUP_HEADERS, followups_li())
    wb.save(inp / "李四" / "跟进表.xlsx")

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "销售目标表", TARGET_HEADERS, [["张三", "2026-11", 12, 500], ["李四", "2026-11", 20, 300]])
    wb.save(inp / "销售目标.xlsx")
    return inp


def make_project(root: Path, *, language: str = "zh") -> Path:
    """A project folder: sitegen.yaml and input/. Returns the sitegen.yaml path."""
    make_department(root)
    cfg = root / "sitegen.yaml"
    cfg.write_text(f"title: 测试部门\nlanguage: {language}\n", encoding="utf-8")
    return cfg


def build_site(root: Path, *, language: str = "zh", layouts: dict[str, str] | None = None) -> Path:
    """Make the project under root, build it with the fixed as-of date, return the output folder."""
    from sitegen.build import BuildOptions, build
    from sitegen.config import load_config

    cfg_path = make_project(root, language=language)
    for name, text in (layouts or {}).items():
        (root / "layouts").mkdir(exist_ok=True)
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    config = load_config(cfg_path)
    result = build(config, BuildOptions(as_of=AS_OF, quiet=True))
    assert result.exit_code == 0
    return result.output_dir


def search_rows(script: str) -> list[list[str]]:
    """assets/search-index.js as the search box sees it: [kind, name, detail, url] rows (the same expansion as
    assets/site.js: a key person points at its account; an account's key persons follow each other)."""
    prefix = "window.SITEGEN_SEARCH="
    assert script.startswith(prefix)
    import json

    d = json.loads(script[len(prefix):].rstrip().rstrip(";"))
    rows = [["a", name, aid, f"{d['ap']}{slug}.html"] for name, aid, slug in d["a"]]
    n = 0
    for i, (name, title, at) in enumerate(d["p"]):
        n = n + 1 if i and d["p"][i - 1][2] == at else 0
        acct = d["a"][at]
        where = acct[0] or acct[1]
        rows.append(["p", name, f"{d['pt'][title]} · {where}" if d["pt"][title] else where,
                     f"{d['ap']}{acct[2]}.html#kp-{n}"])
    rows += [["r", name, team, url] for name, team, url in d["r"]]
    rows += [["t", name, "", url] for name, url in d["t"]]
    rows += [["c", name, "", url] for name, url in d["c"]]
    return rows


def build_department(root: Path, *, accounts: int, teams: int = 2, reps_per_team: int = 18) -> Path:
    """A generated department (sitegen.demo) larger than the fixture: more accounts than the accounts list
    shows at once and more reps in a team than a chart draws bars. Built at AS_OF; returns the output."""
    from sitegen.build import BuildOptions, build
    from sitegen.config import load_config
    from sitegen.demo.generate import generate_department

    generate_department(root / "input", teams=teams, reps_per_team=reps_per_team, accounts=accounts,
                        followups_per_account=4, key_persons_per_account=2, seed=20, as_of=AS_OF, mistakes=False)
    (root / "sitegen.yaml").write_text("title: 大客户部\n", encoding="utf-8")
    result = build(load_config(root / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=True))
    assert result.exit_code == 0
    return result.output_dir
