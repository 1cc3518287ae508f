"""Refuse requests addressed to another host name: a guard against DNS rebinding.

On loopback the app has no login, so a web page the user visits could rebind its own name
to 127.0.0.1 and then read the corpus or add documents with the user's browser. Such a
request still carries the page's name in its Host header; only the loopback names (and the
name the operator bound) reach the app.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocketClose

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(header: str) -> str:
    """The name in a Host header, without its port or IPv6 brackets, lower-case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return (header.rpartition(":")[0] if ":" in header else header).rstrip(".")


class HostCheck:
    """ASGI middleware: a request whose Host names none of `allowed` (names without port or
    brackets) gets 400 and goes no further (a websocket is closed)."""

    def __init__(self, app, allowed) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await WebSocketClose(code=1008)(scope, receive, send)
        else:
            await PlainTextResponse("Invalid host header", status_code=400)(scope, receive, send)

    def _allowed(self, scope) -> bool:
        headers = dict(scope.get("headers") or ())
        return host_name(headers.get(b"host", b"").decode("latin-1")) in self.allowed


def loopback_hosts(bound: str) -> frozenset[str]:
    """The Host names a loopback server answers: the usual loopback names and the bound one."""
    return LOOPBACK_NAMES | {bound.strip("[]").lower()}
