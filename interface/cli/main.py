"""The `counterpoint` command: parse arguments, build settings, dispatch, print JSON or text."""

from __future__ import annotations

import argparse
import os
import sys

from interface.cli import argue, ask, corpus, correct, debate, models, report, search, serve
from interface.settings import load_settings
from retrieval import offline_environment

# Each module exposes register(commands, evals, common): it adds its subcommands. Command
# modules import their stages inside the handlers, so `counterpoint docs` loads no model code.
COMMAND_GROUPS = (corpus, search, models, ask, argue, correct, debate, serve, report)


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("settings (also COUNTERPOINT_* environment variables)")
    group.add_argument("--corpus-dir", help="folder with the documents and manifest.toml")
    group.add_argument("--data-dir", help="where the index and model cache live")
    group.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    group.add_argument("--llm",
                       help="local | local:FILE.gguf | ollama:MODEL[@URL] | openai:MODEL@BASE_URL")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="counterpoint",
        description="Argument mapping and cited debate over a set of documents.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common_options()
    evaluate = commands.add_parser("eval", help="measure quality on an evaluation set",
                                   parents=[common])
    evals = evaluate.add_subparsers(dest="target", required=True, metavar="TARGET")
    for group in COMMAND_GROUPS:
        group.register(commands, evals, common)
    return parser


def _overrides(args: argparse.Namespace) -> dict:
    names = ("corpus_dir", "data_dir", "chroma_url", "llm", "k", "include_comments")
    return {name: getattr(args, name, None) for name in names}


def main(argv: list[str] | None = None) -> int:
    offline_environment()
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(_overrides(args))
        return args.handler(args, settings) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one clear line for users; the traceback on request
        if os.environ.get("COUNTERPOINT_DEBUG"):
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
