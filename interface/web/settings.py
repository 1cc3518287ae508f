"""Settings tab: which of the operator's models, number of passages, reader comments in or out.

Only the operator names model endpoints (flags, environment, settings file). The page offers
those models by name, never by URL or path: a browser that could send any spec would make the
server fetch any address, sending the operator's API key along.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import gradio as gr

from interface.web.context import Preferences, TabContext
from interface.web.render import escape, notice
from session import Session

MAX_K = 20
MAX_MAP = 40
PROVIDER_NAMES = {"ollama": "Ollama", "openai": "OpenAI-compatible"}
BUNDLED_NAME = "Bundled Qwen2.5-Coder-1.5B (offline)"


def model_name(spec: str) -> str:
    """What users see for a model spec: its provider and model, never a URL or a file path."""
    provider, _, rest = spec.partition(":")
    model = rest.partition("@")[0]
    if provider == "local":
        return f"Local {Path(model).name}" if model else BUNDLED_NAME
    if provider in PROVIDER_NAMES:
        return f"{PROVIDER_NAMES[provider]} {model}"
    return spec.partition("@")[0]


def offered_models(specs) -> dict[str, str]:
    """Name -> spec for the operator's models, in order; equal names are numbered apart."""
    offered: dict[str, str] = {}
    for spec in dict.fromkeys(specs):
        name, number = model_name(spec), 1
        while name in offered:
            number += 1
            name = f"{model_name(spec)} ({number})"
        offered[name] = spec
    return offered


def chosen_spec(offered: dict[str, str], choice: str) -> str:
    """The spec of an offered model, by name; anything else is refused, whatever it names."""
    choice = (choice or "").strip()
    if choice in offered:
        return offered[choice]
    if choice in offered.values():  # the operator's own spec, sent through the API
        return choice
    raise ValueError(f"{choice!r} is not one of this server's models ("
                     f"{', '.join(offered)}); only the operator can add models")


def apply_settings(current: Preferences, offered: dict[str, str], choice: str, k,
                   include_comments: bool, map_passages=None) -> tuple[Preferences, str]:
    """New session preferences and a one-line message (the old ones stay on bad input)."""
    map_passages = current.map_passages if map_passages is None else map_passages
    try:
        spec = chosen_spec(offered, choice)
        k, map_passages = _count(k, "passages", MAX_K), _count(map_passages, "map passages",
                                                                MAX_MAP)
    except (TypeError, ValueError) as error:
        return current, f"Settings not changed: {error}"
    chosen = replace(current, llm=spec, k=k, include_comments=bool(include_comments),
                     map_passages=map_passages)
    comments = "included" if chosen.include_comments else "excluded"
    return chosen, (f"Using {name_of(offered, spec)}, {k} passages per question, "
                    f"{map_passages} per map, reader comments {comments}.")


def name_of(offered: dict[str, str], spec: str) -> str:
    return next((name for name, known in offered.items() if known == spec), model_name(spec))


def _count(value, name: str, most: int) -> int:
    number = int(value)
    if not 1 <= number <= most:
        raise ValueError(f"the number of {name} must be between 1 and {most}")
    return number


def status_html(session: Session, preferences: Preferences, offered: dict[str, str]) -> str:
    """The model in use and the corpus, by name: no endpoint URL or server path is shown."""
    loaded = "loaded" if session.has_model(preferences.llm) else "loads on first use"
    index = "a Chroma server" if session.index.chroma_url else "a local index"
    return (f'<p class="cp-meta">Model <b>{escape(name_of(offered, preferences.llm))}</b> '
            f"({loaded}); corpus {escape(Path(session.corpus_dir).name)} in {index}.</p>")


def build_tab(context: TabContext) -> None:
    """The Settings tab's components and events (inside a gr.Tab)."""
    session, preferences, offered = context.session, context.preferences, context.models
    model_box = gr.Dropdown(list(offered), value=name_of(offered, context.defaults.llm),
                            label="Model (the server's operator chooses which are offered)",
                            elem_id="settings-model")
    k_box = gr.Slider(1, MAX_K, value=context.defaults.k, step=1,
                      label="Passages retrieved per question", elem_id="settings-k")
    map_box = gr.Slider(4, MAX_MAP, value=Preferences().map_passages, step=1,
                        label="Passages judged per map (more: fuller maps, slower)",
                        elem_id="settings-map")
    comments_box = gr.Checkbox(value=context.defaults.include_comments,
                               label="Include reader comments (always labelled as comments)",
                               elem_id="settings-comments")
    save = gr.Button("Apply", variant="primary", elem_id="settings-apply")
    message = gr.HTML(elem_id="settings-status")

    def on_apply(current, *values):
        chosen, text = apply_settings(current, offered, *values)
        level = "ok" if chosen is not current else "error"
        return chosen, notice(text, level) + status_html(session, chosen, offered)

    save.click(on_apply, [preferences, model_box, k_box, comments_box, map_box],
               [preferences, message], api_visibility="private")
    context.on_page_load(lambda: status_html(session, context.defaults, offered), [message])
