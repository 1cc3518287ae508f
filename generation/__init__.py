"""Generation stage: model providers behind one setting, and label probabilities from logits."""

from generation.bundled import QWEN_1_5B, PreparedModel, is_ready, prepare
from generation.errors import ModelError
from generation.prompts import load_prompt, render_prompt
from generation.providers import SPEC_HELP, ModelHandle, ModelSpec, load_model, parse_spec

__all__ = [
    "QWEN_1_5B",
    "SPEC_HELP",
    "ModelError",
    "ModelHandle",
    "ModelSpec",
    "PreparedModel",
    "is_ready",
    "load_model",
    "load_prompt",
    "parse_spec",
    "prepare",
    "render_prompt",
]
