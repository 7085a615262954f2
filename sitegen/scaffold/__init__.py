"""`sitegen init [DIR]`: a new site project a department can start from.

- `sitegen.yaml`: every setting, commented out with its default and its help (loads as the defaults);
- `input/`: one blank workbook per standard form, made for reps (see `workbooks.py`);
- `layouts/`: a README explaining how to override the built-in templates.

An existing sitegen.yaml is never overwritten (`ProjectExistsError`), and existing workbooks or layout
files are never touched: only missing files are created.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..config import Config, ConfigError
from ..docs import department_forms
from .config_file import render_config_file
from .workbooks import TEMPLATE_FILES, write_template

__all__ = ["ProjectExistsError", "ScaffoldError", "init_project", "TEMPLATE_FILES"]


class ScaffoldError(ConfigError):
    """The project cannot be created here. A ConfigError, so the CLI exits with code 2 and no traceback."""


class ProjectExistsError(ScaffoldError):
    """The folder already holds a sitegen.yaml: `sitegen init` never overwrites one."""


def init_project(target: Path) -> list[Path]:
    """Create a project in `target` (created if missing). Returns the files created, in order."""
    target = Path(target)
    config_path = target / "sitegen.yaml"
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} 不是文件夹，无法在其中创建 sitegen 项目")
    if config_path.exists():
        raise ProjectExistsError(
            f"{target} 中已有 sitegen.yaml，这里已经是一个 sitegen 项目，没有做任何改动。"
            "如需重新生成，请先把现有的 sitegen.yaml 改名或移走，或换一个文件夹运行 sitegen init。")
    for sub in ("input", "layouts"):
        p = target / sub
        if p.exists() and not p.is_dir():
            raise ScaffoldError(f"{p} 已存在但不是文件夹，无法创建 sitegen 项目")
    cfg = Config(root=target)
    created: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    # the workbooks first: if one cannot be written, no sitegen.yaml marks the folder as initialised
    input_dir = target / "input"
    input_dir.mkdir(exist_ok=True)
    for form in department_forms(cfg):
        path = input_dir / TEMPLATE_FILES[form.key]
        if path.exists():
            continue  # never touch an existing workbook
        created.append(write_template(form, path, cfg))
    layouts = target / "layouts"
    layouts.mkdir(exist_ok=True)
    readme = layouts / "README.md"
    if not readme.exists():
        readme.write_text(layouts_readme(), encoding="utf-8", newline="\n")
        created.append(readme)
    with config_path.open("x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite, even in a race
        fh.write(render_config_file())
    created.insert(0, config_path)
    return created


def builtin_templates() -> list[str]:
    """Names of the built-in page templates shipped in the package (empty if none are installed)."""
    try:
        root = resources.files("sitegen") / "templates"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.name.endswith(".html"))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return []


def layouts_readme() -> str:
    text = (resources.files(__package__) / "layouts_README.md").read_text(encoding="utf-8")
    names = builtin_templates()
    listing = "\n".join(f"- `{n}`" for n in names) if names else "- （本机安装的 sitegen 中未找到内置模板）"
    return text.replace("{{BUILTIN_TEMPLATES}}", listing)
