"""The `counterpoint` command: parse arguments, build settings, dispatch, print JSON or text."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from interface.settings import load_settings

# Each module exposes register(commands, evals, common): it adds its subcommands.
COMMAND_MODULES = (
    "interface.commands_corpus",
    "interface.commands_retrieval",
    "interface.commands_models",
    "interface.commands_answers",
    "interface.commands_arguments",
    "interface.commands_app",
    "interface.commands_report",
)


def offline_environment() -> None:
    """Forbid model downloads: every model comes from an installed package."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands, evals, common)
    return parser


def _overrides(args: argparse.Namespace) -> dict:
    names = ("corpus_dir", "data_dir", "chroma_url", "llm", "k", "include_comments")
    return {name: getattr(args, name, None) for name in names}


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def print_json(value) -> None:
    """Print a JSON document to stdout (UTF-8, readable)."""
    print(json.dumps(value, ensure_ascii=False, indent=2))


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
