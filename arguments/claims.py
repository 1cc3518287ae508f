"""Claims and argument maps: what the argument layer produces, with its provenance."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from documents import Citation, Document

SIDES = ("pro", "con")


@dataclass(frozen=True)
class Claim:
    """One point made for or against a proposition, with every span it rests on."""

    text: str  # a verified one-sentence paraphrase, or the passage's own sentence
    kind: str  # "article" or "comment": a claim never mixes the two
    stance: str  # "pro" or "con"
    score: float  # mean stance probability of its passages
    citations: tuple[Citation, ...]
    objections: tuple[Claim, ...] = ()
    paraphrased: bool = False
    corrected: bool = False  # a user put its passage on this side (arguments.corrections)

    @property
    def strength(self) -> dict:
        return {"stance_score": round(self.score, 3), "sources": len(self.citations),
                "documents": len({c.doc_id for c in self.citations})}

    def to_dict(self) -> dict:
        return {"claim": self.text, "kind": self.kind, "stance": self.stance,
                "strength": self.strength, "paraphrased": self.paraphrased,
                "corrected": self.corrected, "citations": [c.to_dict() for c in self.citations],
                "objections": [o.to_dict() for o in self.objections]}


@dataclass(frozen=True)
class Unused:
    """A retrieved passage the map left off both sides, and why ("off-topic", "no side", ...)."""

    citation: Citation
    reason: str

    def to_dict(self) -> dict:
        return {**self.citation.to_dict(), "reason": self.reason}


@dataclass(frozen=True)
class ArgumentMap:
    """The pro and con claims found in the documents for one proposition."""

    proposition: str
    pro: tuple[Claim, ...]
    con: tuple[Claim, ...]
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    unused: tuple[Unused, ...] = field(default=())  # retrieved, on neither side, with why
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, and "total"
    corrections: tuple = ()  # arguments.corrections.Correction: those a user made, applied

    def claims(self) -> Iterator[Claim]:
        """Every claim, objections included, each once."""
        seen: set[int] = set()
        for claim in (*self.pro, *self.con):
            for node in (claim, *claim.objections):
                if id(node) not in seen:
                    seen.add(id(node))
                    yield node

    def citations(self) -> Iterator[Citation]:
        for claim in self.claims():
            yield from claim.citations

    def to_dict(self) -> dict:
        return {"proposition": self.proposition,
                "pro": [c.to_dict() for c in self.pro],
                "con": [c.to_dict() for c in self.con],
                "warnings": list(self.warnings),
                "seconds": round(self.seconds, 1),
                "timings": {step: round(s, 3) for step, s in self.timings.items()},
                "unused": [c.to_dict() for c in self.unused],
                "corrections": [c.to_dict() for c in self.corrections]}


def claim_from_dict(data: Mapping) -> Claim:
    """Rebuild a claim from its JSON form (for audit reports over a saved map)."""
    return Claim(
        text=str(data["claim"]), kind=str(data.get("kind", "article")),
        stance=str(data.get("stance", "pro")),
        score=float(data.get("strength", {}).get("stance_score", 0.0)),
        citations=tuple(citation_from_dict(c) for c in data.get("citations", ())),
        objections=tuple(claim_from_dict(o) for o in data.get("objections", ())),
        paraphrased=bool(data.get("paraphrased", False)),
        corrected=bool(data.get("corrected", False)),
    )


def citation_from_dict(data: Mapping) -> Citation:
    """A citation from its JSON form; a malformed one raises ValueError with the reason."""
    try:
        return Citation(str(data["doc_id"]), str(data["kind"]), int(data["start"]),
                        int(data["end"]), str(data["quote"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a citation ({error}): {dict(data)!r:.120}") from None


def source_label(citation: Citation, documents: Mapping[str, Document] | None = None) -> str:
    """A short human label: who says it and where."""
    document = (documents or {}).get(citation.doc_id)
    author = document.author if document and document.author else citation.doc_id
    if citation.kind == "comment":
        return f"a reader comment on {citation.doc_id}"
    return f"{author} ({citation.doc_id})"
