"""Settings tab: model provider, number of passages, reader comments in or out."""

from __future__ import annotations

from dataclasses import replace

import gradio as gr

from interface.web.context import Preferences, TabContext
from interface.web.render import escape, notice
from session import Session

PROVIDERS = [("Local: bundled Qwen2.5-Coder-1.5B (offline)", "local"),
             ("Ollama", "ollama"),
             ("OpenAI-compatible server", "openai")]
MAX_K = 20
MAX_MAP = 40


def spec_of(provider: str, model: str = "", base_url: str = "") -> str:
    """The provider spec the generation stage understands; ValueError says what is missing."""
    model, base_url = (model or "").strip(), (base_url or "").strip()
    if provider == "local":
        return "local"
    if provider == "ollama":
        if not model:
            raise ValueError("Ollama needs a model name, e.g. qwen2.5:7b-instruct")
        return f"ollama:{model}"
    if provider == "openai":
        if not model or not base_url:
            raise ValueError("an OpenAI-compatible server needs a model name and a base URL, "
                             "e.g. http://127.0.0.1:8080/v1")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the base URL must start with http:// or https://, not {base_url!r}")
        return f"openai:{model}@{base_url}"
    raise ValueError(f"unknown provider {provider!r}")


def fields_of(spec: str) -> tuple[str, str, str]:
    """(provider, model, base_url) shown in the form for a spec."""
    provider, _, rest = spec.partition(":")
    if provider == "openai":
        model, _, url = rest.partition("@")
        return "openai", model, url
    if provider == "ollama":
        return "ollama", rest, ""
    return "local", "", ""


def apply_settings(current: Preferences, provider: str, model: str, base_url: str, k,
                   include_comments: bool, map_passages=None) -> tuple[Preferences, str]:
    """New session preferences and a one-line message (the old ones stay on bad input)."""
    map_passages = current.map_passages if map_passages is None else map_passages
    try:
        spec = spec_of(provider, model, base_url)
        k, map_passages = _count(k, "passages", MAX_K), _count(map_passages, "map passages",
                                                                MAX_MAP)
    except (TypeError, ValueError) as error:
        return current, f"Settings not changed: {error}"
    chosen = replace(current, llm=spec, k=k, include_comments=bool(include_comments),
                     map_passages=map_passages)
    comments = "included" if chosen.include_comments else "excluded"
    return chosen, (f"Using {spec}, {k} passages per question, {map_passages} per map, "
                    f"reader comments {comments}.")


def _count(value, name: str, most: int) -> int:
    number = int(value)
    if not 1 <= number <= most:
        raise ValueError(f"the number of {name} must be between 1 and {most}")
    return number


def status_html(session: Session, preferences: Preferences) -> str:
    loaded = "loaded" if session.has_model(preferences.llm) else "loads on first use"
    return (f'<p class="cp-meta">Model <b>{escape(preferences.llm)}</b> ({loaded}); corpus '
            f"{escape(str(session.corpus_dir))}; index in "
            f"{escape(str(session.index.chroma_path))}.</p>")


def build_tab(context: TabContext) -> None:
    """The Settings tab's components and events (inside a gr.Tab)."""
    session, preferences = context.session, context.preferences
    provider, model, url = fields_of(context.defaults.llm)
    provider_box = gr.Radio(PROVIDERS, value=provider, label="Model provider",
                            elem_id="settings-provider")
    model_box = gr.Textbox(value=model, label="Model name (Ollama / OpenAI-compatible)")
    url_box = gr.Textbox(value=url, label="Base URL (OpenAI-compatible)",
                         placeholder="http://127.0.0.1:8080/v1")
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
        chosen, text = apply_settings(current, *values)
        level = "ok" if chosen is not current else "error"
        return chosen, notice(text, level) + status_html(session, chosen)

    save.click(on_apply, [preferences, provider_box, model_box, url_box, k_box, comments_box,
                          map_box], [preferences, message], api_visibility="private")
    context.on_page_load(lambda: status_html(session, context.defaults),
                         [message])
