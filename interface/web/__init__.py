"""The Gradio app: one module per tab, rendering helpers, and the app that wires them."""

from interface.web.app import build_app, check_binding, is_loopback, launch_options, serve

__all__ = ["build_app", "check_binding", "is_loopback", "launch_options", "serve"]
