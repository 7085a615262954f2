"""The command line: parse arguments, call the Python API, map errors to exit codes.

Exit codes: 0 success; 1 the input has errors (check) or the build failed; 2 usage or configuration problem.
No traceback reaches the user unless --debug is given.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .config import Config, ConfigError, load_config


class UsageError(Exception):
    pass


def _as_of(value: str | None, cfg: Config | None = None) -> date:
    """--as-of, else sitegen.yaml's as_of, else today."""
    if not value:
        return cfg.statistics_date() if cfg is not None else date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of 应为日期，例如 2026-11-20，实际是 {value!r}") from None


def _config(args: argparse.Namespace) -> Config:
    path = Path(args.config) if getattr(args, "config", None) else None
    cfg = load_config(path)
    args.lang = cfg.language  # for the messages of main()
    return cfg


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: the build unwinds (its staging folder removed, its lock released) and the
    command ends with one line and exit code 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    from .procs import stop_workers

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # one line, however often Ctrl-C is pressed
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop_workers()
    raise Interrupted(signum)


def _catch_signals() -> list[tuple[int, object]]:
    """Ctrl-C and SIGTERM end the command through Interrupted; returns the handlers to put back."""
    old: list[tuple[int, object]] = []
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            old.append((signum, signal.signal(signum, _on_signal)))
    except (ValueError, OSError):  # not the main thread (the API called from a thread)
        pass
    return old


def _print(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        stream.buffer.write((text + "\n").encode("utf-8", "replace"))  # type: ignore[attr-defined]
    stream.flush()


def cmd_check(args: argparse.Namespace) -> int:
    from .load import find, load
    from .progress import Bars
    from .report import report_json, report_text

    cfg = _config(args)
    as_of = _as_of(args.as_of, cfg)
    input_dir = Path(args.input).resolve() if args.input else None
    files, skipped = find(cfg, input_dir or cfg.input_dir)
    bars = Bars(not args.quiet and args.format != "json", cfg.language != "en")
    with bars.step("read", len(files)) as reading:
        loaded = load(cfg, as_of, input_dir=input_dir, found=(files, skipped), progress=lambda _f: reading.advance())
    if args.feedback:
        from .feedback import write_feedback

        written = write_feedback(loaded, cfg, Path(args.feedback), input_dir=input_dir or cfg.input_dir)
        if args.format != "json" and not args.quiet:
            _print(f"已写出 {len(written)} 个反馈工作簿到 {args.feedback}" if cfg.language != "en"
                   else f"wrote {len(written)} feedback workbooks to {args.feedback}")
    if args.format == "json":
        _print(report_json(loaded.report, loaded.dataset))
    elif not args.quiet:
        _print(report_text(loaded.report, loaded.dataset, lang=cfg.language, verbose=args.verbose))
    return 1 if loaded.report.errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build

    cfg = _config(args)
    opts = BuildOptions(
        as_of=_as_of(args.as_of, cfg),
        input_dir=Path(args.input).resolve() if args.input else None,
        output_dir=Path(args.output).resolve() if args.output else None,
        publish_dir=Path(args.publish).resolve() if args.publish else None,
        strict=args.strict,
        quiet=args.quiet,
        verbose=args.verbose,
        progress=not args.quiet,
    )
    result = build(cfg, opts, echo=None if args.quiet else _print)
    if args.quiet and args.strict and result.exit_code == 1 and (result.errors or result.warnings):
        # -q silences a successful build, not the reason a strict one refused to publish
        _print(f"严格模式：有 {result.errors} 个错误、{result.warnings} 个警告，未生成网站" if cfg.language != "en"
               else f"strict mode: {result.errors} errors, {result.warnings} warnings; the site was not built",
               err=True)
    return result.exit_code


def cmd_columns(args: argparse.Namespace) -> int:
    from .columns import explain

    code, lines = explain(Path(args.file), _config(args))
    for line in lines:
        _print(line)
    return code


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import init_project

    target = Path(args.dir or ".").resolve()
    created = init_project(target)
    _print(f"已在 {target} 创建 sitegen 项目（{len(created)} 个文件）。\n"
           f"下一步：用 Excel 打开 input/ 中的空白模板，在示例行下面填写并保存（也可以换成客户经理交来的工作簿），"
           f"然后在该文件夹中运行 sitegen build")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    cfg = _config(args)
    return serve(cfg, port=args.port, host=args.host,
                 as_of=_as_of(args.as_of, cfg) if args.as_of or cfg.as_of else None, echo=_print)


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    return run_bench(Path(args.workdir), scale=args.scale, echo=_print, json_path=Path(args.json) if args.json else None)


# argparse's own words, in Chinese: the help and the usage errors are in one language
_ARGPARSE_ZH: tuple[tuple[str, str], ...] = (
    (r"^the following arguments are required: (.*)$", r"缺少参数：\1"),
    (r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$", r"参数 \1 的值 \2 无效，可选：\3"),
    (r"^argument (\S+): expected one argument$", r"参数 \1 后面需要一个值"),
    (r"^argument (\S+): invalid (\w+) value: (.*)$", r"参数 \1 的值 \3 无效（应为\2）"),
    (r"^argument (\S+): ignored explicit argument (.*)$", r"参数 \1 不接受值 \2"),
    (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1（用 sitegen -h 查看可用的命令和选项）"),
    (r"^ambiguous option: (.*)$", r"选项不明确：\1"),
    (r"^argument (\S+): not allowed with argument (.*)$", r"参数 \1 不能与 \2 同时使用"),
)
_TYPE_ZH = {"int": "整数", "float": "数字"}


def _zh_error(message: str) -> str:
    import re

    for pattern, replacement in _ARGPARSE_ZH:
        if re.match(pattern, message):
            out = re.sub(pattern, replacement, message)
            for en, zh in _TYPE_ZH.items():
                out = out.replace(f"（应为{en}）", f"（应为{zh}）")
            return out
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _OptionsFormatter(_Formatter):
    """Each option's description on the line below it: argparse aligns columns by characters, and a Chinese
    placeholder (文件夹) is two columns wide on a terminal."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=6)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese: its headings, its -h and its usage errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{_zh_error(message)}\n")


def _examples(*lines: str) -> str:
    return "例：\n" + "\n".join(f"  {line}" for line in lines)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sitegen", description="把大客户部门的标准 Excel 表格生成为内网静态网站。每个命令的详细说明：sitegen 命令 -h",
                epilog=_examples("sitegen init 大客户部          # 新项目：配置、空白表格模板",
                                 "sitegen check --feedback 反馈   # 检查工作簿，写出标注了问题的副本",
                                 "sitegen build                   # 生成网站到 output/",
                                 "sitegen serve                   # 本机预览 http://127.0.0.1:8000/"))
    p.add_argument("--version", action="version", version=f"sitegen {__version__}", help="显示版本号并退出")
    p.add_argument("--debug", action="store_true", help="出错时显示完整的技术信息（traceback），发给管理员用")
    sub = p.add_subparsers(dest="command", metavar="命令")

    as_of_help = "统计日期（YYYY-MM-DD）；默认取 sitegen.yaml 的 as_of，没有则为今天"
    config_help = "配置文件（默认当前文件夹中的 sitegen.yaml）"
    c = sub.add_parser("check", formatter_class=_OptionsFormatter, help="检查工作簿，报告每个有问题的单元格",
                       description="检查工作簿，报告每个有问题的单元格（文件、工作表、单元格）。"
                                   "退出码：0 没有错误，1 有数据错误，2 参数或配置问题。",
                       epilog=_examples("sitegen check", "sitegen check D:/本周表格 --as-of 2026-11-20",
                                        "sitegen check --feedback 反馈", "sitegen check --format json > 问题.json"))
    c.add_argument("input", nargs="?", metavar="输入文件夹", help="要检查的文件夹（默认取 sitegen.yaml 中的 input）")
    c.add_argument("--format", choices=("text", "json"), default="text", help="输出格式：text（默认，给人看）或 json（给程序用）")
    c.add_argument("--as-of", metavar="日期", help=as_of_help)
    c.add_argument("--config", metavar="文件", help=config_help)
    c.add_argument("--feedback", metavar="文件夹", help="把标注了问题的反馈工作簿写到此文件夹（每位客户经理一个子文件夹）")
    c.add_argument("--verbose", "-v", action="store_true", help="也显示提示级别的信息")
    c.add_argument("--quiet", "-q", action="store_true", help="不输出报告，只用退出码表示结果")
    c.set_defaults(func=cmd_check)

    b = sub.add_parser("build", formatter_class=_OptionsFormatter, help="读取工作簿并生成网站",
                       description="读取工作簿并生成网站；构建失败或被中断时，上次的网站保持完整。",
                       epilog=_examples("sitegen build", "sitegen build --as-of 2026-11-20",
                                        "sitegen build --publish //fileserver/sales/大客户网站",
                                        "sitegen build --strict -q   # 有警告也不生成（用于计划任务）"))
    b.add_argument("--input", metavar="文件夹", help="输入文件夹（默认取 sitegen.yaml 中的 input）")
    b.add_argument("--output", metavar="文件夹", help="输出文件夹（默认取 sitegen.yaml 中的 output）")
    b.add_argument("--config", metavar="文件", help=config_help)
    b.add_argument("--as-of", metavar="日期", help=as_of_help)
    b.add_argument("--publish", metavar="文件夹", help="构建完成后把网站复制到此文件夹（如网络共享盘）")
    b.add_argument("--strict", action="store_true", help="有警告也算失败（退出码 1），不生成网站")
    b.add_argument("--quiet", "-q", action="store_true", help="成功时什么也不输出，不显示进度条")
    b.add_argument("--verbose", "-v", action="store_true", help="摘要中另加停滞客户、逾期行动和每一步的用时")
    b.set_defaults(func=cmd_build)

    co = sub.add_parser("columns", formatter_class=_OptionsFormatter,
                        help="显示一个工作簿的每张表被当作哪种表格、每个表头对应哪一列（用于编写 aliases）",
                        description="显示一个工作簿的每张表被当作哪种表格、每个表头对应哪一列，或作为附加列；"
                                    "管理员据此在 sitegen.yaml 的 aliases 中写列名对应。",
                        epilog=_examples("sitegen columns input/张三.xlsx", "sitegen columns CRM导出.csv"))
    co.add_argument("file", metavar="文件", help="工作簿文件（.xlsx、.xlsb、.et、.csv 等）")
    co.add_argument("--config", metavar="文件", help=config_help)
    co.set_defaults(func=cmd_columns)

    i = sub.add_parser("init", formatter_class=_OptionsFormatter, help="创建一个新的 sitegen 项目（配置、空白表格模板、模板文件夹）",
                       description="创建一个新的 sitegen 项目：带注释的 sitegen.yaml、input/ 中每种表格的空白模板、layouts/。",
                       epilog=_examples("sitegen init 大客户部", "sitegen init   # 在当前文件夹中"))
    i.add_argument("dir", nargs="?", metavar="文件夹", help="项目文件夹（默认当前文件夹）")
    i.set_defaults(func=cmd_init)

    s = sub.add_parser("serve", formatter_class=_OptionsFormatter, help="构建并在本机预览网站，工作簿保存后自动刷新",
                       description="构建网站并在本机 http://127.0.0.1:端口/ 预览；工作簿、配置或模板保存后自动重新生成并刷新浏览器。按 Ctrl+C 结束。",
                       epilog=_examples("sitegen serve", "sitegen serve --port 8080"))
    s.add_argument("--port", type=int, default=8000, metavar="端口", help="本机端口（默认 8000）")
    s.add_argument("--host", default="127.0.0.1", metavar="地址",
                   help="监听的地址（默认 127.0.0.1，只有本机能打开；0.0.0.0 让局域网中的其他电脑也能打开）")
    s.add_argument("--config", metavar="文件", help=config_help)
    s.add_argument("--as-of", metavar="日期", help=as_of_help)
    s.set_defaults(func=cmd_serve)

    bn = sub.add_parser("bench", formatter_class=_OptionsFormatter, help="生成大型部门数据并测量构建速度",
                        description="生成一个大型示例部门（需要 xlsxwriter：pip install xlsxwriter）并测量构建用时。",
                        epilog=_examples("sitegen bench --scale 0.1", "sitegen bench --json bench.json"))
    bn.add_argument("--workdir", default="bench-work", metavar="文件夹", help="生成数据和网站的工作文件夹（默认 bench-work）")
    bn.add_argument("--scale", type=float, default=1.0, metavar="系数", help="规模系数（1.0 = 200 人、5000 客户、25 万跟进）")
    bn.add_argument("--json", metavar="文件", help="把结果写成 JSON 文件")
    bn.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not getattr(args, "command", None):
        parser().print_help()
        return 2
    handlers = _catch_signals()
    try:
        return _main(args)
    finally:
        for signum, handler in handlers:
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _main(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except (ConfigError, UsageError) as exc:
        _print(f"配置或参数错误：{exc}", err=True)
        return 2
    except KeyboardInterrupt as exc:
        from .i18n import Translator
        from .procs import stop_workers

        stop_workers()
        _print(Translator(getattr(args, "lang", "zh"))("run.interrupted"), err=True)
        return 128 + exc.signum if isinstance(exc, Interrupted) else 130
    except OSError as exc:
        from .build import DiskFull

        if args.debug:
            raise
        if isinstance(exc, DiskFull):
            _print(exc.strerror or str(exc), err=True)
            return 1
        _print(f"sitegen 内部错误：{type(exc).__name__}: {exc}\n请加上 --debug 重新运行并把输出发给管理员。", err=True)
        return 1
    except Exception as exc:
        from .load import InputError

        if args.debug:
            raise
        if isinstance(exc, InputError):
            _print(str(exc), err=True)
            return 2
        _print(f"sitegen 内部错误：{type(exc).__name__}: {exc}\n请加上 --debug 重新运行并把输出发给管理员。", err=True)
        return 1


def run() -> None:
    """The `sitegen` command: main(), then the process ends without tearing down what the build holds.
    A large department's build keeps millions of objects alive to the end; freeing them one by one only to
    exit took 1.3 s of a 9 s rebuild. Everything the command writes is closed or flushed by then (files
    are written and renamed inside the build; the worker processes have been joined)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
