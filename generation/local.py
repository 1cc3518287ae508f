"""A GGUF model run in-process with llama.cpp: one instance per file, every call serialised."""

from __future__ import annotations

import atexit
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from generation.errors import ModelError
from generation.labels import label_distribution

N_CTX = 4096
N_THREADS = 2
LABEL_MEMORY = 4096  # label questions remembered (a few MB of token ids)
_LOADED: dict[Path, LocalEngine] = {}
_LOADING = threading.Lock()


class LocalEngine:
    """A llama.cpp model with its chat template; llama.cpp is not thread-safe, so one lock."""

    def __init__(self, llama, name: str):
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.name = name
        self._llama = llama
        self._lock = threading.Lock()
        self._answered: OrderedDict[tuple, dict[str, float]] = OrderedDict()
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError(f"{name}: the GGUF has no chat template; use an instruct model")
        # The one place the chat template is applied: generation and label scoring share it.
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=_token_text(llama, llama.token_eos()),
            bos_token=_token_text(llama, llama.token_bos()),
        )

    def prompt_tokens(self, messages: Sequence[dict]) -> list[int]:
        """The token ids of a chat, ready for the assistant's reply."""
        prompt = self._formatter(messages=list(messages)).prompt
        tokens = self._llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        if len(tokens) >= N_CTX:
            raise ModelError(f"the prompt has {len(tokens)} tokens; the context holds {N_CTX}")
        return tokens

    def stream(self, messages: Sequence[dict], max_tokens: int = 256,
               stop: Sequence[str] = ()) -> Iterator[str]:
        """Greedy completion of a chat, piece by piece (the lock is held until it ends)."""
        tokens = self.prompt_tokens(messages)
        max_tokens = min(max_tokens, N_CTX - len(tokens))
        with self._lock:
            chunks = self._llama.create_completion(
                tokens, max_tokens=max_tokens, temperature=0.0, stop=list(stop) or None,
                stream=True,
            )
            for chunk in chunks:
                yield chunk["choices"][0]["text"]

    def complete(self, messages: Sequence[dict], max_tokens: int = 256,
                 stop: Sequence[str] = ()) -> str:
        return "".join(self.stream(messages, max_tokens, stop))

    def label_probabilities(self, messages: Sequence[dict],
                            labels: Sequence[str]) -> dict[str, float]:
        """P(label) from the logits of the reply's first token, normalised over `labels`.

        Greedy scoring is deterministic, so a question asked again (a map's passages judged
        again for the positions on the same proposition, a map rebuilt) is answered from
        memory: the last LABEL_MEMORY distinct questions are kept.
        """
        tokens = self.prompt_tokens(messages)
        key = (tuple(tokens), tuple(labels))
        with self._lock:
            if key in self._answered:
                self._answered.move_to_end(key)
                return dict(self._answered[key])
            logits = self._next_token_logits(tokens)
            variants = {label: self._first_tokens(label) for label in labels}
            answer = label_distribution(_log_softmax(logits), variants)
            self._answered[key] = answer
            if len(self._answered) > LABEL_MEMORY:
                self._answered.popitem(last=False)
        return dict(answer)

    def forget(self) -> None:
        """Drop the remembered label answers (a benchmark measures the work, not memory)."""
        with self._lock:
            self._answered.clear()

    def measure_speed(self, prompt_tokens: int = 512, generated_tokens: int = 64
                      ) -> dict[str, float]:
        """Raw llama.cpp speed: prompt evaluation and generation tokens per second."""
        text = " ".join(f"word{n % 97}" for n in range(prompt_tokens))
        tokens = self._llama.tokenize(text.encode("utf-8"), add_bos=True)[:prompt_tokens]
        with self._lock:
            self._llama.reset()
            start = time.perf_counter()
            self._llama.eval(tokens)
            evaluated = time.perf_counter()
            produced = 0
            # The prompt is cached, so generate() starts sampling at once.
            for _token in self._llama.generate(tokens, temp=0.0):
                produced += 1
                if produced >= generated_tokens:
                    break
            generated = time.perf_counter()
            self._llama.reset()
        return {"prompt_tokens": len(tokens),
                "prompt_tokens_per_s": len(tokens) / (evaluated - start),
                "generated_tokens": produced,
                "generation_tokens_per_s": produced / (generated - evaluated)}

    def _first_tokens(self, label: str) -> set[int]:
        """First token ids of the ways a reply can start with `label`."""
        forms = {label, label.lower(), label.capitalize(), " " + label}
        firsts = {self._llama.tokenize(f.encode("utf-8"), add_bos=False, special=False)[0]
                  for f in forms}
        # A bare space token (digits are split off it) says nothing about the label.
        return {t for t in firsts if _token_text(self._llama, t).strip()}

    def _next_token_logits(self, tokens: list[int]) -> np.ndarray:
        """Logits after `tokens`, reusing the KV cache of the longest shared prefix."""
        import llama_cpp

        llama = self._llama
        shared = 0
        for cached, new in zip(llama.input_ids[: llama.n_tokens], tokens, strict=False):
            if cached != new:
                break
            shared += 1
        llama.n_tokens = min(shared, len(tokens) - 1)  # always evaluate at least one token
        llama.eval(tokens[llama.n_tokens :])
        pointer = llama_cpp.llama_get_logits_ith(llama.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(llama.n_vocab(),)).copy()


def _token_text(llama, token: int) -> str:
    if token < 0:
        return ""
    return llama.detokenize([token], special=True).decode("utf-8", errors="ignore")


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


def load_engine(path: Path, name: str, n_ctx: int = N_CTX, n_threads: int | None = None
                ) -> LocalEngine:
    """The engine for a GGUF file, loaded on first use and shared by the whole process."""
    path = Path(path).resolve()
    n_threads = N_THREADS if n_threads is None else n_threads
    with _LOADING:
        if path not in _LOADED:
            _LOADED[path] = LocalEngine(_load_llama(path, n_ctx, n_threads), name)
        return _LOADED[path]


def close_loaded() -> None:
    """Free every loaded model (run at exit, while the interpreter is still whole).

    Left to garbage collection at exit, llama-cpp-python's `Llama.__del__` finds its C
    functions already torn down and prints a TypeError traceback (seen after every test run).
    A model still generating in a daemon thread is left alone rather than freed under it.
    """
    with _LOADING:
        engines = list(_LOADED.values())
        _LOADED.clear()
    for engine in engines:
        if engine._lock.acquire(timeout=5):
            engine._llama.close()


atexit.register(close_loaded)


def run_check(path: Path) -> int:
    """Evaluate a prompt of a few hundred tokens with a fresh engine; the tokens evaluated.

    A llama.cpp build that uses an instruction this CPU cannot run (AMX listed by a virtual
    machine's CPUID but not enabled) loads and generates single tokens fine, and kills the
    process with SIGILL on its first batched prompt: `setup.sh` runs this to find out.
    """
    llama = _load_llama(Path(path), 1024, N_THREADS)
    try:
        tokens = llama.tokenize(("The quick brown fox jumps over the lazy dog. " * 30).encode())
        llama.eval(tokens)
        return len(tokens)
    finally:
        llama.close()


def _load_llama(path: Path, n_ctx: int, n_threads: int):
    from llama_cpp import Llama

    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ModelError(f"{path}: not a GGUF model file")
    try:
        return Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads,
                     n_threads_batch=n_threads, verbose=False)
    except (ValueError, RuntimeError) as error:
        raise ModelError(f"{path}: llama.cpp cannot load it ({error})") from None
