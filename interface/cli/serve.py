"""`counterpoint serve` (and `python app.py`): start the browser app."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from interface.settings import Settings, model_list

DEFAULT_HOST = "127.0.0.1"  # loopback; anything else needs a username and password
DEFAULT_PORT = 7860
# The password is read from a file or the environment: a command-line argument is visible to
# every user of the machine in `ps`. COUNTERPOINT_APP_PASSWORD is the older name.
PASSWORD_VARIABLES = ("COUNTERPOINT_PASSWORD", "COUNTERPOINT_APP_PASSWORD")
PASSWORD_FLAG_WARNING = ("warning: --password is visible to other users in `ps`; use "
                         "--password-file FILE or the COUNTERPOINT_PASSWORD variable")


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to bind (default {DEFAULT_HOST}; others need auth)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--user", default=os.environ.get("COUNTERPOINT_APP_USER"),
                        help="username required to open the app (or COUNTERPOINT_APP_USER)")
    parser.add_argument("--password-file", type=Path,
                        help="file whose first line is the password (or COUNTERPOINT_PASSWORD)")
    parser.add_argument("--password", help=argparse.SUPPRESS)  # deprecated: shows in `ps`
    parser.add_argument("--models",
                        help="more model specs the page may offer besides --llm, comma-separated "
                             "(or COUNTERPOINT_MODELS); users pick among these only")


def register(commands, evals, common) -> None:
    serve = commands.add_parser("serve", parents=[common], help="start the browser app")
    add_serve_options(serve)
    serve.set_defaults(handler=run_serve)


def password_of(args: argparse.Namespace, environ=None) -> str | None:
    """The password from --password-file, the deprecated --password, or the environment."""
    environ = os.environ if environ is None else environ
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text("utf-8").splitlines()
        except OSError as error:
            raise ValueError(f"cannot read the password file: {error}") from None
        if not lines or not lines[0].strip():
            raise ValueError(f"the password file {args.password_file} is empty")
        return lines[0].strip()
    if args.password:
        print(PASSWORD_FLAG_WARNING, file=sys.stderr)
        return args.password
    return next((environ[name] for name in PASSWORD_VARIABLES if environ.get(name)), None)


def auth_of(args: argparse.Namespace, environ=None) -> tuple[str, str] | None:
    password = password_of(args, environ)
    if args.user or password:
        return (args.user or "", password or "")
    return None


def run_serve(args, settings: Settings) -> int:
    from interface.web import check_binding, serve  # gradio loads only for this command

    auth = auth_of(args)
    check_binding(args.host, auth)
    if args.models:
        settings = replace(settings, models=model_list(args.models))
    print(f"Counterpoint on http://{args.host}:{args.port} (Ctrl+C stops it)")
    serve(settings, args.host, args.port, auth)
    return 0
