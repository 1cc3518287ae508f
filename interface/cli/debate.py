"""`counterpoint debate POSITION`: the documents' cited case against a position, turn by turn."""

from __future__ import annotations

from interface.cli.options import opened, positive_int, print_json, print_text


def register(commands, evals, common) -> None:
    """Add the debate command."""
    debate = commands.add_parser("debate", parents=[common],
                                 help="the documents argue against a position, turn by turn, "
                                      "every claim cited")
    debate.add_argument("position")
    debate.add_argument("--passages", type=positive_int, default=None,
                        help="passages per map of the position (default 12)")
    debate.add_argument("--json", action="store_true")
    debate.set_defaults(handler=run_debate)


def run_debate(args, settings) -> int:
    from arguments.debate import all_turns, open_debate

    options = {"max_candidates": args.passages} if args.passages else {}
    with opened(settings) as session:
        searcher = session.searcher()
        debate = open_debate(args.position, searcher, session.model(), **options)
        debate, turns = all_turns(debate, debate.position, searcher.embed)
    result = {"position": debate.position, "side": debate.assistant_side,
              "turns": [turn.to_dict() for turn in turns],
              "warnings": list(debate.argument_map.warnings)}
    if args.json:
        print_json(result)
    else:
        print_text(format_debate(result))
    return 0


def format_debate(result: dict) -> str:
    """The turns as text: each claim with numbered marks, then its numbered quotes."""
    side = "against" if result["side"] == "con" else "for"
    lines = [f"Debate: the documents argue {side} “{result['position']}”"]
    if not result["turns"]:
        lines.append(f"The documents hold no cited argument {side} it.")
    for turn in result["turns"]:
        lines += ["", f"Turn {turn['turn']}:", *_turn_lines(turn["claims"])]
    lines += [f"\nwarning: {w}" for w in result["warnings"]]
    return "\n".join(lines)


def _turn_lines(claims: list[dict]) -> list[str]:
    said, quotes = [], []
    for claim in claims:
        marks = ""
        for c in claim["citations"]:
            number = len(quotes) + 1
            marks += f"[{number}]"
            quotes.append(f"  [{number}] {c['doc_id']} ({c['kind']}, {c['start']}-{c['end']}): "
                          f"“{' '.join(c['quote'].split())}”")
        said.append(f"- {claim['text']} {marks}")
    return said + quotes
