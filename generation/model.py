"""`Model`: what the answer and argument stages need of a loaded model, whatever its provider."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable


class Model(Protocol):
    """A chat model that also reads label probabilities (ModelHandle is the one we load)."""

    name: str

    def label_probabilities(self, messages, labels: Sequence[str]) -> dict[str, float]:
        """P(label) for the first token of the reply, normalised over `labels`."""
        ...

    def reply(self, messages, max_tokens: int = ...) -> str:
        """The text of one greedy reply."""
        ...

    def limited(self, max_tokens: int) -> Runnable:
        """The chat model with replies capped at `max_tokens` tokens (it can `.stream`)."""
        ...
