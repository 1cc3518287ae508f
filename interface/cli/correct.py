"""`counterpoint correct` and `counterpoint corrections`: a user's fixes to a pro/con map.

A correction puts one cited passage on the pro or con side of a proposition's map, or marks it
off-topic; `counterpoint map` (and the app) apply the saved corrections to every map they build.
"""

from __future__ import annotations

from interface.cli.options import opened, print_json, print_text


def register(commands, evals, common) -> None:
    """Add `correct` and `corrections`."""
    correct = commands.add_parser(
        "correct", parents=[common],
        help="put a passage of a proposition's map on the other side, or mark it off-topic")
    correct.add_argument("proposition")
    correct.add_argument("--doc", required=True, help="document id or unique id prefix")
    correct.add_argument("--start", type=int, required=True, help="the passage's start offset")
    correct.add_argument("--end", type=int, required=True, help="the passage's end offset")
    correct.add_argument("--side", help="pro, con or off-topic")
    correct.add_argument("--undo", action="store_true", help="delete this passage's correction")
    correct.add_argument("--json", action="store_true")
    correct.set_defaults(handler=run_correct)

    listing = commands.add_parser("corrections", parents=[common],
                                  help="the corrections saved for a proposition's map")
    listing.add_argument("proposition")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_corrections)


def run_correct(args, settings) -> int:
    """Save (or, with --undo, delete) one passage's correction; bad input changes nothing."""
    from arguments.corrections import CorrectionStore

    proposition = _proposition(args.proposition)
    if args.undo == (args.side is not None):
        raise ValueError("give --side pro|con|off-topic, or --undo (not both)")
    with opened(settings) as session:
        store = CorrectionStore(session.corrections_dir)
        if args.undo:
            span = _saved_span(store.load(proposition), args.doc, args.start, args.end)
            corrections = store.remove(proposition, [span])
            done = f"undone: {span[0]}[{span[1]}:{span[2]}]"
        else:
            correction = _correction(session.documents(), args)
            corrections = store.save(proposition, [correction])
            done = f"saved: {_line(correction)}"
    return _show(proposition, corrections, args.json, done)


def run_corrections(args, settings) -> int:
    from arguments.corrections import CorrectionStore

    proposition = _proposition(args.proposition)
    with opened(settings) as session:
        corrections = CorrectionStore(session.corrections_dir).load(proposition)
    return _show(proposition, corrections, args.json, "")


def _proposition(text: str) -> str:
    proposition = " ".join(text.split())
    if not proposition:
        raise ValueError("the proposition is empty")
    return proposition


def _correction(documents: dict, args):
    """The correction the flags describe, its passage checked against the stored text."""
    from arguments.corrections import correction_for
    from interface.cli.argue import span_citation

    doc_id = span_citation(documents, args.doc, args.start, args.end).doc_id
    return correction_for(documents, doc_id, args.start, args.end, args.side)


def _saved_span(corrections, doc: str, start: int, end: int) -> tuple[str, int, int]:
    """The span of the saved correction the flags name (the document may since be gone)."""
    for correction in corrections:
        doc_id, saved_start, saved_end = correction.span
        if doc_id.startswith(doc) and (saved_start, saved_end) == (start, end):
            return correction.span
    raise ValueError(f"no correction of {doc}[{start}:{end}] is saved for this proposition; "
                     "see `counterpoint corrections`")


def _line(correction) -> str:
    doc_id, start, end = correction.span
    quote = " ".join(correction.citation.quote.split())
    return f"{correction.side:<9} {doc_id}[{start}:{end}] “{quote}”"


def _show(proposition: str, corrections, as_json: bool, done: str) -> int:
    if as_json:
        print_json({"proposition": proposition,
                    "corrections": [c.to_dict() for c in corrections]})
        return 0
    lines = [done] if done else []
    lines.append(f"{len(corrections)} correction(s) of the map of: {proposition}")
    lines += [f"  {_line(c)}" for c in corrections]
    print_text("\n".join(lines))
    return 0
