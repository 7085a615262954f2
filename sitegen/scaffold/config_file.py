"""The commented sitegen.yaml that `sitegen init` writes: every key of SETTINGS, commented out, with its
default and its help. As written it loads as the defaults; deleting the leading '#' of a key's lines
gives the same defaults explicitly (tests/test_scaffold.py checks both)."""

from __future__ import annotations

from ..config import SETTINGS
from ..docs import CONFIG_EXAMPLES, TYPE_ZH, setting_yaml

HEADER = """\
# sitegen.yaml — sitegen 项目配置 (project configuration)
#
# 下面列出了全部配置项，都已用 # 注释掉：注释掉的项使用写在那里的默认值。
# 要修改某一项：删掉该项各行行首的 #（只删一个 #，保留后面的缩进），再改值。
# 路径相对于本文件所在的文件夹。未知的键或类型不对的值会报错并指出是哪个键。
# 改完后运行 sitegen check 检查配置和表格。每一项的详细说明见 sitegen 的 docs/config.md。
"""


def render_config_file() -> str:
    out = [HEADER]
    for s in SETTINGS:
        out.append(f"# {s.help} — 类型：{TYPE_ZH.get(s.type, s.type)}")
        out.extend("#" + line for line in setting_yaml(s).splitlines())
        example = CONFIG_EXAMPLES.get(s.key)
        if example:
            lines = example.splitlines()
            out.append(f"#   例：{lines[0]}")
            out.extend(f"#       {line}" for line in lines[1:])
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
