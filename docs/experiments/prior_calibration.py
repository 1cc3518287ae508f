"""Issue 12 experiment: subtract the model's prior for the claim (contextual calibration;
not adopted).

The bundled model leans on what it already believes of a claim: with a content-free passage
("N/A", or "The meeting took place on a Tuesday afternoon.") the shipped direction is -0.8 to
-1.0 for "Russia is winning the war in Ukraine." and +0.9 for "Europe's rising defense spending
shows it is serious about its own security.", so on such claims almost every passage lands on
the side of the prior. Here the mean direction of the two content-free passages is subtracted
from each passage's direction (margin 0.3 instead of 0.2), and both decisions are scored on
the 41 dev stance pairs and on the 12 candidates a real map judges for each proposition of
data/eval/maps.json (dev), maps_fresh.json (used to choose this variant) and
maps_heldout.json (labelled after the choice, scored once):

    .venv/bin/python docs/experiments/prior_calibration.py [SIGNALS.pkl]

About 6 minutes on 2 cores the first time (signals kept in SIGNALS.pkl, default
/tmp/prior_calibration.pkl). README, "What we tried": dev stance 0.76 -> 0.68; map precision
dev 15/23 -> 15/23, fresh 1/20 -> 3/11, held-out 5/21 -> 5/23: it turns the right side up on
claims the model disbelieves, and on "Europe can defend western Ukraine on its own." (prior
-0.85) it turns off-topic passages to the pro side.
"""
import json
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from arguments.negation import denies_subject, is_denial  # noqa: E402
from arguments.stance import MARGIN, ON_TOPIC, Signals  # noqa: E402
from evaluation.tuning import side_counts  # noqa: E402

NULLS = ("N/A", "The meeting took place on a Tuesday afternoon.")
CALIBRATED_MARGIN = 0.3
SETS = {"dev maps": "maps.json", "fresh maps": "maps_fresh.json",
        "held-out maps": "maps_heldout.json"}


def collect(path: Path) -> None:
    from arguments.maps import map_candidates
    from arguments.stance import read_signals
    from documents import split_passages
    from evaluation.dataset import gold_span
    from evaluation.maps import load_maps_set
    from interface.settings import Settings, session_of

    session = session_of(Settings())
    searcher, model = session.searcher(), session.model()
    documents, rows, priors = searcher.documents, [], {}

    def row(kind, claim, text, gold, context=None):
        if claim not in priors:
            priors[claim] = [Signals(*read_signals(claim, t, model)).direction() for t in NULLS]
        vectors = searcher.embed([claim, text])
        return {"set": kind, "claim": claim, "text": text, "gold": gold,
                "topic": float(vectors[0] @ vectors[1]),
                "direction": Signals(*read_signals(claim, text, model, context)).direction()}

    dev = json.loads((ROOT / "data" / "eval" / "dev.json").read_text("utf-8"))["stance"]
    for item in dev:
        doc_id, start, end = gold_span(documents, item["doc"], item["quote"])
        context = next((p.text for p in split_passages(documents[doc_id])
                        if p.start <= start and end <= p.end), None)
        rows.append(row("dev stance", item["claim"], documents[doc_id].text[start:end],
                        item["label"], context))
    for name, file in SETS.items():
        for labels in load_maps_set(documents, ROOT / "data" / "eval" / file):
            for p in map_candidates(labels.proposition, searcher, 12):
                rows.append(row(name, labels.proposition, p.text,
                                labels.gold_of(p.doc_id, p.start, p.end)))
    path.write_bytes(pickle.dumps({"rows": rows, "priors": priors}))


def label(row: dict, direction: float, margin: float) -> str:
    if row["topic"] < ON_TOPIC:
        return "neutral"
    if abs(direction) < margin:
        if denies_subject(row["claim"], row["text"]):
            return "pro" if is_denial(row["claim"]) else "con"
        return "neutral"
    return "pro" if direction >= 0 else "con"


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/prior_calibration.pkl")
    if not path.exists():
        collect(path)
    data = pickle.loads(path.read_bytes())
    for claim, prior in data["priors"].items():
        print(f"prior {sum(prior) / len(prior):+.2f}  {claim}")
    methods = {"shipped": lambda r: label(r, r["direction"], MARGIN),
               "prior subtracted": lambda r: label(
                   r, r["direction"] - sum(data["priors"][r["claim"]]) / len(NULLS),
                   CALIBRATED_MARGIN)}
    for method, decide in methods.items():
        rows = [r for r in data["rows"] if r["set"] == "dev stance"]
        parts = [f"dev stance {sum(decide(r) == r['gold'] for r in rows) / len(rows):.2f}"]
        for name in SETS:
            correct, scored, found, _ = side_counts(
                (decide(r), r["gold"]) for r in data["rows"] if r["set"] == name)
            parts.append(f"{name} precision {correct}/{scored}, found {found}")
        print(f"{method}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
