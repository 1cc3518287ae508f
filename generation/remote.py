"""Models behind a server: Ollama or any OpenAI-compatible endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from generation.errors import ModelError
from generation.labels import labels_from_top_logprobs, match_label

OLLAMA_URL = "http://127.0.0.1:11434"
TOP_LOGPROBS = 20
_TIMEOUT = 120.0


@dataclass
class RemoteLabeler:
    """Label probabilities from a one-token reply: top logprobs if the server gives them,
    else the reply itself read as a label with probability 1.0."""

    scorer: object  # a chat model set to reply with one token and its top logprobs
    plain: object  # the same model without logprobs, for servers that refuse them
    logprobs: bool = field(default=True)

    def __call__(self, messages, labels: Sequence[str]) -> dict[str, float]:
        reply = self._reply(messages)
        top = _first_top_logprobs(reply.response_metadata.get("logprobs"))
        found = labels_from_top_logprobs(top, labels) if top else None
        if found is not None:
            return found
        label = match_label(reply.text, labels)
        if label is None:
            return {name: 1 / len(labels) for name in labels}
        return {name: float(name == label) for name in labels}

    def _reply(self, messages):
        if self.logprobs:
            try:
                return self.scorer.invoke(messages)
            except Exception as error:  # the client raises its own types; keep 400-like ones
                if not _is_bad_request(error):
                    raise
                self.logprobs = False
        return self.plain.invoke(messages)


def _is_bad_request(error: Exception) -> bool:
    status = getattr(error, "status_code", None) or getattr(error, "status", None)
    return status in (400, 422, 501)


def _first_top_logprobs(logprobs) -> list[tuple[str, float]]:
    """(token, logprob) pairs for the reply's first token, from OpenAI or Ollama metadata."""
    if isinstance(logprobs, dict):
        logprobs = logprobs.get("content")
    if not logprobs:
        return []
    first = logprobs[0]
    first = first if isinstance(first, dict) else dict(first)
    rows = first.get("top_logprobs") or [first]
    return [(_get(row, "token"), float(_get(row, "logprob"))) for row in rows]


def _get(row, key: str):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def openai_models(model: str, base_url: str, api_key: str, max_tokens: int):
    """(chat, scorer, plain) ChatOpenAI instances for an OpenAI-compatible server."""
    from langchain_openai import ChatOpenAI

    def make(**options):
        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, temperature=0,
                          timeout=_TIMEOUT, max_retries=1, **options)

    return (make(max_tokens=max_tokens),
            make(max_tokens=1, logprobs=True, top_logprobs=TOP_LOGPROBS),
            make(max_tokens=1))


def ollama_models(model: str, base_url: str, max_tokens: int):
    """(chat, scorer, plain) ChatOllama instances."""
    from langchain_ollama import ChatOllama

    def make(**options):
        return ChatOllama(model=model, base_url=base_url, temperature=0, **options)

    return (make(num_predict=max_tokens),
            make(num_predict=1, logprobs=True, top_logprobs=TOP_LOGPROBS),
            make(num_predict=1))


def check_openai_server(base_url: str, api_key: str) -> None:
    """ModelError unless the server answers GET /models."""
    url = base_url.rstrip("/") + "/models"
    _get_json(url, headers={"Authorization": f"Bearer {api_key}"},
              what=f"the OpenAI-compatible server at {base_url}")


def check_ollama_model(model: str, base_url: str) -> None:
    """ModelError unless Ollama answers and has `model` pulled."""
    tags = _get_json(base_url.rstrip("/") + "/api/tags", headers={},
                     what=f"Ollama at {base_url}")
    names = {entry.get("name", "") for entry in tags.get("models", [])}
    if model not in names and f"{model}:latest" not in names:
        raise ModelError(f"Ollama at {base_url} has no model {model!r}; "
                         f"run `ollama pull {model}`")


def _get_json(url: str, headers: dict, what: str) -> dict:
    try:
        response = httpx.get(url, headers=headers, timeout=5.0)
        response.raise_for_status()
        return response.json()
    except httpx.HTTPStatusError as error:
        raise ModelError(f"{what} answered {error.response.status_code} "
                         f"for {url}") from None
    except (httpx.HTTPError, ValueError) as error:
        raise ModelError(f"cannot reach {what} ({type(error).__name__}: {error})") from None
