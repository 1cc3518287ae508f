"""Generation stage: model providers behind one setting, label probabilities from logits, and
the timed steps every pipeline reports as progress."""

from generation.bundled import QWEN_1_5B, PreparedModel, is_ready, prepare
from generation.errors import ModelError
from generation.model import Model
from generation.prompts import load_prompt, render_prompt
from generation.providers import SPEC_HELP, ModelHandle, ModelSpec, load_model, parse_spec
from generation.steps import Progress, Stopwatch, no_progress

__all__ = [
    "QWEN_1_5B",
    "SPEC_HELP",
    "Model",
    "ModelError",
    "ModelHandle",
    "ModelSpec",
    "PreparedModel",
    "Progress",
    "Stopwatch",
    "is_ready",
    "load_model",
    "load_prompt",
    "no_progress",
    "parse_spec",
    "prepare",
    "render_prompt",
]
