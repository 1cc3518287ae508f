"""`counterpoint add` and `counterpoint docs`."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

from documents import CorpusError, add_document, load_corpus, split_passages
from documents.formats import EXTENSIONS
from interface.cli.options import print_json, print_text

_ONE_DOCUMENT = ("title", "author", "bio", "comments_after")  # they describe a single file
_OUTCOMES = ("added", "duplicate", "refused")


def register(commands, evals, common) -> None:
    add = commands.add_parser(
        "add", parents=[common], help="add files (PDF, DOCX, HTML, Markdown, text) or folders",
        description="Add documents to the corpus. A folder adds every supported file in it and "
                    "its subfolders (hidden ones skipped); duplicates are skipped and each "
                    "refusal is one line. Exit code 2 when nothing was added and a file was "
                    "refused, else 0.")
    add.add_argument("paths", nargs="+", type=Path, metavar="FILE|FOLDER")
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
    meta = {k: getattr(args, k) for k in ("title", "author", "publisher", "date", "structure",
                                         "bio", "comments_after")}
    if len(args.paths) == 1 and args.paths[0].is_file():
        return _add_file(args, settings, meta)
    named = [f"--{k.replace('_', '-')}" for k in _ONE_DOCUMENT if meta[k]]
    if named:
        raise ValueError(f"{', '.join(named)} can only be given with a single FILE")
    files = files_to_add(args.paths)
    outcomes = add_files(settings.corpus_dir, files, meta, ProgressBar(len(files)),
                         quiet=args.json)
    counts = Counter(o["outcome"] for o in outcomes)
    if args.json:
        print_json({"files": outcomes, **{k: counts[k] for k in _OUTCOMES}})
    else:
        print(_summary(counts, len(outcomes)))
    return 2 if counts["refused"] and not counts["added"] else 0


def _add_file(args, settings, meta: dict) -> int:
    """One file: its errors are the command's error (one line, exit code 2)."""
    document, added = add_document(settings.corpus_dir, args.paths[0].read_bytes(),
                                   args.paths[0].name, **meta)
    result = {"doc_id": document.doc_id, "added": added}
    if args.json:
        print_json(result)
    elif added:
        print(f"added {document.doc_id}; run `counterpoint index` to make it searchable")
    else:
        print(f"already in the corpus as {document.doc_id}; nothing changed")
    return 0


def files_to_add(paths: list[Path]) -> list[tuple[Path, str]]:
    """(path, name shown) of each file named, and of each supported file in each folder."""
    found = []
    for path in paths:
        if path.is_file():
            found.append((path, path.name))
        elif path.is_dir():
            found += [(file, file.relative_to(path).as_posix()) for file in _folder_files(path)]
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    if not found:
        raise FileNotFoundError(f"no supported files ({', '.join(EXTENSIONS)}) in "
                                f"{', '.join(map(str, paths))}")
    return found


def _folder_files(folder: Path) -> list[Path]:
    """Supported files under a folder, in name order; hidden files and folders are skipped,
    and so is the `NAME_files` folder a browser saves beside `NAME.html`."""
    files = []
    for file in sorted(folder.rglob("*")):
        parts = file.relative_to(folder).parts
        if file.suffix.lower() not in EXTENSIONS or not file.is_file():
            continue
        if any(part.startswith(".") for part in parts) or _saved_page_assets(file, folder):
            continue
        files.append(file)
    return files


def _saved_page_assets(file: Path, folder: Path) -> bool:
    for parent in file.relative_to(folder).parents:
        page = folder / parent.parent / parent.name.removesuffix("_files")
        if parent.name.endswith("_files") and any(
                page.with_name(page.name + ext).is_file() for ext in (".html", ".htm")):
            return True
    return False


def add_files(corpus_dir: Path, files: list[tuple[Path, str]], meta: dict, bar: ProgressBar,
              quiet: bool = False) -> list[dict]:
    """Add each file in turn; one outcome per file (added, duplicate or refused and why)."""
    outcomes = []
    for index, (path, name) in enumerate(files):
        bar.show(index, name)
        try:
            document, added = add_document(corpus_dir, path.read_bytes(), name, **meta)
            outcome = {"file": name, "outcome": "added" if added else "duplicate",
                       "doc_id": document.doc_id}
        except (CorpusError, OSError) as error:
            outcome = {"file": name, "outcome": "refused", "error": str(error)}
        except Exception as error:  # a converter's bug must not stop the other files
            outcome = {"file": name, "outcome": "refused",
                       "error": f"{name}: failed ({type(error).__name__}: {error})"}
        outcomes.append(outcome)
        if not quiet:
            bar.clear()
            print_text(_outcome_line(outcome), flush=True)
    bar.finish()
    return outcomes


def _outcome_line(outcome: dict) -> str:
    if outcome["outcome"] == "added":
        return f"added {outcome['doc_id']} ({outcome['file']})"
    if outcome["outcome"] == "duplicate":
        return f"skipped {outcome['file']}: already in the corpus as {outcome['doc_id']}"
    return f"refused {outcome['error']}"


def _summary(counts: Counter, total: int) -> str:
    line = (f"{counts['added']} added, {counts['duplicate']} already in the corpus, "
            f"{counts['refused']} refused (of {total} files)")
    if counts["added"]:
        line += "; run `counterpoint index` to make them searchable"
    return line


class ProgressBar:
    """Progress on stderr: one line redrawn in place on a terminal, else a line per file."""

    def __init__(self, total: int, stream=None):
        self.total = total
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()

    def show(self, index: int, name: str) -> None:
        if self.live:
            done = int(20 * index / max(self.total, 1))
            width = shutil.get_terminal_size().columns - 1
            line = f"[{'#' * done}{'.' * (20 - done)}] {index + 1}/{self.total} {name}"
            self.stream.write(f"\r{line[:width]}\x1b[K")
        else:
            self.stream.write(f"[{index + 1}/{self.total}] {name}\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def finish(self) -> None:
        self.clear()


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
        print_text(f"{row['doc_id']}  {row['title']}\n    {row['author']}; {counts}")
    return 0
