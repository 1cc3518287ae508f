"""Issue 12 experiment: likelihood scoring for stance (not adopted; README, "What we tried").

How much likelier the model finds the proposition than its rule-made denial as a continuation
of "The author believes that", after the passage, minus the same without the passage. Scored
alone and added to the shipped direction, in-sample and cross-validated (stance: constants
chosen on random halves of the 41 dev pairs; maps: leave one proposition out), on the dev
stance pairs and the candidates real maps judge for the five maps.json propositions.

    .venv/bin/python docs/experiments/likelihood_stance.py [SIGNALS.pkl]

The model's signals are collected once (about 7 minutes on 2 cores) into SIGNALS.pkl
(default /tmp/likelihood_stance.pkl) and reused when the file exists.
"""
import itertools
import pickle
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from arguments.negation import denies_subject, is_denial, negate  # noqa: E402
from arguments.stance import MARGIN, ON_TOPIC, TRUTH_WEIGHT  # noqa: E402

NO_PASSAGE = "(no passage)"


def collect(path: Path) -> None:
    from evaluation.dataset import load_eval_set
    from evaluation.maps import load_maps_set, map_judgments
    from evaluation.stance import stance_judgments
    from generation.local import _LOADED, _log_softmax
    from interface.settings import Settings, session_of

    session = session_of(Settings())
    searcher, model = session.searcher(), session.model()
    model.label_probabilities([("human", "Say Yes.")], ["Yes", "No"])  # loads the engine
    engine = next(iter(_LOADED.values()))
    llama = engine._llama

    def prefix(passage: str) -> list[int]:
        messages = [{"role": "user", "content": f"Passage: {' '.join(passage.split())[:2000]}"
                     "\n\nIn one sentence, what does the author of this passage believe?"}]
        return engine.prompt_tokens(messages) + llama.tokenize(
            b"The author believes that", add_bos=False, special=False)

    def loglik(passage: str, statement: str) -> float:
        head = prefix(passage)
        statement = statement[0].lower() + statement[1:]
        continuation = llama.tokenize((" " + statement).encode(), add_bos=False, special=False)
        total = 0.0
        with engine._lock:
            for i, token in enumerate(continuation):
                logits = engine._next_token_logits(head + continuation[:i])
                total += float(_log_softmax(logits)[token])
        return total

    prior: dict[str, float] = {}

    def score(claim: str, passage: str) -> float:
        denial = negate(claim)
        if claim not in prior:
            prior[claim] = loglik(NO_PASSAGE, claim) - loglik(NO_PASSAGE, denial)
        return loglik(passage, claim) - loglik(passage, denial) - prior[claim]

    started = time.time()
    stance = stance_judgments(load_eval_set()["stance"], searcher.documents, model,
                              searcher.embed)
    propositions = load_maps_set(searcher.documents)
    maps = [j for labels in propositions for j in map_judgments(labels, searcher, model)]
    signals = {"stance": stance, "stance_lik": [score(j.claim, j.text) for j in stance],
               "maps": maps, "maps_lik": [score(j.claim, j.text) for j in maps],
               "expected": {p.proposition: p.expected for p in propositions}}
    path.write_bytes(pickle.dumps(signals))
    print(f"signals collected in {time.time() - started:.0f} s", file=sys.stderr)



path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/likelihood_stance.pkl")
if not path.exists():
    collect(path)
d = pickle.loads(path.read_bytes())
stance = list(zip(d["stance"], d["stance_lik"], strict=True))
maps = list(zip(d["maps"], d["maps_lik"], strict=True))
expected = d["expected"]

# (on_topic, truth_weight, margin, lik_weight, lik_only)
GRID = list(itertools.product((0.3, 0.35, 0.4, 0.45), (0.0, 0.5, 1.0),
                              (0.0, 0.2, 0.4, 0.7, 1.0, 1.5), (0.0, 0.1, 0.25, 0.5, 1.0)))
SHIPPED = (ON_TOPIC, TRUTH_WEIGHT, MARGIN, 0.0)


def label(pair, c):
    j, lik = pair
    on_topic, tw, margin, w = c
    if j.topic < on_topic:
        return "neutral"
    direction = j.signals.direction(tw) + w * lik
    side = "pro" if direction >= 0 else "con"
    if abs(direction) < margin:
        if denies_subject(j.claim, j.text):
            return "pro" if is_denial(j.claim) else "con"
        return "neutral"
    return side


def lik_only(pair, c):
    j, lik = pair
    on_topic, _, margin, _ = c
    if j.topic < on_topic:
        return "neutral"
    if abs(lik) < margin:
        return "neutral"
    return "pro" if lik > 0 else "con"


def acc(pairs, c, f=label):
    return sum(f(p, c) == p[0].gold for p in pairs) / len(pairs)


def counts(pairs, c, f=label):
    correct = scored = found = 0
    for p in pairs:
        side = f(p, c)
        if side != "neutral" and p[0].gold != "either":
            scored += 1
            correct += side == p[0].gold
        if p[0].gold in ("pro", "con"):
            found += side == p[0].gold
    return correct, scored, found


def f1(pairs, c, groups, f=label):
    correct, scored, found = counts(pairs, c, f)
    exp = sum(expected[g] for g in groups)
    p = correct / scored if scored else 0
    r = found / exp
    return 2 * p * r / (p + r) if p + r else 0


def report(name, c, f=label):
    correct, scored, found = counts(maps, c, f)
    print(f"{name}: stance {acc(stance, c, f):.3f}  map P {correct}/{scored} "
          f"R {found}/{sum(expected.values())}  constants {c}")


def cv(f=label, grid=GRID):
    # stance: 10 random halvings both ways
    rng = random.Random(0)
    scores = []
    for _ in range(10):
        idx = list(range(len(stance)))
        rng.shuffle(idx)
        a, b = [stance[i] for i in idx[:20]], [stance[i] for i in idx[20:]]
        for tune, test in ((a, b), (b, a)):
            c = max(grid, key=lambda c: acc(tune, c, f))
            scores.append(acc(test, c, f))
    # maps: leave one proposition out, objective = map F1 on the others
    groups = sorted({p[0].group for p in maps})
    tot = [0, 0, 0]
    for g in groups:
        tune = [p for p in maps if p[0].group != g]
        test = [p for p in maps if p[0].group == g]
        c = max(grid, key=lambda c: f1(tune, c, [x for x in groups if x != g], f))
        tot = [x + y for x, y in zip(tot, counts(test, c, f), strict=True)]
    print(f"   cross-validated: stance {sum(scores) / len(scores):.3f}  map P {tot[0]}/{tot[1]} "
          f"R {tot[2]}/{sum(expected.values())}")


groups = sorted({p[0].group for p in maps})
report("shipped", SHIPPED)
cv(label, [c for c in GRID if c[3] == 0.0])
best_comb = max(GRID, key=lambda c: f1(maps, c, groups) + acc(stance, c))
report("combined, best in-sample (map F1 + stance acc)", best_comb)
cv(label, GRID)
lik_grid = [c for c in GRID if c[1] == 0.0 and c[3] == 0.0]
lik_grid = [(o, 0.0, m, 0.0) for o, m in itertools.product((0.3, 0.35, 0.4, 0.45),
                                                           (0.0, 0.5, 1.0, 2.0, 3.0, 4.0))]
best_lik = max(lik_grid, key=lambda c: f1(maps, c, groups, lik_only) + acc(stance, c, lik_only))
report("likelihood alone, best in-sample", best_lik, lik_only)
cv(lik_only, lik_grid)
# sign agreement on the pro/con stance pairs
signed = [(p, p[0].gold) for p in stance if p[0].gold in ("pro", "con")]
print("pro/con stance pairs, sign right: direction",
      sum((p[0].signals.direction() > 0) == (g == "pro") for p, g in signed),
      "likelihood", sum((p[1] > 0) == (g == "pro") for p, g in signed), "of", len(signed))
signed = [p for p in maps if p[0].gold in ("pro", "con") and p[0].topic >= ON_TOPIC]
print("on-topic map pro/con, sign right: direction",
      sum((p[0].signals.direction() > 0) == (p[0].gold == "pro") for p in signed),
      "likelihood", sum((p[1] > 0) == (p[0].gold == "pro") for p in signed), "of", len(signed))
print("lik magnitude median", sorted(abs(x) for x in d["stance_lik"])[len(d["stance_lik"]) // 2],
      "direction median", sorted(abs(p[0].signals.direction()) for p in stance)[len(stance) // 2])
