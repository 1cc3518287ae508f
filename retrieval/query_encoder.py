"""A numpy MiniLM query encoder, so that a cold `counterpoint search` answers in seconds.

Decision (issue 13, item 5): the CLI's `search` command (dense and hybrid modes) embeds its
query with this encoder instead of sentence-transformers, because a cold shell command must
answer in seconds and importing torch + transformers + sentence-transformers alone costs about
10 s of CPU on the 2-core machine; the query vector matches sentence-transformers' to ~1e-7
(tests/test_query_encoder.py holds it to 1e-5). Passages are still embedded by
sentence-transformers: index building, the app and everything else are unchanged. It applies
only to the bundled all-MiniLM-L6-v2 folder (`query_encoder_for`); any other embedder falls back
to sentence-transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.embeddings import Embedder, bundled_model_path

# erf by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7): the exact (erf) GELU without scipy on
# the cold path and without a Python call per element; query vectors stay within 1.5e-7 of
# sentence-transformers' (measured on 59 queries; the tests hold them to 1e-5).
_ERF = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def _erf(x: np.ndarray) -> np.ndarray:
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = np.zeros_like(x)
    for a in _ERF:
        poly = (poly + a) * t
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(-1, keepdims=True) + eps) * weight + bias


@dataclass(frozen=True)
class QueryEncoder:
    """A BERT sentence encoder for a few short texts: one forward pass per text, no padding."""

    weights: dict[str, np.ndarray]
    config: dict  # the model's config.json
    tokenizer: object  # a tokenizers.Tokenizer truncating at the folder's max_seq_length
    lowercase: bool  # sentence_bert_config.json's do_lower_case
    normalize: bool  # modules.json lists a Normalize module

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, as SentenceTransformer.encode gives it (float32)."""
        from threadpoolctl import threadpool_limits

        # One BLAS thread: on the busy 2-core machine OpenBLAS's two threads spin against other
        # processes, and "drone attacks" took 0.70 s instead of 0.018 s (measured, load 2.7).
        with threadpool_limits(1, user_api="blas"):
            rows = [self._one(t.lower() if self.lowercase else t) for t in texts]
        return np.stack(rows) if rows else np.zeros((0, self.config["hidden_size"]), np.float32)

    def _one(self, text: str) -> np.ndarray:
        w, eps = self.weights, self.config["layer_norm_eps"]
        ids = np.array(self.tokenizer.encode(text).ids)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings."
             "weight"][: len(ids)] + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        for i in range(self.config["num_hidden_layers"]):
            x = self._layer(x, f"encoder.layer.{i}.")
        pooled = x.mean(0)  # mean pooling; one text, so no padding to mask out
        return (pooled / np.linalg.norm(pooled) if self.normalize else pooled).astype(np.float32)

    def _layer(self, x: np.ndarray, prefix: str) -> np.ndarray:
        """One BERT encoder layer: self-attention, then the GELU feed-forward block."""
        w, eps = self.weights, self.config["layer_norm_eps"]
        heads = self.config["num_attention_heads"]

        def linear(x, name):
            return x @ w[f"{prefix}{name}.weight"].T + w[f"{prefix}{name}.bias"]

        def norm(x, name):
            return _layer_norm(x, w[f"{prefix}{name}.LayerNorm.weight"],
                               w[f"{prefix}{name}.LayerNorm.bias"], eps)

        n, size = len(x), x.shape[1] // heads
        q, k, v = (linear(x, f"attention.self.{m}").reshape(n, heads, size).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(size))
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True) @ v).transpose(1, 0, 2).reshape(n, -1)
        x = norm(linear(context, "attention.output.dense") + x, "attention.output")
        h = linear(x, "intermediate.dense")
        gelu = h * 0.5 * (1.0 + _erf(h / np.float32(np.sqrt(2.0))))
        return norm(linear(gelu, "output.dense") + x, "output")


def load_query_encoder(folder: Path) -> QueryEncoder:
    """The encoder for a sentence-transformers folder of Transformer, mean Pooling, Normalize."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    def read(name: str) -> dict | list:
        return json.loads((folder / name).read_text("utf-8"))

    config, listed = read("config.json"), read("modules.json")
    modules = [m["type"].rsplit(".", 1)[-1] for m in listed]
    pooling = next(m["path"] for m in listed if m["type"].endswith(".Pooling"))
    modes = {k for k, on in read(f"{pooling}/config.json").items() if on is True}
    if (modules[:2] != ["Transformer", "Pooling"] or set(modules[2:]) - {"Normalize"}
            or modes != {"pooling_mode_mean_tokens"} or config["hidden_act"] != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"):
        raise ValueError(f"{folder}: not a mean-pooled BERT sentence encoder ({modules}, {modes})")
    sbert = read("sentence_bert_config.json")
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(sbert["max_seq_length"])
    tokenizer.no_padding()
    weights = load_file(folder / "model.safetensors")
    weights = {key.removeprefix("bert."): value for key, value in weights.items()}
    return QueryEncoder(weights, config, tokenizer, sbert.get("do_lower_case", False),
                        "Normalize" in modules)


def query_encoder_for(embedder: Embedder) -> QueryEncoder | None:
    """The numpy encoder when the embedder is the bundled MiniLM folder; None for any other."""
    if embedder.path.resolve() != bundled_model_path().resolve():
        return None
    return load_query_encoder(embedder.path)
