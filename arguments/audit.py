"""Audit a citation: is the quote still verbatim, what kind of source is it, and does it
support the claim (deterministic checks combined with the model's yes/no judgment)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from arguments.checks import CheckResult, check_claim
from arguments.claims import citation_from_dict
from documents import Citation, Document
from documents.instructions import untrusted_reason
from generation import render_prompt

if TYPE_CHECKING:
    from generation import Model

SUPPORT_PROMPT = "audit_support.txt"
CONTRADICT_PROMPT = "audit_contradict.txt"
PROMPT_VARIABLES = {SUPPORT_PROMPT: {"claim", "passage"},
                    CONTRADICT_PROMPT: {"claim", "passage"}}
VERDICTS = ("supported", "partial", "unsupported", "contradicted")
COMMENT_WARNING = "rests only on a reader comment, not on the article's claim"
INJECTION_WARNING = "the passage reads as instructions to a model (a possible prompt injection)"
OWN_QUOTE_REASON = "the claim is the cited sentence itself, verbatim"
SUPPORTED_AT = 0.5  # P(yes) from the support question
_MAX_CHARS = 2000


@dataclass(frozen=True)
class Verdict:
    """The audit of one citation for one claim."""

    verdict: str  # supported | partial | unsupported | contradicted
    score: float  # confidence that the claim is supported, 0..1
    reason: str  # one line
    verbatim: bool
    kind: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "score": round(self.score, 3), "reason": self.reason,
                "verbatim": self.verbatim, "kind": self.kind, "warnings": list(self.warnings)}


def paragraph_around(document: Document, start: int, end: int) -> str:
    """The line (a paragraph or a comment) that holds the span: the quote's context."""
    first = document.text.rfind("\n", 0, start) + 1
    last = document.text.find("\n", end)
    return document.text[first : len(document.text) if last < 0 else last]


def _messages(prompt: str, claim: str, passage: str) -> list[tuple[str, str]]:
    passage = " ".join(passage.split())[:_MAX_CHARS]
    return [("human", render_prompt(prompt, claim=" ".join(claim.split()), passage=passage))]


def support_probability(claim: str, passage: str, model) -> float:
    """P(the passage states or directly implies the claim), from Yes/No logits."""
    answer = model.label_probabilities(_messages(SUPPORT_PROMPT, claim, passage), ["Yes", "No"])
    return answer["Yes"]


def judge(claim: str, passage: str, model) -> tuple[float, float]:
    """P(the passage supports the claim), P(it contradicts the claim), from Yes/No logits."""
    contra = model.label_probabilities(_messages(CONTRADICT_PROMPT, claim, passage), ["Yes", "No"])
    return support_probability(claim, passage, model), contra["Yes"]


def audit_citation(claim: str, citation: Citation, documents: Mapping[str, Document],
                   model: Model) -> Verdict:
    """Verdict on whether `citation` (still verbatim, of its kind) supports `claim`."""
    if not claim.strip():
        raise ValueError("the claim to audit is empty")
    warnings = [COMMENT_WARNING] if citation.kind == "comment" else []
    document = documents.get(citation.doc_id)
    if document is None:
        return Verdict("unsupported", 0.0, f"document {citation.doc_id} is not in the corpus",
                       False, citation.kind, tuple(warnings))
    if not citation.is_verbatim(documents):
        warnings.append("the document changed: the quote is not at its offsets any more")
        return Verdict("unsupported", 0.0, "the quote no longer stands at its offsets "
                       f"{citation.start}:{citation.end} in {citation.doc_id}",
                       False, citation.kind, tuple(warnings))
    untrusted = untrusted_reason(paragraph_around(document, citation.start, citation.end))
    if untrusted is not None:
        return Verdict("unsupported", 0.0, untrusted, True, citation.kind,
                       (*warnings, INJECTION_WARNING))
    checks = check_claim(claim, citation.quote, paragraph_around(document, citation.start,
                                                                 citation.end))
    support, contra = judge(claim, citation.quote, model)
    verdict, score, reason = combine(checks, support, contra)
    return Verdict(verdict, score, reason, True, citation.kind, tuple(warnings))


def combine(checks: CheckResult, support: float, contra: float) -> tuple[str, float, str]:
    """One verdict from the code checks and the model's two probabilities."""
    problems = checks.problems
    if checks.conflicting_numbers:
        return "contradicted", min(support, 0.1), problems[0]
    if checks.negation_mismatch and support < SUPPORTED_AT + 0.25:
        return "contradicted", min(support, 0.2), _reason(problems, support, "contradicts")
    if contra > 0.5 and support < SUPPORTED_AT:
        return "contradicted", support, _reason(problems, support, "contradicts")
    if support >= SUPPORTED_AT and not problems:
        return "supported", support, f"the model judges the quote to support the claim " \
                                     f"(p={support:.2f}) and names and figures agree"
    if support >= SUPPORTED_AT or (support >= 0.3 and checks.coverage >= 0.75):
        return "partial", support * 0.75, _reason(problems, support, "partly supports")
    return "unsupported", support, _reason(problems, support, "does not support")


def _reason(problems: list[str], support: float, judgment: str) -> str:
    lead = f"the model judges that the quote {judgment} the claim (p_support={support:.2f})"
    return "; ".join([lead, *problems])


def cited_claims(data: Mapping) -> list[tuple[str, Citation]]:
    """(claim, citation) pairs of a saved map, answer or positions JSON, each pair once."""
    if not isinstance(data, Mapping):
        raise ValueError("expected a JSON object: a saved map, answer or positions output")
    nodes: list[Mapping] = []
    if "pro" in data or "con" in data:
        nodes = [*data.get("pro", ()), *data.get("con", ())]
    elif "sentences" in data:
        nodes = [{"claim": s.get("text", ""), "citations": s.get("citations", ())}
                 for s in data["sentences"]]
    elif "positions" in data:
        nodes = [claim for p in data["positions"] for claim in p.get("claims", ())]
    else:
        raise ValueError("not a saved map, answer or positions output (no pro/con, "
                         "sentences or positions)")
    pairs: list[tuple[str, Citation]] = []
    while nodes:
        node = nodes.pop(0)
        nodes.extend(node.get("objections", ()))
        for raw in node.get("citations", ()):
            pair = (str(node.get("claim", "")), citation_from_dict(raw))
            if pair not in pairs:
                pairs.append(pair)
    return pairs


def answer_claims(answer) -> list[tuple[str, Citation]]:
    """(sentence, citation) for each citation of a supported sentence, first use only."""
    pairs, seen = [], set()
    for sentence in answer.sentences:
        for citation in sentence.citations if sentence.supported else ():
            if citation not in seen:
                seen.add(citation)
                pairs.append((sentence.text, citation))
    return pairs


def audit_claims(pairs: Iterable[tuple[str, Citation]], documents: Mapping[str, Document],
                 model: Model) -> list[Verdict]:
    """The verdict of each (claim, citation) pair, in order: what every page and command shows.

    A claim that is the cited sentence itself, still verbatim, needs no model call.
    """
    return [_own_quote(citation) if _is_own_quote(claim, citation, documents)
            else audit_citation(claim, citation, documents, model)
            for claim, citation in pairs]


def _is_own_quote(claim: str, citation: Citation, documents: Mapping[str, Document]) -> bool:
    same = " ".join(claim.split()).lower() == " ".join(citation.quote.split()).lower()
    return same and citation.is_verbatim(documents)


def _own_quote(citation: Citation) -> Verdict:
    warnings = (COMMENT_WARNING,) if citation.kind == "comment" else ()
    return Verdict("supported", 1.0, OWN_QUOTE_REASON, True, citation.kind, warnings)


def audit_report(pairs: Iterable[tuple[str, Citation]], documents: Mapping[str, Document], model
                 ) -> dict:
    """Every citation's verdict and a count per verdict, plus invalid and comment-only ones."""
    pairs = list(pairs)
    verdicts = audit_claims(pairs, documents, model)
    rows = [{"claim": claim, "citation": citation.to_dict(), **verdict.to_dict()}
            for (claim, citation), verdict in zip(pairs, verdicts, strict=True)]
    counts = {name: sum(r["verdict"] == name for r in rows) for name in VERDICTS}
    return {"citations": len(rows), "counts": counts,
            "not_verbatim": sum(not r["verbatim"] for r in rows),
            "comment_citations": sum(r["kind"] == "comment" for r in rows),
            "items": rows}
