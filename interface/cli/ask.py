"""`counterpoint ask`, `counterpoint eval answers` and `counterpoint eval baseline`."""

from __future__ import annotations

import sys
from pathlib import Path

from interface.cli.argue import format_report
from interface.cli.options import opened, positive_int, print_json, print_text


def register(commands, evals, common) -> None:
    ask = commands.add_parser("ask", parents=[common],
                              help="answer a question from the documents, with citations")
    ask.add_argument("question")
    ask.add_argument("--k", type=positive_int, help="passages to retrieve (default: settings k)")
    ask.add_argument("--no-comments", dest="include_comments", action="store_const",
                     const=False, help="use article text only, not reader comments")
    ask.add_argument("--audit", action="store_true",
                     help="also audit each citation of the answer, as the Ask page does")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(handler=run_ask)
    for name, handler, text in (
        ("answers", run_eval_answers, "cited answers on the dev set: facts, gold citations, "
                                      "citation validity, refusals, seconds per answer"),
        ("baseline", run_eval_baseline, "the same figures for a naive LangChain RAG "
                                        "(1,000-char chunks, top 4 stuffed)"),
    ):
        parser = evals.add_parser(name, parents=[common], help=text)
        parser.add_argument("--set", type=Path, help="evaluation set (default: data/eval/dev.json)")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--quiet", action="store_true", help="no per-item progress lines")
        parser.set_defaults(handler=handler)


def _open(session):
    """The session's searcher and model; a bad --llm fails before anything slow starts."""
    from generation import parse_spec

    parse_spec(session.llm)
    return session.searcher(), session.model()


def run_ask(args, settings) -> int:
    from answers import answer_question

    with opened(settings) as session:
        searcher, model = _open(session)
        answer = answer_question(args.question, searcher, model, k=settings.k,
                                 include_comments=settings.include_comments)
        result = answer.to_dict()
        if args.audit:
            result["audit"] = audit_answer(answer, searcher.documents, model)
    if args.json:
        print_json(result)
    else:
        print_text(format_answer(result))
    return 0


def audit_answer(answer, documents, model) -> dict:
    """The audit report of the answer's citations: the same pairs and verdicts as the page."""
    from arguments.audit import answer_claims, audit_report

    return audit_report(answer_claims(answer), documents, model)


def format_answer(result: dict) -> str:
    """The answer with numbered citation marks, then the numbered quotes."""
    if result["refused"]:
        return result["answer"]
    numbers = {_key(c): n for n, c in enumerate(result["citations"], start=1)}
    lines = []
    for sentence in result["sentences"]:
        if sentence["supported"]:
            marks = "".join(f"[{numbers[_key(c)]}]" for c in sentence["citations"])
            lines.append(f"{sentence['text']} {marks}")
        else:
            lines.append(f"(unsupported, not part of the answer) {sentence['text']}")
    lines.append("")
    for citation, number in numbers.items():
        doc_id, kind, start, end = citation
        quote = next(c["quote"] for c in result["citations"] if _key(c) == citation)
        lines.append(f"[{number}] {doc_id} ({kind}, {start}-{end}): “{' '.join(quote.split())}”")
    if "audit" in result:
        lines += ["", "Audit: " + format_report(result["audit"])]
    return "\n".join(lines)


def _key(citation: dict) -> tuple:
    return citation["doc_id"], citation["kind"], citation["start"], citation["end"]


def run_eval_answers(args, settings) -> int:
    from answers import answer_question

    with opened(settings) as session:
        searcher, model = _open(session)

        def answer(question: str) -> dict:
            return answer_question(question, searcher, model, k=settings.k,
                                   include_comments=settings.include_comments).to_dict()

        return _evaluate(args, "counterpoint", model, answer, searcher.documents, True)


def run_eval_baseline(args, settings) -> int:
    from answers.baseline import NaiveRag
    from retrieval.retriever import LangChainEmbeddings

    with opened(settings) as session:
        searcher, model = _open(session)
        rag = NaiveRag(list(searcher.documents.values()), LangChainEmbeddings(searcher.embedder),
                       model)
        return _evaluate(args, "naive RAG baseline", model, rag.answer, searcher.documents,
                         False)


def _evaluate(args, system: str, model, answer, documents, checks_support: bool) -> int:
    from evaluation.answers import run_items, summarize
    from evaluation.dataset import DEV_SET, load_eval_set

    eval_set = load_eval_set(args.set or DEV_SET)
    progress = None if args.quiet else _stderr  # stderr: the JSON on stdout stays clean
    outcomes = run_items(eval_set, answer, documents, progress)
    scores = summarize(outcomes, system, model.name, checks_support)
    speed = raw_speed(model)
    if args.json:
        print_json({"scores": scores.to_dict(), "raw_speed": speed,
                    "items": [o.to_dict() for o in outcomes]})
    else:
        print(format_scores(scores.to_dict(), speed))
    return 0


def raw_speed(model) -> dict | None:
    """llama.cpp tokens/s of the same local model (None for server models)."""
    engine = getattr(model.chat, "engine", None)
    return None if engine is None else {k: round(v, 2) for k, v in engine.measure_speed().items()}


def format_scores(scores: dict, speed: dict | None) -> str:
    def percent(value):
        return "n/a" if value is None else f"{100 * value:.0f}%"

    lines = [
        f"{scores['system']} with {scores['model']} ({scores['qa_items']} questions, "
        f"{scores['refuse_items']} to refuse)",
        f"  fact accuracy        {percent(scores['fact_accuracy'])}",
        f"  gold-citation rate   {percent(scores['gold_citation_rate'])}",
        f"  gold passage read    {percent(scores['gold_evidence_rate'])}",
        f"  citation validity    {percent(scores['citation_validity'])}",
        f"  supported sentences  {percent(scores['supported_share'])}",
        f"  refusals             {scores['refusals']}/{scores['refuse_items']} "
        f"(false refusals on answerable questions: {scores['false_refusals']})",
        f"  comment attribution  {percent(scores['comment_attribution'])}",
        f"  cited characters     median {scores['median_cited_chars']:.0f} per answer",
        f"  seconds per answer   median {scores['median_seconds']:.1f}, "
        f"p95 {scores['p95_seconds']:.1f}",
        "  median breakdown     " + ", ".join(f"{step} {seconds:.1f}" for step, seconds
                                              in scores["median_breakdown"].items()),
    ]
    if scores.get("median_first_words_seconds") is not None:
        lines.append(f"  first words          median {scores['median_first_words_seconds']:.1f} s")
    for name, row in scores.get("by_type", {}).items():
        lines.append(f"  {name + ':':<20} {row['items']:>2} questions, facts {row['facts']}, "
                     f"gold cited {row['gold_cited']}, gold read {row['gold_read']}, "
                     f"refused {row['refused']}")
    if speed:
        lines.append(f"  raw llama.cpp        prompt {speed['prompt_tokens_per_s']:.0f} tok/s, "
                     f"generation {speed['generation_tokens_per_s']:.1f} tok/s")
    return "\n".join(lines)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
