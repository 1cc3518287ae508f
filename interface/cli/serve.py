"""`counterpoint serve` (and `python app.py`): start the browser app."""

from __future__ import annotations

import argparse
import os

from interface.settings import Settings

DEFAULT_HOST = "127.0.0.1"  # loopback; anything else needs a username and password
DEFAULT_PORT = 7860


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to bind (default {DEFAULT_HOST}; others need auth)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--user", default=os.environ.get("COUNTERPOINT_APP_USER"),
                        help="username required to open the app (or COUNTERPOINT_APP_USER)")
    parser.add_argument("--password", default=os.environ.get("COUNTERPOINT_APP_PASSWORD"),
                        help="password (better: the COUNTERPOINT_APP_PASSWORD variable)")


def register(commands, evals, common) -> None:
    serve = commands.add_parser("serve", parents=[common], help="start the browser app")
    add_serve_options(serve)
    serve.set_defaults(handler=run_serve)


def auth_of(args: argparse.Namespace) -> tuple[str, str] | None:
    if args.user or args.password:
        return (args.user or "", args.password or "")
    return None


def run_serve(args, settings: Settings) -> int:
    from interface.web import check_binding, serve  # gradio loads only for this command

    check_binding(args.host, auth_of(args))
    print(f"Counterpoint on http://{args.host}:{args.port} (Ctrl+C stops it)")
    serve(settings, args.host, args.port, auth_of(args))
    return 0

