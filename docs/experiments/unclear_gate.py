"""Issue 12 experiment: the truth question's "Unclear" as a relevance gate (not adopted).

The shipped truth question ("According to the passage, is the statement true or false, or does
the passage not say?") is read as True against False; its third answer, P(Unclear), is
dropped. Here it gates relevance: a passage whose P(Unclear) exceeds a threshold takes no
side. Scored on the 12 candidates a real map judges for each proposition of maps.json,
maps_fresh.json and maps_heldout.json (ROC AUC of labelled pro/con against off-topic passages,
beside the cosine's; then map precision for a few thresholds):

    .venv/bin/python docs/experiments/unclear_gate.py [SIGNALS.pkl]

About 5 minutes on 2 cores the first time (default /tmp/unclear_gate.pkl). README, "What we
tried": AUC 0.65 / 0.75 / 0.65 against the cosine's 0.68 / 0.74 / 0.67; a gate at 0.2 gives
precision 14/22, 1/8 and 5/18 (shipped 15/23, 1/20, 5/22 in the same run: one held-out passage
moves with the cached prefix), a threshold chosen seeing all three sets.
"""
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from arguments.stance import MARGIN, ON_TOPIC, Signals, decide  # noqa: E402
from evaluation.tuning import side_counts  # noqa: E402

SETS = ("maps.json", "maps_fresh.json", "maps_heldout.json")
THRESHOLDS = (1.0, 0.3, 0.2, 0.15)


def collect(path: Path) -> None:
    from arguments.maps import map_candidates
    from arguments.stance import read_signals, truth_messages
    from evaluation.maps import load_maps_set
    from interface.settings import Settings, session_of

    session = session_of(Settings())
    searcher, model = session.searcher(), session.model()
    rows = []
    for name in SETS:
        for labels in load_maps_set(searcher.documents, ROOT / "data" / "eval" / name):
            claim = labels.proposition
            for p in map_candidates(claim, searcher, 12):
                verdict = model.label_probabilities(truth_messages(claim, p.text),
                                                    ["True", "False", "Unclear"])
                vectors = searcher.embed([claim, p.text])
                rows.append({"set": name, "claim": claim, "text": p.text,
                             "gold": labels.gold_of(p.doc_id, p.start, p.end),
                             "topic": float(vectors[0] @ vectors[1]),
                             "unclear": verdict["Unclear"],
                             "signals": tuple(read_signals(claim, p.text, model))})
    path.write_bytes(pickle.dumps(rows))


def auc(positive: list[float], negative: list[float]) -> float:
    pairs = [(a > b) + 0.5 * (a == b) for a in positive for b in negative]
    return sum(pairs) / len(pairs)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/unclear_gate.pkl")
    if not path.exists():
        collect(path)
    rows = pickle.loads(path.read_bytes())
    for name in SETS:
        group = [r for r in rows if r["set"] == name]
        labelled = [r for r in group if r["gold"] in ("pro", "con")]
        off = [r for r in group if r["gold"] == "off"]
        print(f"{name}: AUC 1 - P(Unclear) "
              f"{auc([1 - r['unclear'] for r in labelled], [1 - r['unclear'] for r in off]):.2f}"
              f", cosine {auc([r['topic'] for r in labelled], [r['topic'] for r in off]):.2f}")
    for threshold in THRESHOLDS:
        parts = []
        for name in SETS:
            sides = []
            for r in (r for r in rows if r["set"] == name):
                side = ("neutral" if r["topic"] < ON_TOPIC or r["unclear"] > threshold
                        else decide(r["claim"], r["text"], Signals(*r["signals"]),
                                    margin=MARGIN).label)
                sides.append((side, r["gold"]))
            correct, scored, found, _ = side_counts(sides)
            parts.append(f"{name} {correct}/{scored} found {found}")
        print(f"P(Unclear) <= {threshold}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
