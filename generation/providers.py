"""One setting picks the model: local (bundled), local:FILE.gguf, ollama:MODEL, openai:MODEL@URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import Runnable

from generation import bundled, remote
from generation.chat import LocalChatModel, as_messages, as_role_dicts
from generation.errors import ModelError
from generation.local import load_engine

PROVIDERS = ("local", "ollama", "openai")
SPEC_HELP = ("local | local:/path/to/model.gguf | ollama:MODEL[@URL] | "
             "openai:MODEL@BASE_URL")
MAX_TOKENS = 256


@dataclass(frozen=True)
class ModelSpec:
    """A parsed --llm value."""

    provider: str  # local | ollama | openai
    model: str = ""  # ollama/openai model name
    path: Path | None = None  # local: a GGUF file; None means the bundled model
    base_url: str | None = None

    def __str__(self) -> str:
        if self.provider == "local":
            return "local" if self.path is None else f"local:{self.path}"
        url = f"@{self.base_url}" if self.base_url else ""
        return f"{self.provider}:{self.model}{url}"


@dataclass(frozen=True)
class ModelHandle:
    """A loaded model: a LangChain chat model plus label probabilities for closed questions."""

    name: str
    chat: BaseChatModel
    scorer: Callable[[list, Sequence[str]], dict[str, float]]
    spec: ModelSpec
    limiter: Callable[[int], Runnable] | None = None  # chat with a reply-length cap

    def limited(self, max_tokens: int) -> Runnable:
        """The chat model with replies capped at `max_tokens` tokens."""
        return self.chat if self.limiter is None else self.limiter(max_tokens)

    def reply(self, messages, max_tokens: int = MAX_TOKENS) -> str:
        """The text of one (greedy) reply."""
        return self.limited(max_tokens).invoke(as_messages(messages)).text

    def label_probabilities(self, messages, labels: Sequence[str]) -> dict[str, float]:
        """P(label) for the first token of the reply, normalised over `labels`."""
        if len(set(labels)) < 2:
            raise ValueError("give at least two distinct labels")
        return self.scorer(messages, list(labels))


def parse_spec(spec: str | None) -> ModelSpec:
    """Parse an --llm value; ModelError with the accepted forms when it is malformed."""
    text = (spec or "local").strip()
    provider, _, rest = text.partition(":")
    if provider == "local":
        return _local_spec(rest)
    if provider in ("ollama", "openai"):
        model, _, url = rest.partition("@")
        if not model:
            raise ModelError(f"--llm {text!r}: name the model ({SPEC_HELP})")
        if provider == "openai" and not url:
            raise ModelError(f"--llm {text!r}: give the server, openai:MODEL@BASE_URL "
                             "(e.g. openai:qwen@http://127.0.0.1:8080/v1)")
        if url and not url.startswith(("http://", "https://")):
            raise ModelError(f"--llm {text!r}: the base URL must start with http:// or https://")
        return ModelSpec(provider, model=model, base_url=url or None)
    raise ModelError(f"--llm {text!r}: unknown provider {provider!r} ({SPEC_HELP})")


def _local_spec(rest: str) -> ModelSpec:
    if not rest:
        return ModelSpec("local")
    path = Path(rest).expanduser()
    if path.suffix.lower() != ".gguf":
        raise ModelError(f"--llm local:{rest}: give a GGUF file, local:/path/to/model.gguf "
                         "(only one model is bundled; a smaller one is any GGUF you have)")
    return ModelSpec("local", path=path)


def load_model(spec: str | ModelSpec, model_cache: Path, max_tokens: int = MAX_TOKENS,
               timeout: float = remote.READ_TIMEOUT) -> ModelHandle:
    """Load the model a spec names (the local one once per process); `model_cache` is where
    the bundled GGUF is assembled; a server that sends nothing for `timeout` seconds fails
    the call with a ModelError."""
    parsed = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    if parsed.provider == "local":
        return _load_local(parsed, Path(model_cache), max_tokens)
    if timeout <= 0:
        raise ModelError(f"the model timeout must be positive, not {timeout:g} s")
    if parsed.provider == "ollama":
        return _load_ollama(parsed, max_tokens, timeout)
    return _load_openai(parsed, max_tokens, timeout)


def _load_local(spec: ModelSpec, cache_dir: Path, max_tokens: int) -> ModelHandle:
    if spec.path is None:
        path, name = bundled.prepare(cache_dir).path, bundled.QWEN_1_5B.name
    else:
        path, name = spec.path, spec.path.name
    engine = load_engine(path, name)
    chat = LocalChatModel(engine=engine, max_tokens=max_tokens)

    def scorer(messages, labels):
        return engine.label_probabilities(as_role_dicts(messages), labels)

    return ModelHandle(name=name, chat=chat, scorer=scorer, spec=spec,
                       limiter=lambda n: chat.bind(max_tokens=n))


def _load_openai(spec: ModelSpec, max_tokens: int, timeout: float) -> ModelHandle:
    # Local OpenAI-compatible servers ignore the key; the client library insists on one.
    api_key = os.environ.get("OPENAI_API_KEY") or "not-needed"
    remote.check_openai_server(spec.base_url, api_key)
    chat, scorer, plain = remote.openai_models(spec.model, spec.base_url, api_key, max_tokens,
                                               timeout)
    what = f"the OpenAI-compatible server at {spec.base_url}"
    return _remote_handle(spec, chat, remote.RemoteLabeler(scorer, plain),
                          lambda n: chat.bind(max_tokens=n), what, timeout)


def _load_ollama(spec: ModelSpec, max_tokens: int, timeout: float) -> ModelHandle:
    base_url = spec.base_url or remote.OLLAMA_URL
    remote.check_ollama_model(spec.model, base_url)
    chat, scorer, plain = remote.ollama_models(spec.model, base_url, max_tokens, timeout)
    options = {"temperature": 0}
    return _remote_handle(spec, chat, remote.RemoteLabeler(scorer, plain),
                          lambda n: chat.bind(options={**options, "num_predict": n}),
                          f"Ollama at {base_url}", timeout)


def _remote_handle(spec: ModelSpec, chat, labeler: remote.RemoteLabeler,
                   limiter: Callable[[int], Runnable], what: str, timeout: float
                   ) -> ModelHandle:
    """A handle whose every call to the server fails clearly when it stalls or drops."""

    def scorer(messages, labels):
        with remote.network_errors(what, timeout):
            return labeler(as_messages(messages), labels)

    return ModelHandle(name=str(spec), chat=chat, scorer=scorer, spec=spec,
                       limiter=lambda n: remote.Guarded(limiter(n), what, timeout))
