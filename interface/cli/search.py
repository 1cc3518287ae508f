"""`counterpoint index`, `counterpoint search` and `counterpoint eval retrieval`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from documents import KINDS
from interface.cli.options import opened, positive_int, print_json, print_text


def register(commands, evals, common) -> None:
    """Add this stage's subcommands."""
    index = commands.add_parser("index", parents=[common],
                                help="build or update the search index (embeds only changes)")
    index.add_argument("--quiet", action="store_true", help="print nothing but errors")
    index.add_argument("--rebuild", action="store_true", help="drop the index and embed all")
    index.add_argument("--json", action="store_true")
    index.set_defaults(handler=run_index)

    search = commands.add_parser("search", parents=[common], help="hybrid passage search")
    search.add_argument("query")
    search.add_argument("--k", type=positive_int, help="number of hits (default: settings k)")
    search.add_argument("--kind", action="append", choices=KINDS,
                        help="only passages of this kind (repeatable)")
    search.add_argument("--doc", action="append", help="only this document id or id prefix "
                        "(repeatable)")
    search.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=run_search)

    retrieval = evals.add_parser("retrieval", parents=[common],
                                 help="recall@1/5/10 and MRR of dense, BM25 and hybrid search")
    retrieval.add_argument("--set", type=Path, help="evaluation set (default: data/eval/dev.json)")
    retrieval.add_argument("--json", action="store_true")
    retrieval.set_defaults(handler=run_eval_retrieval)



def run_index(args, settings) -> int:
    from retrieval import build_index, load_embedder

    report = build_index(settings.index, load_embedder(), rebuild=args.rebuild)
    if args.json:
        print_json({"location": report.location, "passages": report.passages,
                    "embedded": report.embedded, "unchanged": report.kept,
                    "removed": report.removed, "rebuilt": report.rebuilt,
                    "seconds": round(report.seconds, 3)})
    elif not args.quiet:
        print(report.summary())
    return 0


def run_search(args, settings) -> int:
    from retrieval import query_encoder_for

    with opened(settings) as session:
        searcher = session.searcher()
        encoder = None if args.mode == "bm25" else query_encoder_for(searcher.embedder)
        if encoder is not None:  # the bundled MiniLM in numpy: a cold search imports no torch
            searcher = replace(searcher, query_encoder=encoder)
        hits = searcher.search(args.query, k=settings.k, kinds=args.kind,
                                 doc_ids=args.doc, mode=args.mode)
    if args.json:
        print_json([hit.to_dict() for hit in hits])
        return 0
    if not hits:
        print("no passages match these filters")
    for n, hit in enumerate(hits, 1):
        p = hit.passage
        print_text(f"{n}. [{p.doc_id} {p.kind} {p.start}-{p.end}] score {hit.score:.4f}\n"
                   f"   {p.text}")
    return 0


def run_eval_retrieval(args, settings) -> int:
    from evaluation.dataset import DEV_SET, load_eval_set
    from evaluation.retrieval import evaluate_retrieval, format_table
    eval_set = load_eval_set(args.set or DEV_SET)
    with opened(settings) as session:
        scores, ranks = evaluate_retrieval(session.searcher(), eval_set)
    if args.json:
        print_json({"scores": [s.to_dict() for s in scores], "ranks": ranks})
        return 0
    print(format_table(scores))
    for configuration, by_item in ranks.items():
        missed = [item for item, rank in by_item.items() if rank is None]
        if missed:
            print(f"{configuration}: not in the top 10: {', '.join(missed)}")
    return 0
