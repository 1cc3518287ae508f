"""`counterpoint models prepare` and `counterpoint models list`.

`generation` is imported inside the handlers: main.py imports every command module, and
importing the model stack (LangChain prompts, providers) would add a second to every command.
"""

from __future__ import annotations

from interface.cli.options import print_json


def register(commands, evals, common) -> None:
    models = commands.add_parser("models", help="the language models: prepare, list")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    ready = actions.add_parser("prepare", parents=[common],
                               help="assemble and verify the bundled model (once)")
    ready.add_argument("--verify", action="store_true",
                       help="hash the assembled file again even if it was verified before")
    ready.add_argument("--run", action="store_true",
                       help="also run llama.cpp on a prompt of a few hundred tokens (setup.sh "
                            "uses it to catch a build this CPU cannot run)")
    ready.add_argument("--json", action="store_true")
    ready.set_defaults(handler=run_prepare)
    show = actions.add_parser("list", parents=[common], help="providers and model status")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_list)


def run_prepare(args, settings) -> int:
    from generation import QWEN_1_5B, prepare

    prepared = prepare(settings.model_cache, full_check=args.verify)
    evaluated = None
    if args.run:
        from generation.local import run_check

        evaluated = run_check(prepared.path)
    if args.json:
        print_json({"path": str(prepared.path), "assembled": prepared.assembled,
                    "verified": prepared.verified, "evaluated_tokens": evaluated})
        return 0
    if prepared.assembled:
        print(f"models: assembled and verified {QWEN_1_5B.name} at {prepared.path}")
    else:
        print(f"models: {QWEN_1_5B.name} ready ({prepared.verified} check) at {prepared.path}")
    if evaluated is not None:
        print(f"models: llama.cpp evaluated a {evaluated}-token prompt on this CPU")
    return 0


def model_rows(settings) -> list[dict]:
    """The providers, which one is selected, and whether the bundled model is ready."""
    from generation import QWEN_1_5B, is_ready, parse_spec

    selected = parse_spec(settings.llm)
    bundled_ready = is_ready(settings.model_cache)
    return [
        {"provider": "local", "spec": "local", "model": QWEN_1_5B.name,
         "ready": bundled_ready, "selected": str(selected) == "local",
         "note": "bundled; `counterpoint models prepare` assembles it"},
        {"provider": "local", "spec": "local:/path/to/model.gguf", "model": "any GGUF file",
         "ready": None, "selected": selected.provider == "local" and selected.path is not None,
         "note": "a smaller or bigger instruct model run in-process"},
        {"provider": "ollama", "spec": "ollama:MODEL[@URL]", "model": "an Ollama model",
         "ready": None, "selected": selected.provider == "ollama",
         "note": "default URL http://127.0.0.1:11434"},
        {"provider": "openai", "spec": "openai:MODEL@BASE_URL", "model": "any served model",
         "ready": None, "selected": selected.provider == "openai",
         "note": "any OpenAI-compatible server; OPENAI_API_KEY if it needs one"},
    ]


def run_list(args, settings) -> int:
    from generation import SPEC_HELP, parse_spec

    rows = model_rows(settings)
    if args.json:
        print_json({"selected": str(parse_spec(settings.llm)), "providers": rows})
        return 0
    print(f"selected: {parse_spec(settings.llm)}   (--llm {SPEC_HELP})")
    for row in rows:
        mark = "*" if row["selected"] else " "
        state = {True: "ready", False: "not prepared", None: ""}[row["ready"]]
        print(f"{mark} {row['spec']:<28} {row['model']:<36} {state:<12} {row['note']}")
    return 0
