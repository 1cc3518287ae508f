"""Issue 12 experiment: a second phrasing of the proposition, agreeing or abstaining (not
adopted).

The bundled model rewrites each claim in other words (greedy, one sentence); the shipped
three questions are read for the claim and for the rewrite, on the 41 dev stance pairs (with
the passage around each quote as context, like `counterpoint eval stance`) and on the 12
candidates a real map judges for each maps.json proposition. Then four ways of combining them
are scored against the shipped decision (same cosine gate, same margin):

    .venv/bin/python docs/experiments/phrasings.py [SIGNALS.pkl]

The signals are collected once (about 6 minutes on 2 cores) into SIGNALS.pkl (default
/tmp/phrasings.pkl). README, "What we tried": shipped 0.76 dev stance, map precision 15/23,
recall 15/38; the rewrite alone 0.61, 13/24, 13/38; the mean direction 0.73, 14/25, 14/38;
both must agree 0.63, 13/20, 13/38; the rewrite may only veto 0.71, 13/21, 13/38.
"""
import json
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from arguments.stance import MARGIN, ON_TOPIC, Signals, decide  # noqa: E402
from evaluation.tuning import side_counts  # noqa: E402

REWRITE = ("Rewrite the statement in other words, keeping its meaning exactly (same claim, "
           "same direction). Reply with the rewritten sentence only.\n\nStatement: {claim}")


def collect(path: Path) -> None:
    from arguments.maps import map_candidates
    from arguments.stance import read_signals
    from documents import split_passages
    from evaluation.dataset import gold_span
    from evaluation.maps import load_maps_set
    from interface.settings import Settings, session_of

    session = session_of(Settings())
    searcher, model = session.searcher(), session.model()
    documents, rewrites, rows = searcher.documents, {}, []

    def rewrite(claim: str) -> str:
        if claim not in rewrites:
            reply = model.reply([("human", REWRITE.format(claim=claim))], max_tokens=48)
            rewrites[claim] = reply.strip().split("\n")[0]
        return rewrites[claim]

    def row(kind, claim, text, gold, context=None):
        vectors = searcher.embed([claim, text])
        return {"set": kind, "claim": claim, "text": text, "gold": gold,
                "topic": float(vectors[0] @ vectors[1]),
                "base": tuple(read_signals(claim, text, model, context)),
                "alt": tuple(read_signals(rewrite(claim), text, model, context))}

    dev = json.loads((ROOT / "data" / "eval" / "dev.json").read_text("utf-8"))["stance"]
    for item in dev:
        doc_id, start, end = gold_span(documents, item["doc"], item["quote"])
        context = next((p.text for p in split_passages(documents[doc_id])
                        if p.start <= start and end <= p.end), None)
        rows.append(row("dev", item["claim"], documents[doc_id].text[start:end], item["label"],
                        context))
    for labels in load_maps_set(documents):
        for p in map_candidates(labels.proposition, searcher, 12):
            rows.append(row("map", labels.proposition, p.text,
                            labels.gold_of(p.doc_id, p.start, p.end)))
    path.write_bytes(pickle.dumps({"rows": rows, "rewrites": rewrites}))


def label(row: dict, method: str) -> str:
    if row["topic"] < ON_TOPIC:
        return "neutral"
    base, alt = Signals(*row["base"]), Signals(*row["alt"])
    shipped = decide(row["claim"], row["text"], base).label
    other = decide(row["claim"], row["text"], alt).label
    if method == "shipped":
        return shipped
    if method == "rewrite alone":
        return other
    if method == "mean direction":
        direction = (base.direction() + alt.direction()) / 2
        return "neutral" if abs(direction) < MARGIN else ("pro" if direction >= 0 else "con")
    if method == "both must agree":
        return shipped if shipped == other else "neutral"
    if method == "rewrite may veto":  # the rewrite's direction must not point the other way
        return shipped if shipped == "neutral" or (alt.direction() >= 0) == (shipped == "pro") \
            else "neutral"
    raise ValueError(method)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/phrasings.pkl")
    if not path.exists():
        collect(path)
    data = pickle.loads(path.read_bytes())
    for claim, rewritten in data["rewrites"].items():
        print(f"{claim} -> {rewritten}")
    dev = [r for r in data["rows"] if r["set"] == "dev"]
    maps = [r for r in data["rows"] if r["set"] == "map"]
    for method in ("shipped", "rewrite alone", "mean direction", "both must agree",
                   "rewrite may veto"):
        accuracy = sum(label(r, method) == r["gold"] for r in dev) / len(dev)
        correct, scored, found, expected = side_counts((label(r, method), r["gold"])
                                                       for r in maps)
        print(f"{method}: dev stance {accuracy:.2f}, map precision {correct}/{scored}, "
              f"recall {found}/38 ({expected} labelled passages among the candidates)")


if __name__ == "__main__":
    main()
