"""`counterpoint add` and `counterpoint docs`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from documents import add_document, load_corpus, split_passages
from interface.cli.options import print_json


def register(commands, evals, common) -> None:
    add = commands.add_parser("add", parents=[common], help="add a document to the corpus")
    add.add_argument("file", type=Path)
    add.add_argument("--title")
    add.add_argument("--author")
    add.add_argument("--publisher")
    add.add_argument("--date")
    add.add_argument("--structure", choices=("sections", "column"))
    add.add_argument("--bio", help="the author bio line starts with this text")
    add.add_argument("--comments-after", help="reader comments start after the line with this")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=run_add)
    docs = commands.add_parser("docs", parents=[common], help="list documents and passages")
    docs.add_argument("--json", action="store_true")
    docs.set_defaults(handler=run_docs)


def run_add(args, settings) -> int:
    if not args.file.is_file():
        raise FileNotFoundError(f"{args.file}: no such file")
    meta = {k: getattr(args, k) for k in ("title", "author", "publisher", "date", "structure",
                                         "bio", "comments_after")}
    document, added = add_document(settings.corpus_dir, args.file.read_bytes(),
                                   args.file.name, **meta)
    result = {"doc_id": document.doc_id, "added": added}
    if args.json:
        print_json(result)
    elif added:
        print(f"added {document.doc_id}; run `counterpoint index` to make it searchable")
    else:
        print(f"already in the corpus as {document.doc_id}; nothing changed")
    return 0


def document_summaries(corpus_dir: Path) -> list[dict]:
    """Each document with its metadata and passage counts by kind."""
    rows = []
    for document in load_corpus(corpus_dir):
        counts = Counter(p.kind for p in split_passages(document))
        rows.append({
            "doc_id": document.doc_id, "title": document.title, "author": document.author,
            "structure": document.structure, "chars": len(document.text),
            "passages": dict(sorted(counts.items())),
        })
    return rows


def run_docs(args, settings) -> int:
    rows = document_summaries(settings.corpus_dir)
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        counts = ", ".join(f"{n} {kind}" for kind, n in row["passages"].items())
        print(f"{row['doc_id']}  {row['title']}\n    {row['author']}; {counts}")
    return 0
