"""The client's address: the one every rate limit, login throttle and log line uses.

Behind the documented reverse proxy (nginx -> gunicorn) the peer of every request is the proxy,
so without proxy handling all clients would share one address and one person could exhaust the
district's limits. `install_proxy_fix` trusts X-Forwarded-For (and X-Forwarded-Proto) from
exactly as many proxies as PROXY_FIX_X_FOR (PROXY_FIX_X_PROTO) says; both are 0 by default, so
a client talking to the app directly cannot pick its address by sending the header.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


def install_proxy_fix(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when the settings name proxies in front of it."""
    x_for = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    x_proto = int(app.config.get("PROXY_FIX_X_PROTO") or 0)
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto, x_host=0, x_port=0,
                                x_prefix=0)


def client_address() -> str:
    """The address of the client of the current request (after ProxyFix, when installed)."""
    return request.remote_addr or "unknown"
