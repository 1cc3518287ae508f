"""The local engine as a LangChain chat model, and message conversion shared by providers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_messages
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def as_messages(messages) -> list[BaseMessage]:
    """LangChain messages from messages, (role, text) pairs, role/content dicts or a string."""
    if isinstance(messages, str):
        messages = [("human", messages)]
    return convert_to_messages(messages)


def as_role_dicts(messages) -> list[dict]:
    """Chat-template input: [{"role": system|user|assistant, "content": text}]."""
    rows = []
    for message in as_messages(messages):
        role = _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"unsupported message type {message.type!r}")
        rows.append({"role": role, "content": message.text})
    return rows


class LocalChatModel(BaseChatModel):
    """A chat model backed by a shared LocalEngine (greedy decoding, deterministic)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: Any
    max_tokens: int = 256

    @property
    def _llm_type(self) -> str:
        return "counterpoint-llama-cpp"

    @property
    def _identifying_params(self) -> dict:
        return {"model": self.engine.name, "max_tokens": self.max_tokens}

    def _generate(self, messages: list[BaseMessage], stop: Sequence[str] | None = None,
                  run_manager=None, **kwargs) -> ChatResult:
        text = self.engine.complete(as_role_dicts(messages), self._max(kwargs), stop or ())
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: Sequence[str] | None = None,
                run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        pieces = self.engine.stream(as_role_dicts(messages), self._max(kwargs), stop or ())
        for piece in pieces:
            if run_manager is not None:
                run_manager.on_llm_new_token(piece)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

    def _max(self, kwargs: dict) -> int:
        return int(kwargs.get("max_tokens") or self.max_tokens)
