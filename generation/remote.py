"""Models behind a server: Ollama or any OpenAI-compatible endpoint."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from langchain_core.runnables import Runnable

from generation.errors import ModelError
from generation.labels import labels_from_top_logprobs, match_label

OLLAMA_URL = "http://127.0.0.1:11434"
TOP_LOGPROBS = 20
# A server that takes longer than this to send the next bytes of a reply is stuck or
# overloaded: the call fails with a ModelError instead of holding the model queue.
READ_TIMEOUT = 120.0
CONNECT_TIMEOUT = 5.0
PROBE_TIMEOUT = 5.0  # the check at load time: listing the models is quick on a live server


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


def openai_models(model: str, base_url: str, api_key: str, max_tokens: int,
                  timeout: float = READ_TIMEOUT):
    """(chat, scorer, plain) ChatOpenAI instances for an OpenAI-compatible server."""
    from langchain_openai import ChatOpenAI
    from openai import Timeout

    limit = Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))

    def make(**options):
        # No retries: a retried stall doubles the wait; the user can ask again.
        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, temperature=0,
                          timeout=limit, max_retries=0, **options)

    return (make(max_tokens=max_tokens),
            make(max_tokens=1, logprobs=True, top_logprobs=TOP_LOGPROBS),
            make(max_tokens=1))


def ollama_models(model: str, base_url: str, max_tokens: int, timeout: float = READ_TIMEOUT):
    """(chat, scorer, plain) ChatOllama instances."""
    from langchain_ollama import ChatOllama

    limit = {"timeout": httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))}

    def make(**options):
        return ChatOllama(model=model, base_url=base_url, temperature=0, client_kwargs=limit,
                          **options)

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
        response = httpx.get(url, headers=headers, timeout=PROBE_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except httpx.HTTPStatusError as error:
        raise ModelError(f"{what} answered {error.response.status_code} "
                         f"for {url}") from None
    except httpx.TimeoutException:
        raise ModelError(f"{what} did not answer GET {url} within {PROBE_TIMEOUT:g} s; "
                         "is it stuck or overloaded?") from None
    except (httpx.HTTPError, ValueError) as error:
        raise ModelError(f"cannot reach {what} ({type(error).__name__}: {error})") from None


class Guarded(Runnable):
    """A remote chat model whose stalls and dropped connections are one ModelError that
    names the server and the timeout, instead of a client library's traceback."""

    def __init__(self, inner: Runnable, what: str, timeout: float) -> None:
        self.inner, self.what, self.timeout = inner, what, timeout

    def invoke(self, input, config=None, **kwargs):
        with network_errors(self.what, self.timeout):
            return self.inner.invoke(input, config, **kwargs)

    def stream(self, input, config=None, **kwargs) -> Iterator:
        with network_errors(self.what, self.timeout):
            yield from self.inner.stream(input, config, **kwargs)


@contextmanager
def network_errors(what: str, timeout: float) -> Iterator[None]:
    """Turn a client library's timeout or connection error into a clear ModelError."""
    try:
        yield
    except Exception as error:
        kind = _network_failure(error)
        if kind is None:
            raise
        raise ModelError(_failure_message(kind, what, timeout)) from None


def _failure_message(kind: str, what: str, timeout: float) -> str:
    if kind == "connect timeout":
        return (f"{what} did not accept a connection within "
                f"{min(CONNECT_TIMEOUT, timeout):g} s (connect timeout)")
    if kind == "read timeout":
        return (f"{what} did not answer within {timeout:g} s (read timeout); "
                "it is stuck or overloaded, try again later or use another model")
    return f"cannot reach {what}: the connection was refused or dropped"


# Matched by class name along the exception chain: openai wraps httpx2's errors, ollama
# lets httpx's through, and neither is imported unless its provider is used.
_CONNECT_TIMEOUTS = {"ConnectTimeout"}
_TIMEOUTS = {"TimeoutException", "APITimeoutError", "TimeoutError"}
_UNREACHABLE = {"ConnectError", "APIConnectionError", "ConnectionError", "NetworkError",
                "RemoteProtocolError"}


def _network_failure(error: BaseException) -> str | None:
    """"connect timeout", "read timeout", "unreachable", or None for any other error."""
    chain, seen = [], error
    while seen is not None and len(chain) < 8:
        chain.append({kind.__name__ for kind in type(seen).__mro__})
        seen = seen.__cause__ or seen.__context__
    for names in chain:
        if names & _CONNECT_TIMEOUTS:
            return "connect timeout"
    for check, kind in ((_TIMEOUTS, "read timeout"), (_UNREACHABLE, "unreachable")):
        if any(names & check for names in chain):
            return kind
    return None
