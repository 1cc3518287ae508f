"""Lossless exports of an argument map: Argdown, xAIF JSON, a Markdown outline, Mermaid.

Claims and quotes come from documents and model output, so they are untrusted text: JSON,
Argdown and xAIF keep them exact (a quote is still text[start:end]), while the renderings a
viewer interprets (Markdown, Mermaid, spreadsheet cells) escape what would become markup.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping

from arguments.claims import ArgumentMap, Claim
from documents import Citation, Document

FORMATS = ("json", "argdown", "aif", "markdown", "mermaid")
_ARGDOWN_SPECIAL = re.compile(r"([\\\[\]<>{}@#*_/])")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# A spreadsheet reads a cell starting with these as a formula (or, for tab and carriage
# return, strips them and then reads one); fullwidth forms count in some spreadsheets.
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
# Markdown link and image targets "](" and link definitions "]:" lose their meaning escaped.
_MARKDOWN_LINK = re.compile(r"\]([(:])")
_MERMAID_PLAIN = frozenset(" .,:;!?'-/")
CORRECTED_TAG = "#corrected"  # Argdown tag of a claim a user put on its side
CORRECTED_NOTE = "corrected by a user"


def _key(claim: Claim) -> tuple:
    """Identity of a claim that survives a JSON round trip (objections are copies)."""
    return (claim.text, claim.kind, claim.stance, claim.citations)


def _titles(argument_map: ArgumentMap) -> dict[tuple, str]:
    """Stable statement titles: "Pro 1", "Pro 2", ..., "Con 1", ... in map order."""
    titles: dict[tuple, str] = {}
    counts = {"pro": 0, "con": 0}
    claims = [*argument_map.pro, *argument_map.con, *argument_map.claims()]
    for claim in claims:
        if _key(claim) not in titles:
            side = claim.stance if claim.stance in counts else "pro"
            counts[side] += 1
            titles[_key(claim)] = f"{side.capitalize()} {counts[side]}"
    return titles


def _speaker(citation: Citation, documents: Mapping[str, Document] | None) -> str:
    document = (documents or {}).get(citation.doc_id)
    if citation.kind == "comment":
        return f"reader comment on {citation.doc_id}"
    if document and document.author and not document.author.startswith("Unknown"):
        return document.author
    return f"author of {citation.doc_id}" + (f" ({document.title})" if document else "")


# --- Argdown ----------------------------------------------------------------------------------


def argdown_escape(text: str) -> str:
    """Statement text with Argdown's control characters escaped and on one line."""
    return _ARGDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _argdown_data(claim: Claim) -> str:
    """The claim's metadata as a YAML flow mapping: JSON whose strings escape the characters
    that would end Argdown's data block (braces) or a JavaScript line (line separators)."""
    data = {"kind": claim.kind, "stance": claim.stance, "strength": claim.strength,
            "paraphrased": claim.paraphrased, "corrected": claim.corrected,
            "citations": [c.to_dict() for c in claim.citations]}
    return _JSON_STRING.sub(_escape_string, json.dumps(data, ensure_ascii=False))


def _escape_string(match: re.Match) -> str:
    return re.sub("[{}\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", match.group())


def to_argdown(argument_map: ArgumentMap, documents: Mapping[str, Document] | None = None
               ) -> str:
    """Claims as statements, pro (+) and con (-) relations, objections as attacks on claims,
    and each claim's verbatim quotes with their offsets in the statement's data."""
    titles = _titles(argument_map)
    defined: set[str] = set()
    lines = [f"# {argdown_escape('Pro and con: ' + argument_map.proposition)}", "",
             f"[Proposition]: {argdown_escape(argument_map.proposition)}"]
    for side, arrow in (("pro", "<+"), ("con", "<-")):
        for claim in getattr(argument_map, side):
            lines.append(_argdown_statement(claim, titles, defined, arrow, 1))
            for objection in claim.objections:
                lines.append(_argdown_statement(objection, titles, defined, "<-", 2))
    for warning in argument_map.warnings:
        lines.append(f"\n<!-- warning: {warning.replace('--', '- -')} -->")
    for correction in argument_map.corrections:
        lines.append(f"\n<!-- {CORRECTED_NOTE}: {_correction_line(correction)} -->")
    return "\n".join(lines) + "\n"


def _correction_line(correction) -> str:
    """Where a correction put which passage, in words (no quote: it may hold "-->")."""
    doc_id, start, end = correction.span
    where = "marked off-topic" if correction.side == "off-topic" else f"moved to {correction.side}"
    return f"{doc_id}[{start}:{end}] {where}".replace("--", "- -")


def _argdown_statement(claim: Claim, titles, defined: set[str], arrow: str, depth: int) -> str:
    title = titles[_key(claim)]
    indent = "  " * depth
    if title in defined:
        return f"{indent}{arrow} [{title}]"
    defined.add(title)
    tag = f" {CORRECTED_TAG}" if claim.corrected else ""
    return (f"{indent}{arrow} [{title}]: {argdown_escape(claim.text)}{tag} "
            f"{_argdown_data(claim)}")


# --- xAIF -------------------------------------------------------------------------------------


def to_aif(argument_map: ArgumentMap, documents: Mapping[str, Document] | None = None) -> dict:
    """xAIF JSON: I-nodes for the proposition and claims, RA (support) and CA (conflict)
    nodes, and an L-node per quote asserted (YA) by its participant: an author or a reader."""
    graph = _AifGraph(documents)
    root = graph.node("I", argument_map.proposition)
    titles = _titles(argument_map)
    claim_nodes = {}
    for claim in argument_map.claims():
        if _key(claim) not in claim_nodes:
            note = {"corrected": True, "note": CORRECTED_NOTE} if claim.corrected else {}
            claim_nodes[_key(claim)] = graph.node("I", claim.text, title=titles[_key(claim)],
                                                  **note)
            for citation in claim.citations:
                graph.locution(citation, claim_nodes[_key(claim)])
    for claim in (*argument_map.pro, *argument_map.con):
        relation = "RA" if claim.stance == "pro" else "CA"
        graph.relation(relation, claim_nodes[_key(claim)], root)
        for objection in claim.objections:
            graph.relation("CA", claim_nodes[_key(objection)], claim_nodes[_key(claim)])
    return {"AIF": graph.aif(), "text": argument_map.proposition,
            "warnings": list(argument_map.warnings),
            "corrections": [c.to_dict() for c in argument_map.corrections]}


class _AifGraph:
    """Accumulates xAIF nodes, edges, locutions and participants with string ids."""

    _TEXT = {"RA": "Default Inference", "CA": "Default Conflict", "YA": "Asserting"}

    def __init__(self, documents):
        self.documents = documents
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.locutions: list[dict] = []
        self.participants: dict[str, dict] = {}

    def node(self, kind: str, text: str | None = None, **extra) -> str:
        node_id = str(len(self.nodes) + 1)
        self.nodes.append({"nodeID": node_id, "text": text or self._TEXT[kind], "type": kind,
                           **extra})
        return node_id

    def edge(self, source: str, target: str) -> None:
        self.edges.append({"edgeID": str(len(self.edges) + 1), "fromID": source, "toID": target})

    def relation(self, kind: str, source: str, target: str) -> None:
        middle = self.node(kind)
        self.edge(source, middle)
        self.edge(middle, target)

    def locution(self, citation: Citation, proposition: str) -> None:
        person = self._participant(citation)
        speaker = f"{person['firstname']} {person['surname']}".strip()
        node = self.node("L", f"{speaker} : {citation.quote}")
        self.locutions.append({"nodeID": node, "personID": person["participantID"],
                               "source": citation.doc_id, "kind": citation.kind,
                               "start": citation.start, "end": citation.end})
        self.relation("YA", node, proposition)

    def _participant(self, citation: Citation) -> dict:
        role = "reader" if citation.kind == "comment" else "author"
        key = f"{role}:{citation.doc_id}"
        if key not in self.participants:
            name = _speaker(citation, self.documents)
            first, _, last = name.partition(" ") if role == "author" else ("Readers", "", name)
            self.participants[key] = {"participantID": str(len(self.participants) + 1),
                                      "firstname": first, "surname": last, "role": role,
                                      "source": citation.doc_id}
        return self.participants[key]

    def aif(self) -> dict:
        return {"nodes": self.nodes, "edges": self.edges, "locutions": self.locutions,
                "participants": list(self.participants.values()), "schemefulfillments": []}


# --- Markdown and Mermaid ---------------------------------------------------------------------


def to_markdown(argument_map: ArgumentMap, documents: Mapping[str, Document] | None = None
                ) -> str:
    """An outline: pro and con claims, their quotes and sources, objections, warnings."""
    lines = [f"# {markdown_escape(argument_map.proposition)}", ""]
    for side in ("pro", "con"):
        claims = getattr(argument_map, side)
        lines += [f"## {side.capitalize()} ({len(claims)} claims)", ""]
        for claim in claims:
            lines += _markdown_claim(claim, documents, "")
            for objection in claim.objections:
                lines += _markdown_claim(objection, documents, "  ", "Objection: ")
        lines.append("")
    if argument_map.warnings:
        lines += ["## Warnings", "", *(f"- {markdown_escape(w)}" for w in argument_map.warnings),
                  ""]
    if argument_map.corrections:
        lines += ["## Corrected by a user", "",
                  *(_markdown_correction(c) for c in argument_map.corrections), ""]
    return "\n".join(lines)


def _markdown_claim(claim: Claim, documents, indent: str, prefix: str = "") -> list[str]:
    strength = claim.strength
    mark = f" ({CORRECTED_NOTE})" if claim.corrected else ""
    lines = [f"{indent}- {prefix}**{markdown_escape(claim.text)}**{mark} ({claim.kind}; stance "
             f"{strength['stance_score']:.2f}, {strength['sources']} source(s))"]
    for citation in claim.citations:
        quote = f"\n{indent}  > ".join(markdown_escape(citation.quote).splitlines())
        speaker = markdown_escape(_speaker(citation, documents))
        lines += [f"{indent}  > {quote}",
                  f"{indent}  > — {speaker}, {markdown_escape(citation.doc_id)} "
                  f"[{citation.start}:{citation.end}]", ""]
    return lines


def _markdown_correction(correction) -> str:
    quote = " ".join(correction.citation.quote.split())
    return f"- {markdown_escape(_correction_line(correction))}: “{markdown_escape(quote)}”"


def markdown_escape(text: str) -> str:
    """Text that a Markdown viewer shows as written: no raw HTML, no links or images.

    Brackets alone stay (a footnote mark "[2]" reads as written); only the "](" and "]:"
    that make a link, an image or a link definition are escaped.
    """
    return _MARKDOWN_LINK.sub(r"]\\\1", html.escape(text, quote=False))


def _mermaid_label(text: str, limit: int = 90) -> str:
    """One line of text for a quoted Mermaid label: every character that could end the label
    or become markup (quotes, brackets, pipes, HTML, entities, backticks) as an entity code."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "".join(_mermaid_char(c) for c in text)


def _mermaid_char(char: str) -> str:
    if char == '"':
        return "#quot;"
    if char.isalnum() or char in _MERMAID_PLAIN or (ord(char) > 127 and char.isprintable()):
        return char
    return f"#{ord(char)};"


def spreadsheet_cell(value):
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a leading
    apostrophe (the spreadsheet convention for "this is text"); other values are unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_mermaid(argument_map: ArgumentMap, documents: Mapping[str, Document] | None = None
               ) -> str:
    """A Mermaid flowchart: claims point at the proposition (pro solid, con dashed)."""
    titles = _titles(argument_map)
    ids = {key: f"N{i + 1}" for i, key in enumerate(titles)}
    lines = ["flowchart TD", f'  P["{_mermaid_label(argument_map.proposition)}"]']
    for claim in argument_map.claims():
        node = ids[_key(claim)]
        corrected = ", corrected" if claim.corrected else ""
        label = (f"{_mermaid_label(claim.text)} ({len(claim.citations)} source(s), "
                 f"{claim.kind}{corrected})")
        lines.append(f'  {node}["{label}"]:::{claim.kind}')
    for claim in (*argument_map.pro, *argument_map.con):
        arrow = "-->|pro|" if claim.stance == "pro" else "-.->|con|"
        lines.append(f"  {ids[_key(claim)]} {arrow} P")
        for objection in claim.objections:
            lines.append(f"  {ids[_key(objection)]} -.->|objects to| {ids[_key(claim)]}")
    lines += ["  classDef article stroke:#333", "  classDef comment stroke-dasharray: 5 5"]
    return "\n".join(lines) + "\n"


def export(argument_map: ArgumentMap, fmt: str, documents: Mapping[str, Document] | None = None
           ) -> str:
    """The map in one of FORMATS, as text."""
    if fmt == "json":
        return json.dumps(argument_map.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "aif":
        return json.dumps(to_aif(argument_map, documents), ensure_ascii=False, indent=2)
    writers = {"argdown": to_argdown, "markdown": to_markdown, "mermaid": to_mermaid}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](argument_map, documents)
