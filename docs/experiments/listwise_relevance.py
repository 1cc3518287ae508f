"""Issue 12 experiment: relevance by choosing among passages (listwise), not by a yes/no.

The bundled model says Yes to anything on the topic when asked about one passage. Asked to
choose which of four passages argues for or against the claim, with 0 for "none of them",
the passages compete and "none" is always on offer (the answer chooser's format, which picks
the gold passage for most dev questions). Each map's 12 candidates (by closeness, as a real
map judges them) are shown in three groups of four, in both orders (position bias averaged).
Signals: P(passage) and P(passage) / (P(passage) + P(0)), scored by ROC AUC of labelled
pro/con passages against off-topic ones (borderline left out), beside the cosine's on the
same candidates, for maps.json, maps_fresh.json and maps_heldout.json:

    .venv/bin/python docs/experiments/listwise_relevance.py [SIGNALS.pkl]

About 5 minutes on 2 cores the first time (default /tmp/listwise_relevance.pkl). Measured
2026-12-05 (README, "What we tried"; not adopted): ROC AUC of P(chosen) 0.56 / 0.57 / 0.67 and
of its share against "none" 0.61 / 0.58 / 0.59, against the cosine's 0.68 / 0.74 / 0.67 on the
same candidates; "none" is likelier than the passage for all but 4 of the 132 candidates.
"""
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SETS = ("maps.json", "maps_fresh.json", "maps_heldout.json")
GROUP = 4
PROMPT = ("Passages:\n{passages}\n\nStatement: {claim}\n\nWhich passage argues for or against "
          "the statement, giving a reason to believe it is true or false? Answer with the "
          "passage's number, or 0 if none of them does.")


def choices(model, claim: str, texts: list[str]) -> list[float]:
    """P(number) for each text, then P(0), from one one-digit answer."""
    shown = "\n".join(f"[{n}] {' '.join(t.split())}" for n, t in enumerate(texts, 1))
    labels = [str(n) for n in range(len(texts) + 1)]
    found = model.label_probabilities([("human", PROMPT.format(passages=shown, claim=claim))],
                                      labels)
    return [found[str(n)] for n in range(1, len(texts) + 1)] + [found["0"]]


def collect(path: Path) -> None:
    from arguments.maps import map_candidates
    from evaluation.maps import load_maps_set
    from interface.settings import Settings, session_of

    session = session_of(Settings())
    searcher, model = session.searcher(), session.model()
    rows = []
    for name in SETS:
        for labels in load_maps_set(searcher.documents, ROOT / "data" / "eval" / name):
            claim = labels.proposition
            passages = map_candidates(claim, searcher, 12)
            vectors = searcher.embed([claim, *(p.text for p in passages)])
            for start in range(0, len(passages), GROUP):
                group = passages[start:start + GROUP]
                texts = [p.text for p in group]
                forward = choices(model, claim, texts)
                backward = choices(model, claim, texts[::-1])
                for i, p in enumerate(group):
                    rows.append({
                        "set": name, "claim": claim, "text": p.text,
                        "gold": labels.gold_of(p.doc_id, p.start, p.end),
                        "topic": float(vectors[0] @ vectors[start + i + 1]),
                        "chosen": (forward[i] + backward[len(group) - 1 - i]) / 2,
                        "none": (forward[-1] + backward[-1]) / 2})
            print(f"{name}: {claim}", flush=True)
    path.write_bytes(pickle.dumps(rows))


def auc(positive: list[float], negative: list[float]) -> float:
    pairs = [(a > b) + 0.5 * (a == b) for a in positive for b in negative]
    return sum(pairs) / len(pairs)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/listwise_relevance.pkl")
    if not path.exists():
        collect(path)
    rows = pickle.loads(path.read_bytes())
    signals = {"cosine": lambda r: r["topic"], "P(chosen)": lambda r: r["chosen"],
               "P(chosen) / (P(chosen) + P(none))": lambda r: r["chosen"] / (r["chosen"]
                                                                             + r["none"])}
    for name in SETS:
        mine = [r for r in rows if r["set"] == name]
        labelled = [r for r in mine if r["gold"] in ("pro", "con")]
        off = [r for r in mine if r["gold"] == "off"]
        parts = [f"{signal} {auc([f(r) for r in labelled], [f(r) for r in off]):.2f}"
                 for signal, f in signals.items()]
        kept = [r for r in mine if r["chosen"] >= r["none"]]
        print(f"{name} ({len(labelled)} labelled, {len(off)} off-topic): " + ", ".join(parts)
              + f"; chosen over none: {sum(r['gold'] in ('pro', 'con') for r in kept)} labelled,"
              f" {sum(r['gold'] == 'off' for r in kept)} off-topic, "
              f"{sum(r['gold'] == 'either' for r in kept)} borderline of {len(kept)}")
    mean_none = np.mean([r["none"] for r in rows])
    print(f"mean P(none) {mean_none:.2f}")


if __name__ == "__main__":
    main()
