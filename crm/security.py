"""Security headers on every response. No inline script or style is needed, so CSP can be strict.

Pages and files shown to a logged-in user, and every download, are `Cache-Control: no-store`:
on a shared office browser nothing personal may stay in the cache after logout. Static assets
hold nothing personal and stay cacheable.
"""
from flask import Flask, Response, request
from flask_login import current_user

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def _private(response: Response) -> bool:
    if response.headers.get("Content-Disposition", "").lower().startswith("attachment"):
        return True
    if request.endpoint in STATIC_ENDPOINTS:
        return False
    return bool(getattr(current_user, "is_authenticated", False))


def init_app(app: Flask) -> None:
    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response
