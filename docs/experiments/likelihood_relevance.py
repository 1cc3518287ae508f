"""Issue 12 experiment: the model's likelihood as a relevance signal (not adopted).

Relevance = how much likelier a passage makes the proposition and its rule-made denial, as a
continuation of "The author believes that", than no passage does (mean gain per token of the
two). Scored against the cosine that ships, by ROC AUC of labelled pro/con passages against
off-topic ones, on the candidates of 12- and 16-passage maps of the five maps.json
propositions. Needs the signals of docs/experiments/map_size.py:

    .venv/bin/python docs/experiments/map_size.py        # writes /tmp/map_size.pkl
    .venv/bin/python docs/experiments/likelihood_relevance.py [/tmp/map_size.pkl]

About 2 minutes of model time on 2 cores. README, "What we tried": AUC 0.62 against the
cosine's 0.76 on the same 44 passages, so the cosine stays.
"""
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from arguments.negation import negate  # noqa: E402

NO_PASSAGE = "(no passage)"


def likelihoods(data: dict) -> dict:
    from generation.local import _LOADED, _log_softmax
    from interface.settings import Settings, session_of

    model = session_of(Settings()).model()
    model.label_probabilities([("human", "Say Yes.")], ["Yes", "No"])  # loads the engine
    engine = next(iter(_LOADED.values()))
    llama = engine._llama

    def per_token(passage: str, statement: str) -> float:
        messages = [{"role": "user", "content": f"Passage: {' '.join(passage.split())[:2000]}"
                     "\n\nIn one sentence, what does the author of this passage believe?"}]
        head = engine.prompt_tokens(messages) + llama.tokenize(
            b"The author believes that", add_bos=False, special=False)
        statement = statement[0].lower() + statement[1:]
        tokens = llama.tokenize((" " + statement).encode(), add_bos=False, special=False)
        with engine._lock:
            total = sum(float(_log_softmax(engine._next_token_logits(head + tokens[:i]))[t])
                        for i, t in enumerate(tokens))
        return total / len(tokens)

    gains, prior = {}, {}
    for (proposition, passage_id), (text, *_rest) in data["judged"].items():
        if not any(passage_id in data["candidates"][proposition, n] for n in (12, 16)):
            continue
        if proposition not in prior:
            prior[proposition] = [per_token(NO_PASSAGE, s) for s in (proposition,
                                                                   negate(proposition))]
        with_passage = [per_token(text, s) for s in (proposition, negate(proposition))]
        gains[proposition, passage_id] = sum(
            w - wo for w, wo in zip(with_passage, prior[proposition], strict=True)) / 2
    return gains


def auc(positive: list[float], negative: list[float]) -> float:
    pairs = [(a > b) + 0.5 * (a == b) for a in positive for b in negative]
    return sum(pairs) / len(pairs)


data = pickle.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/map_size.pkl").read_bytes())
gains = likelihoods(data)
rows = [(data["judged"][key][3], data["judged"][key][1], gain) for key, gain in gains.items()]
for name, column in (("cosine", 1), ("likelihood gain", 2)):
    on = [row[column] for row in rows if row[0] in ("pro", "con")]
    off = [row[column] for row in rows if row[0] == "off"]
    print(f"{name}: ROC AUC {auc(on, off):.3f} ({len(on)} pro/con against {len(off)} off-topic)")
