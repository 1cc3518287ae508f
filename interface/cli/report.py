"""`counterpoint eval all`, `counterpoint bench` and `counterpoint report` (README blocks)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from interface.settings import session_of

BLOCKS = {"eval": "report", "bench": "bench"}  # README block name -> file stem in --out


def register(commands, evals, common) -> None:
    """Add `eval all`, `bench` and `report`."""
    every = evals.add_parser("all", parents=[common],
                             help="every evaluation, written as report.md and report.json")
    every.add_argument("--set", type=Path, help="evaluation set (default: data/eval/dev.json)")
    every.add_argument("--argkp", type=Path,
                       help="folder with the ArgKP csv files (default ../shared/benchmarks/argkp)")
    every.add_argument("--argkp-split", choices=("train", "dev", "test"),
                       help="ArgKP split (default test)")
    every.add_argument("--argkp-sample", type=_count,
                       help="arguments per topic for the ArgKP stance run (0: all; default 30)")
    _output_options(every, "eval", "a few items per evaluation (what CI runs)")
    every.set_defaults(handler=run_eval_all)

    bench = commands.add_parser("bench", parents=[common],
                                help="speed on this machine: ingest, search, answers, maps, memory")
    _output_options(bench, "bench", "real corpus and 1k passages, one question, a small map")
    bench.set_defaults(handler=run_bench)

    report = commands.add_parser("report", help="rewrite the README's generated blocks from "
                                                "saved report.json / bench.json files")
    report.add_argument("files", nargs="+", type=Path, metavar="FILE.json")
    report.add_argument("--readme", type=Path, default=Path("README.md"))
    report.set_defaults(handler=run_report)


def _output_options(parser, block: str, quick_help: str) -> None:
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--out", type=Path,
                        help=f"folder for the report (default: DATA_DIR/reports/{block})")
    parser.add_argument("--readme", type=Path,
                        help=f"also replace the <!-- {block}:begin --> ... <!-- {block}:end --> "
                             "block of this file with the generated tables")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number (0 or more)")
    return int(value)


def _command(words: list[str], args, flags: tuple[str, ...]) -> str:
    """The command line that reproduces this run (the options given that change the figures)."""
    for flag in flags:
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value is True:
            words.append(flag)
        elif value is not None and value is not False:  # 0 is a value, not "not given"
            words += [flag, str(value)]
    return shlex.join(words)


def run_eval_all(args, settings) -> int:
    from evaluation.markdown import check_readme, render_markdown, render_tables
    from evaluation.run import evaluate_all

    if args.readme is not None:
        check_readme(args.readme, "eval")  # before a long run, not after it

    command = _command(["counterpoint", "eval", "all"], args,
                       ("--quick", "--set", "--llm", "--argkp-split", "--argkp-sample"))
    session = session_of(settings)
    try:
        report = evaluate_all(session, _eval_options(args, settings), command, log=_stderr)
    finally:
        session.close()
    _finish(args, settings, report, "eval", render_markdown(report), render_tables(report))
    failed = [s for s in report["sections"] if s["status"] == "failed"]
    for section in failed:
        print(f"error: {section['name']}: {section['reason']}", file=sys.stderr)
    return 1 if failed else 0


def _eval_options(args, settings):
    """What `eval all` runs on: the flags given, the rest from the settings and the defaults."""
    from evaluation.argkp import DEFAULT_ARGKP
    from evaluation.dataset import DEV_SET
    from evaluation.run import EvalOptions

    given = {"argkp_split": args.argkp_split, "argkp_sample": args.argkp_sample}
    return EvalOptions(eval_set=args.set or DEV_SET, argkp_dir=args.argkp or DEFAULT_ARGKP,
                       k=settings.k, include_comments=settings.include_comments, quick=args.quick,
                       **{name: value for name, value in given.items() if value is not None})


def run_bench(args, settings) -> int:
    from evaluation.bench.run import render_markdown, render_tables, run_all
    from evaluation.markdown import check_readme

    if args.readme is not None:
        check_readme(args.readme, "bench")

    command = _command(["counterpoint", "bench"], args, ("--quick", "--llm", "--chroma-url"))
    session = session_of(settings)
    try:
        results = run_all(session, settings.k, settings.include_comments, args.quick, command,
                          log=_stderr)
    finally:
        session.close()
    _finish(args, settings, results, "bench", render_markdown(results), render_tables(results))
    return 0


def _finish(args, settings, report: dict, block: str, markdown: str, tables: str) -> None:
    """Write the files, update the README block if asked, and print where they are."""
    from evaluation.markdown import update_readme, write_report

    out = args.out or settings.data_path / "reports" / block
    paths = write_report(report, out, BLOCKS[block], markdown)
    if args.readme is not None:
        update_readme(args.readme, block, tables)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(markdown)
    print("wrote " + " and ".join(str(p) for p in paths)
          + (f", and the {block} block of {args.readme}" if args.readme else ""))


def run_report(args, settings) -> int:
    from evaluation.bench.run import render_tables as bench_tables
    from evaluation.markdown import render_tables as eval_tables
    from evaluation.markdown import update_readme

    renderers = {"eval": eval_tables, "bench": bench_tables}
    for path in args.files:
        report = _read_report(path)
        update_readme(args.readme, report["kind"], renderers[report["kind"]](report))
        print(f"{args.readme}: {report['kind']} block rewritten from {path}")
    return 0


def _read_report(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        report = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a JSON report ({error})") from None
    if not isinstance(report, dict) or report.get("kind") not in BLOCKS:
        raise ValueError(f"{path}: not a report.json or bench.json written by Counterpoint")
    return report


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
