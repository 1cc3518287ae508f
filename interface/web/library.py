"""Library tab: the documents coloured by kind, search inside them, adding a document."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr

from documents import CorpusError, Document, add_document, page_of, split_passages
from documents.formats import EXTENSIONS
from interface.web.context import Progress, TabContext, no_progress, reindex_with_progress
from interface.web.render import badge, coloured_document, escape, legend, notice
from session import Session

MAX_HITS = 60
STRUCTURE_CHOICES = [("Detect (column if comments are marked)", ""),
                     ("Sections (headings, footnotes, references)", "sections"),
                     ("Column (article, bio line, one reader comment per line)", "column")]


@dataclass(frozen=True)
class Upload:
    """What the add-a-document form holds."""

    path: str | None
    title: str = ""
    author: str = ""
    structure: str = ""
    bio: str = ""
    comments_after: str = ""


@dataclass(frozen=True)
class Added:
    """The outcome of adding a document: a message, and the id when the corpus changed."""

    message: str
    doc_id: str | None = None
    ok: bool = False
    files: tuple[Added, ...] = ()  # several files at once: each file's own outcome


@dataclass(frozen=True)
class Page:
    """What the tab shows when the page loads: the table, the document menu, one document."""

    table: str
    choices: list[tuple[str, str]]
    doc_id: str | None
    view: str


def library_page(documents: dict[str, Document], doc_id: str | None = None) -> Page:
    """The tab's contents, showing `doc_id` or else the first document."""
    # Runs on every page load; cheap because split_passages is cached by content.
    doc_id = doc_id if doc_id in documents else next(iter(documents), None)
    return Page(library_list(documents), document_choices(documents), doc_id,
                document_view(documents, doc_id))


def library_list(documents: dict[str, Document]) -> str:
    """The documents with their authors and passage counts by kind, as an HTML table."""
    if not documents:
        return notice("The library is empty: add a document on the right.")
    rows = []
    for document in documents.values():
        counts = Counter(p.kind for p in split_passages(document))
        kinds = " ".join(f"{badge(k)} {counts[k]}" for k in ("article", "comment", "reference")
                         if counts[k])
        rows.append(f"<tr><td><b>{escape(document.title or document.doc_id)}</b><br>"
                    f'<span class="cp-meta">{escape(document.doc_id)}</span></td>'
                    f"<td>{escape(document.author)}</td><td>{kinds}</td></tr>")
    return ('<table class="cp-library"><thead><tr><th>Document</th><th>Author</th>'
            f"<th>Passages</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def document_choices(documents: dict[str, Document]) -> list[tuple[str, str]]:
    return [(f"{d.title or d.doc_id} ({d.doc_id})", d.doc_id) for d in documents.values()]


def document_view(documents: dict[str, Document], doc_id: str | None, query: str = "") -> str:
    """One document's metadata and its text coloured by kind, query matches marked."""
    if not doc_id or doc_id not in documents:
        return notice("Choose a document to read it.")
    document = documents[doc_id]
    meta = " · ".join(escape(v) for v in (document.author, document.publisher, document.date)
                      if v)
    return (f'<div class="cp-docview"><h3>{escape(document.title or doc_id)}</h3>'
            f'<p class="cp-meta">{meta}</p>{legend()}'
            f"{coloured_document(document, split_passages(document), query)}</div>")


def search_library(documents: dict[str, Document], query: str,
                   kinds: list[str] | None = None) -> str:
    """Every passage containing the query (case-insensitive), with its document and kind."""
    query = (query or "").strip()
    if not query:
        return notice("Type a word or phrase to search inside the documents.")
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    hits = [(d, p) for d in documents.values() for p in split_passages(d)
            if (not kinds or p.kind in kinds) and pattern.search(p.text)]
    if not hits:
        return notice(f"No passage contains “{query}”.")
    items = [_hit_html(d, p, pattern) for d, p in hits[:MAX_HITS]]
    more = f"<p>…and {len(hits) - MAX_HITS} more.</p>" if len(hits) > MAX_HITS else ""
    count = "1 passage contains" if len(hits) == 1 else f"{len(hits)} passages contain"
    return (f'<p class="cp-count">{count} “{escape(query)}”.</p>'
            f'<ol class="cp-hits">{"".join(items)}</ol>{more}')


def _hit_html(document: Document, passage, pattern: re.Pattern) -> str:
    marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", passage.text)
    body = escape(marked).replace("\x00", '<mark class="cp-hit">').replace("\x01", "</mark>")
    page = page_of(document, passage.start)
    where = f' <span class="cp-meta">page {page}</span>' if page else ""
    return (f'<li class="cp-hit-item cp-kind-{escape(passage.kind)}-card">{badge(passage.kind)} '
            f'<span class="cp-title">{escape(document.title or document.doc_id)}</span>{where}'
            f'<div class="cp-hit-text cp-kind-{escape(passage.kind)}-text">{body}</div></li>')


def add_upload(session: Session, upload: Upload, progress: Progress = no_progress) -> Added:
    """Store an uploaded file in the corpus and index it; bad input changes nothing."""
    if not upload.path:
        return Added("Choose a text file, PDF, Word file, web page or Markdown file to add.")
    if upload.structure == "column" and not upload.comments_after.strip():
        return Added("A column needs the text of the line after which reader comments start.")
    progress(0.05, "Checking the file")
    stored, document = _store(session, Path(upload.path), _meta(upload))
    if document is None:
        return stored
    report = reindex_with_progress(session, progress)
    progress(1.0, "Done")
    return Added(f"Added {document.title or document.doc_id} ({document.doc_id}) and indexed "
                 f"it{_report_suffix(report)}.", document.doc_id, ok=True)


def add_uploads(session: Session, paths: list[str] | None, form: Upload,
                progress: Progress = no_progress) -> Added:
    """Store several uploaded files (each checked on its own), then index once.

    The outcome's `files` says what happened to each file; one bad file does not stop the rest.
    """
    paths = [path for path in paths or [] if path]
    if len(paths) <= 1:
        return add_upload(session, replace(form, path=paths[0] if paths else None), progress)
    if form.structure == "column":
        return Added("Add columns one at a time, each with the line after which its reader "
                     "comments start.")
    if any(value.strip() for value in (form.title, form.author, form.bio, form.comments_after)):
        return Added("Title, author, bio line and comment marker describe one document: "
                     "leave them empty to add several files at once.")
    files, added = [], []
    for index, path in enumerate(paths):
        progress(0.6 * index / len(paths), f"File {index + 1} of {len(paths)}: "
                                           f"{Path(path).name}")
        stored, document = _store(session, Path(path), _meta(form))
        files.append(stored)
        added += [document.doc_id] if document else []
    report = reindex_with_progress(session, progress) if added else None
    progress(1.0, "Done")
    refused = sum(not f.ok for f in files)
    message = (f"{len(added)} of {len(files)} files added{_report_suffix(report)}; "
               f"{len(files) - len(added) - refused} already in the library, {refused} not added.")
    return Added(message, added[-1] if added else None, ok=refused < len(files),
                 files=tuple(files))


def _meta(upload: Upload) -> dict:
    return {"title": upload.title.strip() or None, "author": upload.author.strip() or None,
            "structure": upload.structure or None, "bio": upload.bio.strip() or None,
            "comments_after": upload.comments_after.strip() or None}


def _store(session: Session, path: Path, meta: dict) -> tuple[Added, Document | None]:
    """Add one file to the corpus, not yet indexed: its outcome, and the document if new."""
    try:
        document, added = add_document(session.corpus_dir, path.read_bytes(), path.name, **meta)
    except (CorpusError, OSError) as error:
        return Added(f"Not added: {error}"), None
    if not added:
        return Added(f"Already in the library as {document.doc_id}; nothing changed.",
                     document.doc_id, ok=True), None
    return Added(f"Added {document.title or document.doc_id} ({document.doc_id}).",
                 document.doc_id, ok=True), document


def status_html(outcome: Added) -> str:
    """The outcome of an upload as notices: the summary, then one line per file."""
    level = "ok" if outcome.ok else "error"
    lines = [notice(f.message, "ok" if f.ok else "error") for f in outcome.files]
    return notice(outcome.message, level) + "".join(lines)


def _report_suffix(report) -> str:
    if report is None:
        return ""
    if report.pending:
        return (f" ({report.pending} new passages: searchable by keyword now, "
                "embedded in the background)")
    return f" ({report.embedded} new passages embedded)"


def build_tab(context: TabContext) -> None:
    """The Library tab's components and events (inside a gr.Tab)."""
    session = context.session
    with gr.Row():
        with gr.Column(scale=3):
            table = gr.HTML(elem_id="library-table")
            with gr.Row():
                query = gr.Textbox(label="Search inside the documents", scale=4,
                                   elem_id="library-query", placeholder="a word or phrase")
                kinds = gr.CheckboxGroup(
                    [("Article", "article"), ("Reader comments", "comment"),
                     ("References", "reference")], label="Kinds", scale=2)
            search_button = gr.Button("Search", elem_id="library-search")
            results = gr.HTML(elem_id="library-results")
            chosen = gr.Dropdown(label="Read a document", elem_id="library-doc", choices=[])
            view = gr.HTML(elem_id="library-view")
        with gr.Column(scale=2):
            gr.Markdown("### Add documents\nPDF (with a text layer), Word (.docx), saved web "
                        "pages, Markdown or UTF-8 text; one file or several. Each is converted "
                        "to text, stored in the corpus and indexed before it can be asked about.")
            upload = gr.File(label="Files", file_types=list(EXTENSIONS), type="filepath",
                             file_count="multiple", elem_id="library-upload")
            title = gr.Textbox(label="Title", elem_id="library-title")
            author = gr.Textbox(label="Author", elem_id="library-author")
            structure = gr.Dropdown(STRUCTURE_CHOICES, value="", label="Structure")
            bio = gr.Textbox(label="Author bio line starts with (columns)")
            comments_after = gr.Textbox(label="Reader comments start after the line containing",
                                        elem_id="library-comments-after")
            add_button = gr.Button("Add and index", variant="primary", elem_id="library-add")
            status = gr.HTML(elem_id="library-status")

    def refresh(doc_id=None):
        page = library_page(session.documents(), doc_id)
        return page.table, gr.update(choices=page.choices, value=page.doc_id), page.view

    # Gradio injects a progress tracker into a parameter whose default is gr.Progress().
    def on_add(paths, title_, author_, structure_, bio_, after_,
               progress=gr.Progress()):  # noqa: B008
        paths = [paths] if isinstance(paths, str) else paths
        form = Upload(None, title_, author_, structure_, bio_, after_)
        outcome = add_uploads(session, paths, form, lambda f, m: progress(f, desc=m))
        return (status_html(outcome), *refresh(outcome.doc_id))

    outputs = [table, chosen, view]
    search = gr.on([search_button.click, query.submit],
                   lambda q, k: search_library(session.documents(), q, k),
                   [query, kinds], results, api_name="library_search")
    chosen.change(lambda d, q: document_view(session.documents(), d, q), [chosen, query], view,
                  api_visibility="private")
    search.then(lambda d, q: document_view(session.documents(), d, q), [chosen, query], view,
                api_visibility="private")
    form = [title, author, structure, bio, comments_after]
    add_button.click(on_add, [upload, *form], [status, *outputs], api_name="add_documents",
                     concurrency_id="index", concurrency_limit=1)
    # API clients keep `add_document` with one file; the page's form sends a list of files.
    one_file = gr.File(visible=False, type="filepath")
    gr.Button(visible=False).click(on_add, [one_file, *form], [status, *outputs],
                                   api_name="add_document", concurrency_id="index",
                                   concurrency_limit=1)
    context.on_page_load(refresh, outputs)
