"""Corpus stage: parsing the real documents, offsets, sentence splitting, adding documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from documents import (
    Citation,
    CorpusError,
    Document,
    add_document,
    attributed,
    claim_of,
    load_corpus,
    sentence_spans,
    split_passages,
)
from documents import passages as passages_module
from documents.passages import MAX_PASSAGE_CHARS

REPO = Path(__file__).resolve().parent.parent
POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"


@pytest.fixture(scope="module")
def corpus() -> dict[str, Document]:
    return {d.doc_id: d for d in load_corpus(REPO / "corpus")}


def test_corpus_has_both_documents_byte_for_byte(corpus):
    assert set(corpus) == {POLICY, COLUMN}
    for doc_id, document in corpus.items():
        raw = (REPO / "corpus" / f"{doc_id}.txt").read_bytes()
        assert document.text.encode("utf-8") == raw


def test_every_passage_is_its_span(corpus):
    for document in corpus.values():
        for passage in split_passages(document):
            assert document.text[passage.start : passage.end] == passage.text


def test_column_comments_are_exactly_the_reader_comments(corpus):
    document = corpus[COLUMN]
    passages = split_passages(document)
    comments = [p for p in passages if p.kind == "comment"]
    bio_end = document.text.index("is republished with permission.")
    assert comments and all(p.start > bio_end for p in comments)
    assert all(p.kind == "comment" for p in passages if p.start > bio_end)
    assert max(p.comment for p in comments) == 13
    first_lines = [
        "Russia could achieve its territorial and local political goals in a relatively short time",
        "Like 6wks, the original timeframe of the SMO?",
        "I think the European ego can’t accept a Ukraine defeat.",
        "Just nuke Moscow already",
        "No Pole would ever say that",
        "What’s next?",
    ]
    texts = {p.text: p for p in comments}
    assert set(first_lines) <= set(texts)
    assert texts["Just nuke Moscow already"].comment == 5
    assert [p.kind for p in passages if p.kind == "bio"] == ["bio"]


def test_comment_quoting_the_article_is_one_comment_with_a_marked_quote(corpus):
    comments = [p for p in split_passages(corpus[COLUMN]) if p.kind == "comment"]
    first = [p for p in comments if p.comment == 1]
    assert [p.quotation for p in first] == [True, False]
    assert sum(p.quotation for p in comments) == 1


def test_policy_analysis_structure_and_footnotes(corpus):
    passages = split_passages(corpus[POLICY])
    headings = [p.text for p in passages if p.kind == "heading"]
    assert headings == [
        "Introduction",
        "Frontline Developments and Evolving Political Dynamics",
        "Causes of Recent Tensions",
        "NATO Towards US-Russian Halted Détente",
        "Possible Scenarios",
        "Conclusion",
    ]
    references = [p for p in passages if p.kind == "reference"]
    assert len(references) == 13
    first = next(p for p in passages if p.kind == "article")
    assert first.footnotes == (1,)
    assert first.urls[0].startswith("https://www.reuters.com/business/media-telecom/kremlin")
    assert first.section == "Introduction"
    drones = next(p for p in passages if "14,000 drone attacks" in p.text)
    assert drones.footnotes == (6,) and "frontliner.ua" in drones.urls[0]
    assert not any(p.kind == "article" and p.text.startswith("[") for p in passages)


def test_abbreviations_do_not_end_sentences(corpus):
    texts = [p.text for p in split_passages(corpus[POLICY])]
    assert any(t.startswith("The United States currently maintains approx. 85,000") for t in texts)
    assert not any(t.startswith("S.") or t == "approx." for t in texts)
    assert any("renewed rise in U.S.-Russia tensions" in t for t in texts)


def test_sentence_spans_split_simple_text():
    text = "First one. Second one! Third? The U.S. is big. Mr. Smith said so."
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == ["First one.", "Second one!", "Third?", "The U.S. is big.",
                   "Mr. Smith said so."]


_word = st.sampled_from(["war", "Peace", "U.S.", "approx.", "NATO", "“talks”", "5,000", "is",
                         "e.g.", "Mr.", "ends.", "now!", "why?", "[3]", "’s", "Kyiv", "—"])
_line = st.lists(_word, min_size=1, max_size=25).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(body=st.lists(_line, min_size=1, max_size=12), comments=st.lists(_line, max_size=6),
       seps=st.sampled_from(["\n", "\n\n", "\r\n", "  \n"]))
def test_generated_documents_keep_offsets_and_cover_all_text(body, comments, seps):
    bio = "Jane Doe is a writer whose column this is."
    text = seps.join([*body, bio, *comments]) + "\n"
    for structure in ("sections", "column"):
        extra = {}
        if structure == "column":
            extra = {"bio": "Jane Doe is", "comments_after": "whose column"}
        document = Document(doc_id="gen", text=text, file="gen.txt", structure=structure, **extra)
        passages = split_passages(document)
        covered = set()
        for passage in passages:
            assert text[passage.start : passage.end] == passage.text
            assert passage.text == passage.text.strip() and passage.text
            span = set(range(passage.start, passage.end))
            assert not covered & span
            covered |= span
        # every non-space character belongs to exactly one passage
        assert covered >= {i for i, c in enumerate(text) if not c.isspace()}
        if structure == "column":
            assert sum(p.kind == "comment" for p in passages) >= len(comments)
            bio_end = text.index(bio) + len(bio)
            assert all(p.kind == "comment" for p in passages if p.start >= bio_end)
            assert all(p.kind != "comment" for p in passages if p.start < bio_end)
            assert [p.text for p in passages if p.kind == "bio"] == [bio]


def _corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for path in (REPO / "corpus").iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("caf\u00e9 au lait".encode("latin-1"), "not UTF-8"),
    (b"x" * 2_000_001, "limit"),
])
def test_bad_uploads_get_a_clear_error_and_change_nothing(tmp_path, data, message):
    corpus_dir = _corpus_copy(tmp_path)
    before = _snapshot(corpus_dir)
    with pytest.raises(CorpusError, match=message):
        add_document(corpus_dir, data, "upload.txt")
    assert _snapshot(corpus_dir) == before


def test_add_document_then_duplicate_is_reported(tmp_path):
    corpus_dir = _corpus_copy(tmp_path)
    data = "Heading\nA first sentence here. A second one follows.\nBob writes columns.\nNice!\n"
    document, added = add_document(corpus_dir, data.encode(), "my note.txt", title="Note",
                                   bio="Bob writes", comments_after="Bob writes")
    assert added and document.doc_id == "my_note"
    reloaded = {d.doc_id: d for d in load_corpus(corpus_dir)}
    assert reloaded["my_note"].title == "Note" and reloaded["my_note"].structure == "column"
    assert [p.kind for p in split_passages(reloaded["my_note"])][-1] == "comment"
    assert set(reloaded) == {POLICY, COLUMN, "my_note"}
    before = _snapshot(corpus_dir)
    again, added_again = add_document(corpus_dir, data.encode(), "other-name.txt")
    assert not added_again and again.doc_id == "my_note"
    assert _snapshot(corpus_dir) == before
    existing, added_existing = add_document(
        corpus_dir, (REPO / "corpus" / f"{POLICY}.txt").read_bytes(), "copy.txt")
    assert not added_existing and existing.doc_id == POLICY


def test_comment_marker_missing_is_an_error_and_changes_nothing(tmp_path):
    corpus_dir = _corpus_copy(tmp_path)
    before = _snapshot(corpus_dir)
    with pytest.raises(CorpusError, match="comments marker not found"):
        add_document(corpus_dir, b"Some text here.\n", "x.txt", comments_after="NOPE")
    assert _snapshot(corpus_dir) == before


def test_manifest_round_trip_keeps_original_metadata(tmp_path):
    corpus_dir = _corpus_copy(tmp_path)
    before = {d.doc_id: d for d in load_corpus(corpus_dir)}
    add_document(corpus_dir, b"Title line\nOne sentence. Two sentences.\n", "new.txt")
    after = {d.doc_id: d for d in load_corpus(corpus_dir)}
    for doc_id, document in before.items():
        assert after[doc_id] == document
    assert re.search(r'\[documents\."new"\]', (corpus_dir / "manifest.toml").read_text())


def test_a_sentence_resting_only_on_reader_comments_is_attributed_to_a_reader(corpus):
    comment = next(p for p in split_passages(corpus[COLUMN]) if p.kind == "comment")
    article = next(p for p in split_passages(corpus[POLICY]) if p.kind == "article")
    said = "The war will last for years."
    assert attributed(said, [comment]) == "A reader comment argues that the war will last " \
                                          "for years."
    assert attributed(said, [Citation.of(comment)]) == attributed(said, [comment])
    assert attributed(said, [comment, article]) == said == attributed(said, [])
    assert attributed("Readers think the war will last.", [comment]).startswith("Readers")
    framed = attributed("According to the article, Moscow should pay.", [comment])
    assert framed == "A reader comment argues that Moscow should pay."
    assert claim_of("One reader says that prices rose.") == "Prices rose."


def _pieces(text: str) -> list[str]:
    """The passages of a one-paragraph document, checked: exact, capped, covering the text."""
    passages = split_passages(Document(doc_id="long", text=text, file="long.txt"))
    assert all(text[p.start : p.end] == p.text for p in passages)
    assert all(0 < len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert "".join(p.text for p in passages).replace(" ", "") == text.replace(" ", "")
    return [p.text for p in passages]


def test_a_long_sentence_is_cut_at_clause_boundaries():
    clause = "the ministry published {} pages of figures on grain exports and rail capacity"
    text = "; ".join(clause.format(n) for n in range(20)).capitalize() + "."
    pieces = _pieces(text)
    assert len(pieces) > 1 and all(p.endswith(";") for p in pieces[:-1])


def test_without_semicolons_commas_then_spaces_are_used_and_numbers_stay_whole():
    text = ("Exports rose to 85,000 tonnes, " * 40).strip()[:-1] + "."
    pieces = _pieces(text)
    assert all(p.endswith(",") for p in pieces[:-1]) and "85,000" in pieces[1]
    words = " ".join(["grain"] * 400) + "."
    assert all(p.startswith("grain") and p.endswith(("grain", ".")) for p in _pieces(words))


def test_text_without_any_boundary_is_cut_hard_at_the_cap():
    text = "See https://example.org/" + "x" * 1500 + " now."
    assert max(len(p) for p in _pieces(text)) == MAX_PASSAGE_CHARS


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.lists(_word, min_size=1, max_size=400).map(" ".join), min_size=1,
                      max_size=4),
       structure=st.sampled_from(["sections", "column"]))
def test_generated_long_lines_give_capped_passages_with_exact_offsets(lines, structure):
    text = "\n".join([*lines, "Comments", *lines]) + "\n"
    extra = {"comments_after": "Comments"} if structure == "column" else {}
    document = Document(doc_id="gen", text=text, file="gen.txt", structure=structure, **extra)
    for passage in split_passages(document):
        assert text[passage.start : passage.end] == passage.text
        assert 0 < len(passage.text) <= MAX_PASSAGE_CHARS
        assert passage.text == passage.text.strip()


def test_shipped_corpus_passages_are_unchanged_by_the_cap(corpus):
    counts = {doc_id: len(split_passages(d)) for doc_id, d in corpus.items()}
    assert counts == {POLICY: 107, COLUMN: 96}
    assert max(len(p.text) for d in corpus.values() for p in split_passages(d)) < 600


def test_passages_are_computed_once_per_text_and_structure(monkeypatch):
    calls = []
    real = passages_module.units_of
    monkeypatch.setattr(passages_module, "units_of", lambda d: calls.append(d) or real(d))
    text = "Cached heading\nA first sentence of a cache test. A second one.\nBob comments.\n"
    document = Document(doc_id="cache_test", text=text, file="cache_test.txt")
    first = split_passages(document)
    first.clear()  # callers get their own list
    same = Document(doc_id="cache_test", text=text, file="x.txt", title="Renamed")
    assert split_passages(same) == split_passages(document) and len(calls) == 1
    column = Document(doc_id="cache_test", text=text, file="cache_test.txt",
                      structure="column", comments_after="A second")
    assert split_passages(column)[-1].kind == "comment" and len(calls) == 2
