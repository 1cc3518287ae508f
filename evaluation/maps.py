"""Map evaluation against labelled propositions (data/eval/maps.json): precision and recall.

Each proposition labels passages of the corpus "pro", "con" or "either" (on-topic, no clear
side); every other passage is off-topic for it. Definitions (from the file's `about`):
- precision: of the cited passages a map places on a side, the share labelled that side
  ("either" is not scored; off-topic counts as wrong);
- recall: of the "pro" and "con" passages, the share the map places on their side.
A cited span matches a labelled span when their characters overlap in the same document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from arguments.claims import SIDES
from arguments.maps import MAX_CANDIDATES, build_map, map_candidates
from arguments.stance import read_signals
from evaluation.tuning import Judgment, leave_one_group_out

MAPS_SET = Path(__file__).resolve().parent.parent / "data" / "eval" / "maps.json"
LABELS = ("pro", "con", "either")


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int

    def overlaps(self, doc_id: str, start: int, end: int) -> bool:
        return doc_id == self.doc_id and start < self.end and self.start < end


@dataclass(frozen=True)
class LabelledProposition:
    """A proposition and its labelled spans: label -> spans located in the stored texts."""

    proposition: str
    spans: dict[str, tuple[Span, ...]]

    def gold_of(self, doc_id: str, start: int, end: int) -> str:
        """The passage's own label: "pro", "con", "either", or "off" (off-topic)."""
        found = {label for label, spans in self.spans.items()
                 if any(s.overlaps(doc_id, start, end) for s in spans)}
        return next((label for label in (*SIDES, "either") if label in found), "off")

    @property
    def expected(self) -> int:
        return sum(len(self.spans[side]) for side in SIDES)

    def label_of(self, doc_id: str, start: int, end: int, side: str) -> str:
        """The label a cited span gets: `side` if it overlaps a span of that side, else "either"
        if it overlaps one, else the other side's label, else "off-topic"."""
        found = {label for label, spans in self.spans.items()
                 if any(s.overlaps(doc_id, start, end) for s in spans)}
        for label in (side, "either", *SIDES):
            if label in found:
                return label
        return "off-topic"


def load_maps_set(documents, path: Path | str = MAPS_SET) -> list[LabelledProposition]:
    """The labelled propositions with each labelled text located verbatim in its document."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such map evaluation set")
    data = json.loads(path.read_text("utf-8"))
    result = []
    for entry in data["maps"]:
        spans = {label: tuple(_locate(documents, item) for item in entry.get(label, ()))
                 for label in LABELS}
        result.append(LabelledProposition(entry["proposition"], spans))
    return result


def _locate(documents, item: dict) -> Span:
    document = documents.get(item["doc_id"])
    start = document.text.find(item["text"]) if document is not None else -1
    if start < 0:
        raise ValueError(f"labelled text {item['text'][:60]!r} is not in {item['doc_id']}")
    return Span(item["doc_id"], start, start + len(item["text"]))


@dataclass(frozen=True)
class MapScore:
    """Counts behind precision and recall for one map (or several, summed)."""

    correct: int = 0  # cited on a side, labelled that side
    scored: int = 0  # cited on a side and labelled pro, con or off-topic
    found: int = 0  # labelled pro/con passages cited on their side
    expected: int = 0  # labelled pro/con passages

    def __add__(self, other: MapScore) -> MapScore:
        return MapScore(self.correct + other.correct, self.scored + other.scored,
                        self.found + other.found, self.expected + other.expected)

    @property
    def precision(self) -> float | None:
        return self.correct / self.scored if self.scored else None

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    def to_dict(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 4)
        return {"precision": rounded(self.precision), "recall": rounded(self.recall),
                "correct": self.correct, "scored": self.scored, "found": self.found,
                "expected": self.expected}


def score_sides(placed: Iterable[tuple[str, str, int, int]], labels: LabelledProposition
                ) -> tuple[MapScore, list[dict]]:
    """Score (side, doc_id, start, end) placements; also each placement with its label."""
    placed = list(dict.fromkeys(placed))
    rows, correct, scored = [], 0, 0
    for side, doc_id, start, end in placed:
        label = labels.label_of(doc_id, start, end, side)
        rows.append({"side": side, "doc_id": doc_id, "start": start, "end": end, "label": label})
        if label != "either":
            scored += 1
            correct += label == side
    gold = [(side, span) for side in SIDES for span in labels.spans[side]]
    found = sum(any(s == side and span.overlaps(d, a, b) for s, d, a, b in placed)
                for side, span in gold)
    return MapScore(correct, scored, found, len(gold)), rows


def map_placements(argument_map) -> list[tuple[str, str, int, int]]:
    """(side, doc_id, start, end) of every citation of the map's top-level claims."""
    return [(side, c.doc_id, c.start, c.end) for side in SIDES
            for claim in getattr(argument_map, side) for c in claim.citations]


def position_placements(positions) -> list[tuple[str, str, int, int]]:
    """(side, doc_id, start, end) of every quote a position's claims rest on."""
    return [(claim.stance, c.doc_id, c.start, c.end) for position in positions.positions
            for claim in position.claims if claim.stance in SIDES for c in claim.citations]


def map_judgments(labels: LabelledProposition, searcher, model,
                  limit: int = MAX_CANDIDATES) -> list[Judgment]:
    """The candidates a map judges, each with its topic cosine, the model's signals (asked
    even when off-topic, so any ON_TOPIC can be tried) and its label."""
    passages = map_candidates(labels.proposition, searcher, limit)
    vectors = searcher.embed([labels.proposition, *(p.text for p in passages)])
    return [Judgment(labels.proposition, p.text, float(vectors[i + 1] @ vectors[0]),
                     read_signals(labels.proposition, p.text, model),
                     labels.gold_of(p.doc_id, p.start, p.end), labels.proposition)
            for i, p in enumerate(passages)]


def cross_validated_maps(propositions: Sequence[LabelledProposition], searcher, model) -> dict:
    """Map precision and recall, each proposition decided by constants chosen on the others
    (the candidates' signals are read once; see evaluation.tuning)."""
    judgments = [j for labels in propositions for j in map_judgments(labels, searcher, model)]
    expected = {labels.proposition: labels.expected for labels in propositions}
    return leave_one_group_out(judgments, expected)


def evaluate_maps(searcher, model, propositions: Sequence[LabelledProposition] | None = None,
                  positions: bool = True, cross_validate: bool = True, **options) -> dict:
    """Build each labelled proposition's map (and positions); precision, recall, seconds;
    and, with two or more propositions, the leave-one-proposition-out figures."""
    from arguments.positions import competing_positions

    propositions = propositions or load_maps_set(searcher.documents)
    rows, total, position_total = [], MapScore(), MapScore()
    for labels in propositions:
        argument_map = build_map(labels.proposition, searcher, model, **options)
        score, placed = score_sides(map_placements(argument_map), labels)
        total += score
        verbatim = all(c.is_verbatim(searcher.documents) for c in argument_map.citations())
        row = {"proposition": labels.proposition, "seconds": round(argument_map.seconds, 1),
               **score.to_dict(), "all_verbatim": verbatim, "placed": placed,
               "warnings": list(argument_map.warnings), "map": argument_map.to_dict()}
        if positions:
            found = competing_positions(labels.proposition, searcher, model)
            position_score, position_rows = score_sides(position_placements(found), labels)
            position_total += position_score
            row["positions"] = {**position_score.to_dict(), "placed": position_rows,
                                "seconds": round(found.seconds, 1)}
        rows.append(row)
    seconds = sorted(r["seconds"] for r in rows)
    report = {"maps": rows, "overall": total.to_dict(),
              "seconds_per_map": round(sum(seconds) / len(seconds), 1),
              "median_seconds_per_map": seconds[len(seconds) // 2],
              "all_verbatim": all(r["all_verbatim"] for r in rows)}
    if positions:
        report["positions"] = position_total.to_dict()
    if cross_validate and len(propositions) > 1:
        report["cross_validated"] = cross_validated_maps(propositions, searcher, model)
    return report
