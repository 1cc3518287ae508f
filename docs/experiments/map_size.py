"""Issue 12 experiment: do maps that judge more passages find more of the labelled ones?

For each maps.json proposition, the candidates a map judges with 12, 16, 20 and 24 passages
(`arguments.maps.map_candidates`), each judged once by the shipped stance (relevance by
cosine, direction from the three questions), then scored like `counterpoint eval maps`
(precision over placed passages, borderline not scored; recall over the 38 labelled ones).

    .venv/bin/python docs/experiments/map_size.py [SIGNALS.pkl]

The model's signals are collected once (about 4 minutes on 2 cores) into SIGNALS.pkl
(default /tmp/map_size.pkl) and reused when the file exists. Not adopted (README, "What we
tried"): 24 passages find 17 labelled passages instead of 15, at precision 0.46 instead of
0.65, and twice the time.
"""
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from arguments.maps import map_candidates  # noqa: E402
from arguments.stance import ON_TOPIC, Signals, decide, read_signals  # noqa: E402

SIZES = (12, 16, 20, 24)


def collect(path: Path) -> None:
    from evaluation.maps import load_maps_set
    from interface.settings import Settings, session_of

    session = session_of(Settings())
    searcher, model = session.searcher(), session.model()
    judged, candidates = {}, {}
    for labels in load_maps_set(searcher.documents):
        proposition = labels.proposition
        for size in SIZES:
            passages = map_candidates(proposition, searcher, size)
            candidates[proposition, size] = [p.id for p in passages]
            for p in passages:
                if (proposition, p.id) not in judged:
                    vectors = searcher.embed([proposition, p.text])
                    judged[proposition, p.id] = (
                        p.text, float(vectors[1] @ vectors[0]),
                        tuple(read_signals(proposition, p.text, model)),
                        labels.gold_of(p.doc_id, p.start, p.end))
        print(proposition, len(judged), file=sys.stderr, flush=True)
    expected = sum(labels.expected for labels in load_maps_set(searcher.documents))
    path.write_bytes(pickle.dumps({"judged": judged, "candidates": candidates,
                                   "expected": expected}))


def score(data: dict, size: int) -> tuple[int, int, int, int]:
    correct = placed = found = labelled = 0
    for (proposition, n), ids in data["candidates"].items():
        if n != size:
            continue
        for passage_id in ids:
            text, topic, signals, gold = data["judged"][proposition, passage_id]
            side = ("neutral" if topic < ON_TOPIC
                    else decide(proposition, text, Signals(*signals)).label)
            labelled += gold in ("pro", "con")
            if side != "neutral" and gold != "either":
                placed += 1
                correct += side == gold
            found += gold in ("pro", "con") and side == gold
    return correct, placed, found, labelled


path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/map_size.pkl")
if not path.exists():
    collect(path)
data = pickle.loads(path.read_bytes())
for size in SIZES:
    correct, placed, found, labelled = score(data, size)
    print(f"{size} passages: labelled among them {labelled}/{data['expected']}, precision "
          f"{correct}/{placed} = {correct / placed:.2f}, recall {found}/{data['expected']}")
