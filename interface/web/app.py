"""The Gradio app: one tab per task, each a thin adapter over plain functions.

`build_app` only declares components and events: it loads no model, opens no index and
starts no server, so tests build it directly. `serve` launches it.
"""

from __future__ import annotations

import ipaddress
import threading
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from interface.settings import Settings, session_of
from interface.web import ask as ask_tab
from interface.web import audit as audit_tab
from interface.web import debate as debate_tab
from interface.web import library as library_tab
from interface.web import map as map_tab
from interface.web import positions as positions_tab
from interface.web import settings as settings_tab
from interface.web.context import Preferences, TabContext
from interface.web.hosts import HostCheck, loopback_hosts
from session import Session

ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Events that run the model share one queue slot: llama.cpp serves one call at a time, so
# concurrent users wait their turn instead of crashing it.
MODEL_QUEUE = {"concurrency_id": "model", "concurrency_limit": 1}
# Uploads and downloads Gradio keeps for this app: checked hourly, removed after an hour and
# when the server stops (an upload is copied into the corpus at once; a download is fresh).
DELETE_CACHE = (3600, 3600)
TABS = (
    ("Ask", ask_tab),
    ("Positions", positions_tab),
    ("Map", map_tab),
    ("Audit", audit_tab),
    ("Debate", debate_tab),
    ("Library", library_tab),
    ("Settings", settings_tab),
)
HEADER = """# Counterpoint
Argument maps and cited debate over your documents. Every claim links to the exact words of
its source; <span class="cp-badge cp-kind-comment">Reader comment</span> passages are never
presented as the article's claims."""


def build_app(settings: Settings, session: Session | None = None) -> gr.Blocks:
    """Declare the app's tabs and events; nothing is loaded until a callback runs."""
    session = session or session_of(settings, background_indexing=True)
    with gr.Blocks(title="Counterpoint", analytics_enabled=False,
                   delete_cache=DELETE_CACHE) as app:
        gr.Markdown(HEADER, elem_id="cp-header")
        context = TabContext(
            session=session,
            defaults=Preferences.of(settings),
            preferences=gr.State(Preferences.of(settings)),
            session_log=gr.State([]),  # audit rows of every citation shown in this session
            model_queue=MODEL_QUEUE,
            models=settings_tab.offered_models(settings.model_choices),
        )
        with gr.Tabs(elem_id="cp-tabs"):
            for title, module in TABS:
                with gr.Tab(title, id=title.lower(), elem_id=f"tab-{title.lower()}"):
                    module.build_tab(context)
        for loader, outputs in context.loaders:
            app.load(loader, None, outputs, api_visibility="private")
    # A full queue refuses new requests ("Queue is full") instead of letting them pile up
    # behind a slow model; those waiting see their place in it.
    if settings.queue_size < 1:
        raise ValueError(f"queue_size must be at least 1, not {settings.queue_size}")
    app.queue(default_concurrency_limit=4, max_size=settings.queue_size)
    return app


def launch_options(host: str = DEFAULT_HOST) -> dict:
    """Styling and server options shared by `serve` and the tests; on loopback, where there
    is no login, requests naming another host are refused (DNS rebinding)."""
    script = (ASSETS / "app.js").read_text("utf-8")
    guard = [Middleware(HostCheck, allowed=loopback_hosts(host))] if is_loopback(host) else []
    return {
        "app_kwargs": {"middleware": guard},
        "css_paths": [ASSETS / "app.css"],
        "head": f"<script>{script}</script>",
        "theme": gr.themes.Soft(primary_hue="blue", neutral_hue="slate"),
        "footer_links": ["api"],
        "run_history": False,
        "enable_monitoring": False,
        "show_error": True,
        "max_file_size": "2mb",
        "share": False,
    }


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, auth: tuple[str, str] | None) -> None:
    """Serving beyond this machine requires a username and password."""
    if not is_loopback(host) and not auth:
        raise ValueError(f"binding to {host} exposes the app beyond this machine: set a "
                         "username and password (--user or COUNTERPOINT_APP_USER, and "
                         "--password-file or COUNTERPOINT_PASSWORD)")
    if auth and (not auth[0] or not auth[1]):
        raise ValueError("give both a username and a password")


def serve(settings: Settings, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          auth: tuple[str, str] | None = None, block: bool = True):
    """Build the app and start its server; returns the app when `block` is False."""
    check_binding(host, auth)
    session = session_of(settings, background_indexing=True)
    app = build_app(settings, session)
    # Load the index and the model while the page opens, not on the first question.
    threading.Thread(target=session.warm_up, name="counterpoint-warm-up", daemon=True).start()
    app.launch(server_name=host, server_port=port, auth=auth, prevent_thread_lock=not block,
               quiet=True, **launch_options(host))
    return app
